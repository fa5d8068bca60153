/**
 * Collects the many small strings a streaming reporter makes into large chunks, and writes them in
 * order, one after another, while the next ones are built: the output file's writes overlap the audit
 * instead of pausing it, and a caller awaits once per batch of findings (`drained`), not once per
 * finding or per chunk.
 */
import type { WriteChunk } from './reporter.ts';

// The size the file writer (src/files/safe-write.ts) flushes at: larger chunks only add copies in
// memory (256 KiB chunks measured 157 MB peak RSS on the 1M-row audit, 64 KiB 116–130 MB).
const CHUNK_CHARS = 1 << 16;

// Chunks that may wait to be written while the next batch is built: the audit does not stop for each
// write's round trip through libuv's thread pool (the main thread sat idle ~8 % of a 200k-row audit).
const QUEUED_CHUNKS = 4;
const QUEUED_BLOCKS = 3;

export class BatchedWrite {
  private buffer = '';
  /** The last chunk's write; each write starts when the one before it is done. */
  private inFlight: Promise<void> = Promise.resolve();
  /** Chunks sent and maybe not yet written, oldest first. */
  private queued: Promise<void>[] = [];
  private holdsBlock = false;

  constructor(private readonly write: WriteChunk) {}

  /** Adds text; a full chunk is sent on its way (in order after the chunks before it). */
  add(text: string): void {
    this.buffer += text;
    if (this.buffer.length >= CHUNK_CHARS) this.send();
  }

  /** Adds bytes rendered elsewhere, written as they are after what was added before; then `written`. */
  addBytes(bytes: Uint8Array, written?: () => void): void {
    this.send();
    if (bytes.length === 0) {
      written?.();
      return;
    }
    this.holdsBlock = true;
    this.inFlight = this.inFlight.then(async () => {
      await this.write(bytes);
      written?.();
    });
    this.inFlight.catch(() => {});
    this.queued.push(this.inFlight);
  }

  /**
   * Back-pressure: resolves when at most QUEUED_CHUNKS chunks are still to be written (rejects if a
   * write failed). A streaming reporter calls it once per batch of findings.
   */
  async drained(): Promise<void> {
    // Blocks added whole (addBytes: a part of the report audit rendered on a thread, ~300 KB) wait
    // while QUEUED_BLOCKS are still to be written: with one, the main thread sat ~1.3 s of a 1M-row
    // audit waiting for each write's round trip through libuv's thread pool instead of auditing.
    const limit = this.holdsBlock ? QUEUED_BLOCKS : QUEUED_CHUNKS;
    this.holdsBlock = false;
    while (this.queued.length > limit) await this.queued.shift();
  }

  /** Writes what is gathered and waits until everything written so far is accepted. */
  async end(): Promise<void> {
    this.send();
    this.queued = [];
    await this.inFlight;
  }

  private send(): void {
    const chunk = this.buffer;
    this.buffer = '';
    if (chunk.length === 0) return;
    this.inFlight = this.inFlight.then(() => this.write(chunk));
    // Awaited by drained() or end(); until then a failed write must not count as unhandled.
    this.inFlight.catch(() => {});
    this.queued.push(this.inFlight);
  }
}
