/**
 * Finds and reads the configuration file; ./parse-config.ts validates it, loaded only when there is a
 * file to parse (yaml and zod are ~0.1 s of start-up CPU that a run without a configuration file need
 * not pay: docs/performance.md).
 */
import { isUtf8 } from 'node:buffer';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import { cannotRead } from '../files/read-whole.ts';
import { assertSize, MAX_CONFIG_BYTES } from './config-limits.ts';
import type { CredsweepConfig } from './schema.ts';

/** Looked for in the working directory when no `--config` is given; more than one is an input error. */
export const CONFIG_FILE_NAMES = ['credsweep.config.json', 'credsweep.config.yaml', 'credsweep.config.yml'];

export interface LoadedConfig {
  file: string;
  config: CredsweepConfig;
}

/** The explicit file, else the one of CONFIG_FILE_NAMES in `cwd` (two are an error), else undefined. */
export async function loadConfig(
  explicit: string | undefined,
  cwd: string,
): Promise<LoadedConfig | undefined> {
  if (explicit !== undefined) {
    const text = await readText(explicit);
    return { file: explicit, config: (await import('./parse-config.ts')).parseConfig(text, explicit) };
  }
  const found = await presentConfigFiles(cwd);
  if (found.length > 1) {
    // Not one used and the others ignored: the ignored file's exemptions would silently not apply,
    // and the credentials they protect would be planned for deactivation.
    throw new InputError(
      `a second configuration file beside ${found[0]}: credsweep would read only one; keep one, or choose with --config`,
      found[1]!,
    );
  }
  for (const name of found) {
    const path = join(cwd, name);
    let text: string;
    try {
      text = await readCapped(path, name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      if (e instanceof InputError) throw e;
      throw cannotRead(e, name);
    }
    return { file: name, config: (await import('./parse-config.ts')).parseConfig(text, name) };
  }
  return undefined;
}

/** Which of CONFIG_FILE_NAMES are in `cwd` (a link to nothing is not there, as before). */
async function presentConfigFiles(cwd: string): Promise<string[]> {
  const present: string[] = [];
  for (const name of CONFIG_FILE_NAMES) {
    try {
      await stat(join(cwd, name));
      present.push(name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw cannotRead(e, name);
    }
  }
  return present;
}

async function readText(file: string): Promise<string> {
  try {
    return await readCapped(file, file);
  } catch (e) {
    if (e instanceof InputError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError('no such file', file);
    throw cannotRead(e, file);
  }
}

/** At most MAX_CONFIG_BYTES + 1 bytes are read, so a huge file (or /dev/zero) is refused, not loaded. */
async function readCapped(path: string, shownAs: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    const bytes = buffer.subarray(0, length);
    if (length > MAX_CONFIG_BYTES) assertSize(bytes.toString('utf8'), shownAs);
    return utf8Text(bytes, shownAs);
  } finally {
    await handle.close();
  }
}

/**
 * The file's text, which must be UTF-8 (YAML's and JSON's encoding): bytes that are not were read
 * as U+FFFD, so an exemption's name silently became another and matched nothing (its credential
 * then planned like any other, with only a "stale" warning). A byte-order mark is UTF-8 too.
 */
function utf8Text(bytes: Buffer, shownAs: string): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let line = 1;
  // (a line break, 0x0A, is never inside a multi-byte sequence: each line can be checked alone)
  for (let start = 0; start < bytes.length; line++) {
    const end = bytes.indexOf(0x0a, start);
    const stop = end === -1 ? bytes.length : end;
    if (!isUtf8(bytes.subarray(start, stop))) break;
    start = stop + 1;
  }
  const utf16 = bytes[0] === 0xff || bytes[0] === 0xfe ? ' (UTF-16? save it as UTF-8)' : '';
  throw new InputError(`not UTF-8 text${utf16}`, shownAs, line);
}
