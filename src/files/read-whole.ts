/**
 * Reading a file credsweep takes in whole (a plan, a journal, an audit's findings JSON, a history
 * database, a plan key), with the one-line errors for what it refuses:
 *
 *   regular file (links followed)  → read, unless it is larger than the cap (refused by its size first)
 *   FIFO (`<(…)`, a named pipe)    → read up to the cap, unless `regularOnly`
 *   device, folder, socket         → refused before it is opened: /dev/zero never ends and /dev/tty waits
 *   missing                        → undefined: the caller says whether that is an error
 *
 * stat() of a device or a FIFO says size 0, so a size check alone would let /dev/zero be read for ever.
 */
import { closeSync, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { InputError } from '../errors.ts';

export interface WholeFileSpec {
  /** At most this many bytes are read; a larger file is an InputError naming the cap. */
  maxBytes: number;
  /** Refuse a FIFO too (a history database is written back where it was read from). */
  regularOnly?: boolean;
  /** What to do instead with a file past the cap (the error's hint). */
  tooLargeHint?: string;
}

export const MIB = 1024 * 1024;

/**
 * The cap on a JSON or JSON Lines file read whole (a plan, a journal, an audit's findings JSON): V8
 * holds a string of at most 2^29 − 24 characters (just under 512 MiB), and past that the file could
 * not be parsed anyway (it was "cannot read (undefined)"). A UTF-8 file never decodes to more
 * characters than it has bytes, so 500 MiB always fits, with ≈ 1 GB of heap for the findings.
 */
export const MAX_JSON_TEXT_BYTES = 500 * MIB;

/**
 * readWholeFileSync for the async callers (a plan, the findings, the history database): one read path,
 * so the checks cannot drift apart. The command has nothing else to do while it reads its input.
 */
export async function readWholeFile(path: string, spec: WholeFileSpec): Promise<Buffer | undefined> {
  return readWholeFileSync(path, spec);
}

/** Reads `path` whole under `spec` (the table above); undefined when it does not exist. */
export function readWholeFileSync(path: string, spec: WholeFileSpec): Buffer | undefined {
  let before: Stats;
  try {
    before = statSync(path);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw cannotRead(e, path);
  }
  refuseKind(before, path, spec);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw cannotRead(e, path);
  }
  try {
    const opened = fstatSync(fd);
    refuseKind(opened, path, spec);
    const reader = new CappedBuffer(opened, path, spec);
    for (;;) {
      const bytesRead = readSync(fd, reader.buffer, reader.length, reader.room(), null);
      if (bytesRead === 0) return reader.bytes();
      reader.advance(bytesRead);
    }
  } catch (e) {
    throw e instanceof InputError ? e : cannotRead(e, path);
  } finally {
    closeSync(fd);
  }
}

function refuseKind(stats: Stats, path: string, spec: WholeFileSpec): void {
  if (stats.isFile()) {
    if (stats.size > spec.maxBytes) throw tooLarge(path, spec, stats.size);
    return;
  }
  if (stats.isFIFO() && !spec.regularOnly) return;
  const kind = stats.isDirectory()
    ? 'a folder'
    : stats.isFIFO()
      ? 'a FIFO (a pipe)'
      : stats.isCharacterDevice() || stats.isBlockDevice()
        ? 'a device'
        : stats.isSocket()
          ? 'a socket'
          : 'not a regular file';
  throw new InputError(`is ${kind}, not a file; give the path of a file`, path);
}

/**
 * The bytes read so far, in a buffer sized from the file's size (a FIFO's is unknown: it doubles)
 * and never more than the cap plus one byte: the byte that says the file is larger.
 */
class CappedBuffer {
  buffer: Buffer;
  length = 0;
  constructor(
    stats: Stats,
    private readonly path: string,
    private readonly spec: WholeFileSpec,
  ) {
    // One byte more than a regular file's size, to see the end (or that it grew) in the same buffer.
    const first = stats.isFile() ? stats.size + 1 : 64 * 1024;
    this.buffer = Buffer.allocUnsafe(Math.min(first, spec.maxBytes + 1));
  }
  room(): number {
    return this.buffer.length - this.length;
  }
  advance(n: number): void {
    this.length += n;
    if (this.length > this.spec.maxBytes) throw tooLarge(this.path, this.spec);
    if (this.length < this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.min(this.buffer.length * 2, this.spec.maxBytes + 1));
    this.buffer.copy(bigger, 0, 0, this.length);
    this.buffer = bigger;
  }
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

function tooLarge(path: string, spec: WholeFileSpec, size?: number): InputError {
  const what = size === undefined ? 'larger' : `${formatBytes(size)}: larger`;
  return new InputError(
    `${what} than the ${formatBytes(spec.maxBytes)} credsweep reads whole`,
    path,
    undefined,
    spec.tooLargeHint,
  );
}

/** `1024 MiB`, `600 bytes`: a size as the refusals say it. */
export function formatBytes(n: number): string {
  return n >= MIB ? `${Math.round((n / MIB) * 10) / 10} MiB` : `${n} bytes`;
}

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/** `cannot read (permission denied)`: a reason for every error, with a code or without (never "undefined"). */
export function cannotRead(e: unknown, path: string, what = 'cannot read'): InputError {
  return new InputError(`${what} (${readFailure(e)})`, path);
}

/** Why a read failed, in words where the code is a common one; the error's message when it has no code. */
export function readFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EISDIR: 'is a folder',
    ENOTDIR: 'a part of the path is not a folder',
    ELOOP: 'too many symbolic links',
    EIO: 'input/output error',
    ENXIO: 'no such device',
  };
  if (typeof code === 'string') return why[code] ?? code;
  return e instanceof Error && e.message !== '' ? e.message : 'unknown error';
}
