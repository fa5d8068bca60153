/**
 * Output that is all or nothing: everything goes to a temporary file first, which is renamed onto
 * `--output` (or copied to standard output) only when the command succeeded.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { WriteChunk } from '../reporters/index.ts';

export interface PendingOutput {
  write: WriteChunk;
  /** Publishes what was written. */
  commit(): Promise<void>;
  /** Throws away what was written; `--output` is left as it was. */
  abort(): Promise<void>;
}

export async function openPendingOutput(outputPath: string | undefined): Promise<PendingOutput> {
  const target = outputPath === undefined || outputPath === '-' ? undefined : resolve(outputPath);
  const dir = await mkdtemp(join(target ? dirname(target) : tmpdir(), '.credsweep-'));
  const tempFile = join(dir, target ? basename(target) : 'stdout');
  const stream: WriteStream = createWriteStream(tempFile);
  let failure: Error | undefined;
  stream.on('error', (e) => {
    failure = e;
  });
  const closed = () => new Promise<void>((ok) => stream.end(ok));
  return {
    write: (chunk) =>
      new Promise((ok, fail) => {
        if (failure) return fail(failure);
        if (stream.write(chunk)) ok();
        else stream.once('drain', ok);
      }),
    async commit() {
      await closed();
      if (failure) throw failure;
      try {
        if (target) await rename(tempFile, target);
        else await pipeline(createReadStream(tempFile), process.stdout, { end: false });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async abort() {
      await closed();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
