/**
 * The bulk of a large output written past the page cache (Linux's O_DIRECT), for a file that is
 * flushed to disk before it is published anyway (./safe-write.ts): the bytes go from credsweep's own
 * buffer to the disk, with no copy into the kernel's cache and no cache pages to allocate, write back
 * and later drop.
 *
 * Why: the 1M-row report audit writes 635 MB of JSON. Through the page cache the kernel's copy into
 * freshly allocated cache pages took 0.2–2.9 s of CPU on the 2-core VM (it varied with whether the
 * hypervisor had to back the pages anew), competing with the audit's two threads; past it, 12–68 ms
 * (docs/performance.md).
 *
 * How: bytes are staged in two 1 MiB buffers aligned to 4 KiB (a WebAssembly memory: its base is
 * page-aligned, which a Buffer's is not), each written at a 4 KiB-aligned offset on libuv's thread
 * pool while the other fills, through a second descriptor of the same file opened with O_DIRECT
 * (`/proc/self/fd/N`: the open file itself, never a path someone could swap). What is not a whole 4 KiB
 * at the end is written through the ordinary descriptor. Where O_DIRECT is not to be had (not Linux,
 * no /proc, a file system that refuses it, no WebAssembly) `start` returns undefined and the caller
 * writes as before; a write the file system refuses for its alignment (EINVAL) is written through the
 * ordinary descriptor instead, and so is everything after it.
 */
import { closeSync, constants, write as fsWrite, openSync } from 'node:fs';

/** Offsets, lengths and the buffers' addresses are multiples of this (every disk's logical block, up to 4 KiB). */
export const DIRECT_ALIGN = 4096;
/** Each of the two stages (tests write across several). */
export const STAGE_BYTES = 1 << 20;

/** Writes `block` at `position` through the file's ordinary descriptor (all of it, or throws). */
export type WriteThrough = (block: Uint8Array, position: number) => Promise<void>;
/** One write through the O_DIRECT descriptor, on libuv's thread pool: the bytes it took. */
export type DirectWrite = (fd: number, block: Buffer, position: number) => Promise<number>;

const pwrite: DirectWrite = (fd, block, position) =>
  new Promise<number>((ok, fail) =>
    fsWrite(fd, block, 0, block.length, position, (e, n) => (e ? fail(e) : ok(n))),
  );

export class DirectWrites {
  private readonly stages: Buffer[];
  /** Each stage's write while it runs (a stage is filled again only once its write is done). */
  private readonly writing: (Promise<void> | undefined)[] = [undefined, undefined];
  private current = 0;
  private filled = 0;
  /** The file offset of the current stage's first byte (aligned). */
  private position: number;
  private fd: number | undefined;
  /** The file system refused a direct write: the rest goes through the ordinary descriptor. */
  private refused = false;
  private failure: unknown;
  /** Bytes written past the page cache (tests: that the direct path was taken). */
  directBytes = 0;

  private constructor(
    fd: number,
    memory: ArrayBuffer,
    position: number,
    private readonly writeThrough: WriteThrough,
    private readonly directWrite: DirectWrite,
  ) {
    this.fd = fd;
    this.stages = [Buffer.from(memory, 0, STAGE_BYTES), Buffer.from(memory, STAGE_BYTES, STAGE_BYTES)];
    this.position = position;
  }

  /**
   * Direct writes to the file open as `fd`, from `position` (a multiple of DIRECT_ALIGN) on;
   * undefined where they cannot be had. `directWrite`: tests put a file system's refusal in.
   */
  static start(
    fd: number,
    position: number,
    writeThrough: WriteThrough,
    directWrite: DirectWrite = pwrite,
  ): DirectWrites | undefined {
    if (process.platform !== 'linux' || constants.O_DIRECT === undefined || position % DIRECT_ALIGN !== 0)
      return undefined;
    let memory: ArrayBuffer;
    try {
      // 64 KiB pages; a memory's base is aligned to the system's page at least.
      memory = new WebAssembly.Memory({ initial: (2 * STAGE_BYTES) >> 16 }).buffer;
    } catch {
      return undefined; // no WebAssembly (--jitless), or no address space for it
    }
    let direct: number;
    try {
      direct = openSync(`/proc/self/fd/${fd}`, constants.O_WRONLY | constants.O_DIRECT);
    } catch {
      return undefined;
    }
    return new DirectWrites(direct, memory, position, writeThrough, directWrite);
  }

  /** Stages `bytes`; waits only when both stages are being written. */
  async add(bytes: Uint8Array): Promise<void> {
    this.throwFailure();
    for (let done = 0; done < bytes.length; ) {
      const stage = this.stages[this.current]!;
      const n = Math.min(bytes.length - done, STAGE_BYTES - this.filled);
      stage.set(bytes.subarray(done, done + n), this.filled);
      this.filled += n;
      done += n;
      if (this.filled === STAGE_BYTES) await this.nextStage();
    }
  }

  /** Writes what is staged and waits for every write; what is not a whole DIRECT_ALIGN goes through. */
  async finish(): Promise<void> {
    const whole = this.filled - (this.filled % DIRECT_ALIGN);
    const stage = this.stages[this.current]!;
    const tail = Buffer.from(stage.subarray(whole, this.filled));
    if (whole > 0) this.send(stage.subarray(0, whole), this.current);
    const tailAt = this.position + whole;
    this.filled = 0;
    await this.settle();
    try {
      this.throwFailure();
      if (tail.length > 0) await this.writeThrough(tail, tailAt);
    } finally {
      // Closed whether or not the output is whole: the caller lets go of this object before it
      // finishes (BlockWriter.sync), so an abort after a failure here could not close it.
      this.close();
    }
  }

  /** Waits for the writes under way (their failures kept for `finish`), then closes the descriptor. */
  async abandon(): Promise<void> {
    // Out of use first: an add under way (an abort comes while a chained write waits for a stage)
    // sends what it fills next through the ordinary descriptor. Had it a direct write start after
    // the wait below began, that write would run past the close, on a number the next open reuses.
    const fd = this.fd;
    this.fd = undefined;
    await this.settle();
    closeQuietly(fd);
  }

  private async nextStage(): Promise<void> {
    this.send(this.stages[this.current]!, this.current);
    this.position += STAGE_BYTES;
    this.current = 1 - this.current;
    this.filled = 0;
    await this.writing[this.current];
    this.throwFailure();
  }

  /** Starts writing stage `index`'s `block` at the current position. */
  private send(block: Buffer, index: number): void {
    const at = this.position;
    this.writing[index] = this.writeOut(block, at)
      .catch((e: unknown) => {
        this.failure ??= e;
      })
      .finally(() => {
        this.writing[index] = undefined;
      });
  }

  private async writeOut(block: Buffer, at: number): Promise<void> {
    let done = 0;
    if (!this.refused && this.fd !== undefined) {
      const fd = this.fd;
      try {
        // A direct write may take fewer bytes (a file-size limit, a full disk): the rest goes through,
        // which then fails with the system's error rather than the output being published short.
        done = await this.directWrite(fd, block, at);
        this.directBytes += done;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw e;
        this.refused = true;
      }
    }
    if (done < block.length) await this.writeThrough(block.subarray(done), at + done);
  }

  private async settle(): Promise<void> {
    await Promise.all(this.writing);
  }

  private close(): void {
    const fd = this.fd;
    this.fd = undefined;
    closeQuietly(fd);
  }

  private throwFailure(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

function closeQuietly(fd: number | undefined): void {
  if (fd === undefined) return;
  try {
    closeSync(fd);
  } catch {
    // written and waited for already: a second descriptor that fails to close loses nothing
  }
}
