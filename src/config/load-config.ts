/**
 * Finds, reads and validates the configuration file. JSON is parsed as YAML (a subset), so both get
 * the same error messages: `credsweep: <file>:<line>: <key.path>: <what>`.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { type Document, isNode, LineCounter, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../errors.ts';
import { type CredsweepConfig, configSchema } from './schema.ts';

/**
 * A configuration is a few kilobytes; these limits keep a hostile one (the Lambda reads its
 * configuration from an environment variable anyone who can update the function can set) from
 * exhausting memory: a size cap, and a cap on YAML alias expansions (a "billion laughs" alias bomb
 * expands 9 aliases into 9⁷ nodes). Both are refused with the file and line, exit 2.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;
export const MAX_ALIAS_EXPANSIONS = 100;

/** Looked for in the working directory, in this order, when no `--config` is given. */
export const CONFIG_FILE_NAMES = ['credsweep.config.json', 'credsweep.config.yaml', 'credsweep.config.yml'];

export interface LoadedConfig {
  file: string;
  config: CredsweepConfig;
}

/** The explicit file, else the first of CONFIG_FILE_NAMES in `cwd`, else undefined. */
export async function loadConfig(
  explicit: string | undefined,
  cwd: string,
): Promise<LoadedConfig | undefined> {
  if (explicit !== undefined)
    return { file: explicit, config: parseConfig(await readText(explicit), explicit) };
  for (const name of CONFIG_FILE_NAMES) {
    const path = join(cwd, name);
    let text: string;
    try {
      text = await readCapped(path, name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      if (e instanceof InputError) throw e;
      throw new InputError(`cannot read (${(e as NodeJS.ErrnoException).code})`, name);
    }
    return { file: name, config: parseConfig(text, name) };
  }
  return undefined;
}

async function readText(file: string): Promise<string> {
  try {
    return await readCapped(file, file);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such file' : `cannot read (${code})`, file);
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
    const text = buffer.subarray(0, length).toString('utf8');
    assertSize(text, shownAs);
    return text;
  } finally {
    await handle.close();
  }
}

function assertSize(text: string, file: string): void {
  if (Buffer.byteLength(text, 'utf8') <= MAX_CONFIG_BYTES) return;
  const line = text.slice(0, MAX_CONFIG_BYTES).split('\n').length;
  throw new InputError(
    `larger than the ${MAX_CONFIG_BYTES / 1024 / 1024} MiB a configuration may be`,
    file,
    line,
  );
}

/** The document as plain data; an alias bomb is an input error at its first alias, not a crash. */
function toData(doc: Document, lineCounter: LineCounter, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch (e) {
    let offset: number | undefined;
    visit(doc, {
      Alias(_, node) {
        offset = node.range?.[0];
        return visit.BREAK;
      },
    });
    const line = offset === undefined ? undefined : lineCounter.linePos(offset).line;
    const what =
      e instanceof ReferenceError && /alias/i.test(e.message)
        ? `YAML aliases expand past the limit of ${MAX_ALIAS_EXPANSIONS} (an alias bomb?)`
        : `not valid JSON or YAML: ${(e as Error).message.split('\n')[0]}`;
    throw new InputError(what, file, line);
  }
}

/** Pure: text in, validated config out; errors name the file, the line and the key path. */
export function parseConfig(text: string, file: string): CredsweepConfig {
  assertSize(text, file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = syntax.linePos?.[0]?.line;
    throw new InputError(
      `not valid JSON or YAML: ${syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      file,
      line,
    );
  }
  const data = toData(doc, lineCounter, file) ?? {};
  const result = configSchema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const keys = (issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path) as (
    | string
    | number
  )[];
  // The line of the offending value, or of the nearest enclosing one that exists (a missing key).
  let line: number | undefined;
  for (let n = keys.length; n >= 0 && line === undefined; n--) {
    const node = doc.getIn(keys.slice(0, n), true);
    const offset = isNode(node) ? node.range?.[0] : undefined;
    if (offset !== undefined) line = lineCounter.linePos(offset).line;
  }
  const path = keys.map(String).join('.') || '(top level)';
  const missing = issue.code === 'invalid_type' && doc.getIn(keys) === undefined && !doc.hasIn(keys);
  return throwIssue(issue, path, file, line, missing);
}

function throwIssue(
  issue: z.core.$ZodIssue,
  path: string,
  file: string,
  line: number | undefined,
  missing: boolean,
): never {
  const what =
    issue.code === 'unrecognized_keys'
      ? `unknown key (known: ${knownKeys(issue.path)})`
      : missing
        ? 'required'
        : issue.message;
  throw new InputError(`${path}: ${what}`, file, line);
}

function knownKeys(path: readonly PropertyKey[]): string {
  if (path.length === 0) return Object.keys(configSchema.shape).join(', ');
  if (path[0] === 'notifications')
    return 'snsTopicArn, ownerWarningDays, graceDays, ownerWebhookAllow, webhookTimeoutMs, exemptionHowTo';
  if (path[0] === 'exemptions') return 'principal, arn, tag, credentials, owner, reason, expires';
  return 'see the README';
}
