/**
 * Every file credsweep writes (`--output`, the history database, HTML reports; the journal is
 * appended, see `openAppendOnly`) goes through here, so the rules hold everywhere:
 *
 * - all or nothing: what is written goes to a temporary file first and is published on `commit()`;
 *   `abort()` (or any exit before commit) leaves the target as it was;
 * - a new file is created 0600 (it holds account data); an existing file keeps its mode (and, when
 *   run as root, its owner);
 * - the temporary file is created O_EXCL beside the target (so the rename is atomic and nobody can
 *   have planted it) and is removed on every exit (./temp-files.ts);
 * - a FIFO or character device (`/dev/stdout`, `/dev/null`, a terminal) is written to, never replaced:
 *   the content is buffered in a temporary file that is unlinked the moment it is opened (nothing to
 *   leave behind, even on SIGKILL) and copied to the target on commit;
 * - a symbolic link is followed to the file or device it names and never replaced;
 * - a file read-only to this user (`chmod 444`, root included: ./target.ts requireWritable) is never
 *   replaced, though its folder would let the rename do it; see ./target.ts for what else is refused
 *   (exit 2, one line).
 */
import { randomBytes } from 'node:crypto';
import { constants, openSync, writeSync } from 'node:fs';
import { chmod, chown, type FileHandle, lstat, open, rename, rm } from 'node:fs/promises';
import { constants as osConstants, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { isatty } from 'node:tty';
import { InputError, InternalError, isCredsweepError } from '../errors.ts';
import { DIRECT_ALIGN, DirectWrites } from './direct-writes.ts';
import {
  APPEND_NO_FOLLOW,
  CREATE_EXCLUSIVE,
  cannotWrite,
  inspectWriteTarget,
  requireWritable,
} from './target.ts';
import { createTempFile, forgetTempFile } from './temp-files.ts';

export interface PendingFile {
  write(chunk: string | Uint8Array): Promise<void>;
  /** Publishes what was written. */
  commit(): Promise<void>;
  /** Throws away what was written; the target is left as it was. */
  abort(): Promise<void>;
  /** Bytes written past the page cache (./direct-writes.ts; tests). */
  directBytes?(): number;
}

const FLUSH_AT = 64 * 1024;
/**
 * A file to be published is flushed to disk (fdatasync) in the background every this many bytes, so
 * the last flush before the rename has little left to do: the 1M-row report audit writes 630 MB of
 * JSON, and one flush of all of it at the end took 0.7-0.8 s, the main thread idle meanwhile.
 */
export const SYNC_EVERY = 32 << 20;
/**
 * A file to be published is written past the page cache (./direct-writes.ts) from the write that
 * takes it to this many bytes on, from the first 4 KiB boundary in that write: a small output as
 * before, and an output written whole at once (an HTML report) past it from its start.
 */
export const DIRECT_FROM = 16 << 20;

/** Writes through a FileHandle in 64 KiB blocks (reporters write many small chunks). */
class BlockWriter {
  private pending: Buffer[] = [];
  private size = 0;
  written = 0;
  /** Where the last background flush was started, that flush while it runs, and its failure. */
  private syncedFrom = 0;
  private syncing: Promise<void> | undefined;
  private syncFailure: unknown;
  /** Past the page cache from here on (./direct-writes.ts), once `directFrom` bytes are written. */
  private direct: DirectWrites | undefined;
  private directDone = 0;
  /**
   * `syncEvery`: flush to disk in the background every this many bytes (none: never); `directFrom`:
   * write the bytes after this many past the page cache where the system allows (none: never).
   */
  constructor(
    readonly handle: FileHandle,
    private readonly syncEvery?: number,
    private directFrom?: number,
  ) {}
  async write(chunk: string | Uint8Array): Promise<void> {
    // A background flush that failed fails the write that follows: nothing more is written in vain.
    if (this.syncFailure !== undefined) throw this.syncFailure;
    if (
      this.direct ||
      (this.directFrom !== undefined && this.written + this.size + chunk.length >= this.directFrom)
    ) {
      await this.flush();
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      if (await this.writeDirect(bytes)) return;
    }
    if (typeof chunk !== 'string' && chunk.length >= FLUSH_AT) {
      // A large block (a part of the report audit rendered on a worker thread) is written as it is,
      // not copied; it is written before this returns, so the caller may reuse it after. Written
      // synchronously: the main thread audits parts too, and awaiting each block's round trip through
      // libuv's thread pool had it wait 2.1-3.9 s of the 1M-row JSON audit (load 8-10; 0.5 s since).
      await this.flush();
      for (let done = 0; done < chunk.length; ) {
        done += progress(writeSync(this.handle.fd, chunk, done, chunk.length - done, this.written + done));
      }
      this.written += chunk.length;
      this.syncInBackground();
      return;
    }
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    this.pending.push(bytes);
    this.size += bytes.length;
    if (this.size >= FLUSH_AT) await this.flush();
  }
  /**
   * Writes `bytes` past the page cache, starting that at the next aligned offset within them; false
   * when they are to be written as before (direct writes not to be had, or no aligned offset in them).
   */
  private async writeDirect(bytes: Uint8Array): Promise<boolean> {
    // Kept here: an abandon while the gap is written lets go of this.direct.
    let direct = this.direct;
    if (!direct) {
      // Abandoned since write() looked (it awaited the flush): no direct descriptor is opened now,
      // for abandon has run already and would never close it.
      if (this.directFrom === undefined) return false;
      const gap = (DIRECT_ALIGN - (this.written % DIRECT_ALIGN)) % DIRECT_ALIGN;
      if (gap >= bytes.length) return false;
      const start = this.written + gap;
      direct = DirectWrites.start(this.handle.fd, start, (block, at) => writeAll(this.handle, block, at));
      this.direct = direct;
      this.directFrom = undefined; // started, or not to be had: never tried again
      if (!direct) return false;
      if (gap > 0) {
        await writeAll(this.handle, bytes.subarray(0, gap), this.written);
        this.written += gap;
      }
      bytes = bytes.subarray(gap);
    }
    await direct.add(bytes);
    this.written += bytes.length;
    return true;
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    // One chunk (a reporter's 64 KiB) is written as it is: no copy of every byte of the output.
    const block = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.size);
    this.pending = [];
    this.size = 0;
    await writeAll(this.handle, block, this.written);
    this.written += block.length;
    this.syncInBackground();
  }

  /**
   * Everything written is on disk (fdatasync), the background flushes done first; a background flush
   * that failed fails this.
   */
  async sync(): Promise<void> {
    await this.syncing;
    if (this.syncFailure !== undefined) throw this.syncFailure;
    if (this.direct) {
      const direct = this.direct;
      this.direct = undefined;
      await direct.finish();
      this.directDone += direct.directBytes;
    }
    await this.handle.datasync();
  }

  /** Waits for writes under way and lets go of the direct descriptor (abort: before the file is closed). */
  async abandon(): Promise<void> {
    // A write under way (the audit's are chained, and an abort does not wait for them) starts no
    // direct writes from here on: a DirectWrites started after this would never be closed.
    this.directFrom = undefined;
    const direct = this.direct;
    this.direct = undefined;
    await direct?.abandon();
  }

  /** Bytes written past the page cache so far (tests). */
  get directBytes(): number {
    return this.directDone + (this.direct?.directBytes ?? 0);
  }

  /** Starts a flush of what was written so far when SYNC_EVERY more bytes were, and none is running. */
  private syncInBackground(): void {
    if (this.syncEvery === undefined || this.syncing || this.written - this.syncedFrom < this.syncEvery)
      return;
    this.syncedFrom = this.written;
    this.syncing = this.handle
      .datasync()
      .catch((e: unknown) => {
        this.syncFailure ??= e;
      })
      .finally(() => {
        this.syncing = undefined;
      });
  }
}

/**
 * Writes all of `block` at `position` (null: at the handle's current offset, for a device or FIFO). A
 * write may take fewer bytes than it was given (a file-size limit, a disk all but full): the rest is
 * written by the next call, which then fails with the system's error (EFBIG, ENOSPC) rather than the
 * output being published short.
 */
async function writeAll(handle: FileHandle, block: Uint8Array, position: number | null): Promise<void> {
  for (let done = 0; done < block.length; ) {
    const at = position === null ? null : position + done;
    done += progress((await handle.write(block, done, block.length - done, at)).bytesWritten);
  }
}

/** A write's byte count; none at all is an I/O error (the loop above would never end). */
function progress(bytesWritten: number): number {
  if (bytesWritten > 0) return bytesWritten;
  throw Object.assign(new Error('EIO: the write took no bytes'), {
    code: 'EIO',
    errno: -osConstants.errno.EIO,
  });
}

/**
 * A write that failed: the system's error (a full disk, an I/O error, a flush that failed in the
 * background) as one line about the file; anything else is credsweep's own and goes on as it is.
 */
function failedWrite(e: unknown, requested: string, what?: string): never {
  if (isSystemError(e)) throw cannotWrite(e, requested, what);
  throw e;
}

/**
 * An error the operating system reported (libuv's: a code and an errno), not one of Node's own
 * (ERR_INVALID_ARG_TYPE, a FileHandle used after close: a code but no errno), which is a bug.
 */
function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  const err = e as NodeJS.ErrnoException;
  return (
    e instanceof Error &&
    !isCredsweepError(e) &&
    typeof err.code === 'string' &&
    typeof err.errno === 'number'
  );
}

/** A temporary file beside `target`, created 0600 with O_EXCL and registered for removal. */
async function createTempBeside(
  target: string,
  requested: string,
): Promise<{ path: string; handle: FileHandle }> {
  const path = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.credsweep-tmp`);
  let handle: FileHandle;
  try {
    // Registered for removal from before it exists: a Ctrl-C mid-open cannot leave it behind.
    handle = await createTempFile(path, () => open(path, CREATE_EXCLUSIVE, 0o600));
  } catch (e) {
    failedWrite(e, requested, 'cannot create a temporary file beside it');
  }
  return { path, handle };
}

/**
 * A read-write buffer file in TMPDIR that loses its name as soon as it is open (registered for removal
 * until then, so a Ctrl-C in between leaves nothing); a TMPDIR that cannot hold it is one line.
 */
async function openNamelessBuffer(): Promise<FileHandle> {
  const path = join(tmpdir(), `.credsweep-${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle;
  try {
    handle = await createTempFile(path, () =>
      open(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600),
    );
    await rm(path, { force: true });
  } catch (e) {
    failedWrite(e, tmpdir(), 'cannot buffer the output there');
  }
  forgetTempFile(path);
  return handle;
}

/** Copies the first `length` bytes of the buffer `from` to `write`, 64 KiB at a time. */
async function copyOut(from: FileHandle, length: number, write: (b: Buffer) => Promise<void>): Promise<void> {
  const block = Buffer.allocUnsafe(FLUSH_AT);
  for (let position = 0; position < length; ) {
    const { bytesRead } = await from
      .read(block, 0, Math.min(FLUSH_AT, length - position), position)
      .catch((e: unknown) => failedWrite(e, tmpdir(), 'cannot read the output back from its buffer'));
    // Everything written to the buffer was written whole (writeAll), so it cannot end early.
    if (bytesRead === 0)
      throw new InternalError(`the output's buffer ends at ${position} of ${length} bytes`);
    await write(block.subarray(0, bytesRead));
    position += bytesRead;
  }
}

export interface PendingFileOptions {
  /**
   * What text becomes when the target turns out to be a terminal (`--output /dev/tty`, or
   * `/dev/stdout` on one): the CLI's terminal guard, so a name from AWS or a file cannot drive the
   * terminal by another path than standard output. Applied to whole characters, block by block.
   */
  forTerminal?: (text: string) => string;
  /**
   * A file (not a stream): the bytes after this many are written past the page cache where the system
   * allows (DIRECT_FROM; Infinity: never). Tests make it small, or Infinity to see the background flushes.
   */
  directFrom?: number;
}

/** Opens `requested` (a path) for an all-or-nothing write under the rules above. */
export async function openPendingFile(
  requested: string,
  options: PendingFileOptions = {},
): Promise<PendingFile> {
  const target = await inspectWriteTarget(requested);
  if (target.kind === 'stream') {
    return bufferedFor(async (from, length) => {
      let device: FileHandle;
      try {
        // No O_CREAT and no O_TRUNC: if the device went away meanwhile, fail rather than make a file.
        device = await open(target.path, constants.O_WRONLY);
      } catch (e) {
        failedWrite(e, requested);
      }
      try {
        // Swapped for a file since we looked (a FIFO removed and a file put there): never written over.
        const now = await device.stat();
        if (!now.isFIFO() && !now.isCharacterDevice()) {
          throw new InputError(
            'changed from a FIFO or device into something else while credsweep ran; left as it is',
            requested,
          );
        }
        const forTerminal = options.forTerminal;
        if (forTerminal && isatty(device.fd)) {
          const decoder = new StringDecoder('utf8');
          const send = (text: string) => writeAll(device, Buffer.from(forTerminal(text), 'utf8'), null);
          await copyOut(from, length, (b) => send(decoder.write(b)));
          await send(decoder.end());
        } else {
          await copyOut(from, length, (b) => writeAll(device, b, null));
        }
      } catch (e) {
        await device.close().catch(() => {});
        if (readerWentAway(e)) return; // as on standard output (pendingStream)
        failedWrite(e, requested);
      }
      await device.close().catch((e: unknown) => failedWrite(e, requested));
    });
  }
  const temp = await createTempBeside(target.path, requested);
  const out = new BlockWriter(temp.handle, SYNC_EVERY, options.directFrom ?? DIRECT_FROM);
  let settled = false;
  const discard = async () => {
    settled = true;
    await out.abandon();
    await temp.handle.close().catch(() => {});
    // Kept registered if it cannot be removed now: the exit handler tries again. Never hides the
    // failure that led here.
    if (
      await rm(temp.path, { force: true }).then(
        () => true,
        () => false,
      )
    )
      forgetTempFile(temp.path);
  };
  return {
    write: (chunk) => out.write(chunk).catch((e: unknown) => failedWrite(e, requested)),
    async commit() {
      if (settled) return;
      try {
        await out.flush();
        if (target.existing) {
          await chmod(temp.path, target.existing.mode & 0o7777);
          if (process.getuid?.() === 0) {
            await chown(temp.path, target.existing.uid, target.existing.gid).catch(() => {});
          }
        }
        await out.sync();
        await temp.handle.close();
        // The target may have been swapped for a link or a device since we looked: never replace one.
        const now = await lstat(target.path).catch(() => undefined);
        if (now !== undefined && !now.isFile()) {
          throw new InputError(
            'changed into something that is not a file while credsweep ran; left as it is',
            requested,
          );
        }
        // ... or made read-only meanwhile (chmod 444 while the audit ran).
        await requireWritable(target.path, requested);
        await rename(temp.path, target.path);
        settled = true;
        forgetTempFile(temp.path);
      } catch (e) {
        await discard();
        failedWrite(e, requested);
      }
    },
    abort: () => (settled ? Promise.resolve() : discard()),
    directBytes: () => out.directBytes,
  };
}

/**
 * All-or-nothing output for a stream that cannot be replaced (standard output, a FIFO, a device):
 * buffered in a nameless temporary file, handed to `publish` on commit.
 */
export async function bufferedFor(
  publish: (from: FileHandle, length: number) => Promise<void>,
): Promise<PendingFile> {
  const handle = await openNamelessBuffer();
  const out = new BlockWriter(handle);
  let closed = false;
  /** The buffer has no name: a failure to close it loses nothing, and must not hide another. */
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close().catch(() => {});
  };
  const bufferFailed = (e: unknown) => failedWrite(e, tmpdir(), 'cannot buffer the output there');
  return {
    write: (chunk) => out.write(chunk).catch(bufferFailed),
    async commit() {
      if (closed) return; // committed or aborted already
      try {
        // The last chunks reach the buffer here: a full TMPDIR fails as a write to it does.
        await out.flush().catch(bufferFailed);
        await publish(handle, out.written);
      } finally {
        await close();
      }
    },
    abort: close,
  };
}

export interface OutputSink {
  write(block: Uint8Array): Promise<void>;
  end?(): Promise<void>;
}

/** Writes to a stream, waiting for each block to be taken (an EPIPE rejects). */
export function streamSink(stream: NodeJS.WritableStream): OutputSink {
  return {
    write: (block) =>
      new Promise<void>((ok, fail) => {
        // copyOut reuses its block, so hand the stream a copy.
        stream.write(Buffer.from(block), (e?: Error | null) => (e ? fail(e) : ok()));
      }),
  };
}

/**
 * Standard output (or any sink), all or nothing. A reader that went away (EPIPE: `| head`) took what
 * it wanted: the copy stops there and the commit succeeds, so the command goes on to what follows its
 * output (the history of `--db`, the exit code of `--fail-on` or of a failed account).
 */
export function pendingStream(sink: OutputSink): Promise<PendingFile> {
  return bufferedFor(async (from, length) => {
    try {
      await copyOut(from, length, (b) => sink.write(b));
      await sink.end?.();
    } catch (e) {
      if (!readerWentAway(e)) failedWrite(e, 'standard output');
    }
  });
}

/**
 * Text already whole in memory to standard output (or any sink): nothing to buffer first, so no
 * temporary file (and no usable TMPDIR) is needed. A reader that went away took what it wanted, as in
 * pendingStream; any other refusal is one line and exit 2.
 */
export async function writeWholeTo(sink: OutputSink, data: string | Uint8Array): Promise<void> {
  try {
    if (data.length > 0) await sink.write(typeof data === 'string' ? Buffer.from(data) : data);
    await sink.end?.();
  } catch (e) {
    if (!readerWentAway(e)) failedWrite(e, 'standard output');
  }
}

/** A pipe or FIFO whose reader closed it: EPIPE from a write, not a failure of the writer. */
function readerWentAway(e: unknown): boolean {
  return isSystemError(e) && e.code === 'EPIPE';
}

/** Writes `data` to `requested` under the rules above (the history database). */
export async function writeFileSafely(requested: string, data: string | Uint8Array): Promise<void> {
  await writeWhole(await openPendingFile(requested), data);
}

/** Writes `data` to a pending file and publishes it; on any failure, throws it away. */
export async function writeWhole(file: PendingFile, data: string | Uint8Array): Promise<void> {
  try {
    await file.write(data);
    await file.commit();
  } catch (e) {
    await file.abort();
    throw e;
  }
}

/**
 * A file descriptor to append to (the journal), readable: created 0600, a symbolic link refused
 * (O_NOFOLLOW), a missing folder exit 2 with one line.
 */
export function openAppendOnly(requested: string): number {
  try {
    return openSync(requested, APPEND_NO_FOLLOW, 0o600);
  } catch (e) {
    throw cannotWrite(e, requested);
  }
}
