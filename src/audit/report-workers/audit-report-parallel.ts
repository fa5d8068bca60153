/**
 * The credential report audit on worker threads. The main thread reads the file as bytes and cuts it
 * into parts of about PART_BYTES at account boundaries (cut-report.ts), counting each part's first
 * line; `threads - 1` workers and the main thread itself audit the parts (audit-part.ts), the main
 * thread taking one while the next in line is still with a worker (one worker fewer: ~30 MB less
 * peak RSS, and the main thread's code is warm), and hand back the findings rendered by the
 * reporter's per-finding text; the results come out in file order, a bounded number in flight. The
 * buffers go round (parts' bytes back to the cutter, written findings back to be rendered into
 * again), so memory stays flat.
 *
 * A part that failed throws its InputError when its turn comes, so the error is the first bad line in
 * file order, as the serial audit reports it. Where cutting does not apply (a file the cutter does not
 * read, no account boundary within MAX_PART_BYTES, a part a stray quote misaligned), the results end
 * with a `rest`: the caller reads the file from there with the serial code.
 */
import type { FileHandle } from 'node:fs/promises';
import { readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import { InternalError } from '../../errors.ts';
import {
  auditPart,
  inputErrorOf,
  keepSpareBuffer,
  type Part,
  type PartResult,
  type PartSetup,
} from './audit-part.ts';
import { countLineBreaks, findAccountCut, type ReportStart, readReportStart } from './cut-report.ts';
import { startWorkerBeside } from '../../threads/start-worker.ts';

/** The file from here on is for the serial code (offset 0: all of it). */
export interface RestOfReport {
  kind: 'rest';
  offset: number;
  /** The 1-based line at `offset`. */
  line: number;
  start?: ReportStart;
}

/** A part's findings; `release` once its bytes are written, so their buffer is filled again. */
export type ParallelOutput = (PartResult & { kind: 'done'; release(): void }) | RestOfReport;

export interface ParallelOptions {
  /** Threads auditing parts (≥ 2): this one and threads - 1 workers. */
  threads: number;
  /** The size a part is cut at (the next account boundary after it); tests make it small. */
  partBytes?: number;
  /** Audits a part instead of a worker thread (tests: on this thread, finishing in any order). */
  runPart?: (part: Part, setup: PartSetup) => Promise<PartResult>;
}

interface PartRunner {
  run(part: Part): Promise<PartResult>;
  /** A buffer for a worker to render into (transferred). */
  giveSpare(buffer: ArrayBuffer): void;
  /** Parts sent and not yet back. */
  waiting(): number;
  close(): Promise<void>;
}

/** A part in file order: audited by a worker (`pending`), or by this thread (`part`, then `result`). */
interface QueuedPart {
  offset: number;
  line: number;
  pending?: Promise<PartResult>;
  part?: Part;
  result?: PartResult;
}

/** Parts per worker at once: the one it audits and the next, so it never waits for this thread. */
const WORKER_DEPTH = 2;
/**
 * Parts cut ahead beyond the workers' (for this thread to take): with 2, this thread, having audited
 * them, often waited for a worker's part to come back first (~1 s of a 1M-row audit on a busy machine).
 */
const MAIN_DEPTH = 4;
/** Buffers of parts audited, kept to read the next parts into. */
const MAX_SPARE_PARTS = 8;

// Parts of 64 KiB, cut at the next account boundary after it (~2 000 parts for the 1M-row bench
// report, one 500-user account each): each part's findings are ~2.8× its size as JSON, and a few
// parts are held at once; with 2 MiB parts the 1M-row audit peaked at 200-260 MB RSS, with 1 MiB
// 160-180 MB, 512 KiB 141-145 MB, 256 KiB 146-152 MB, 64 KiB 136-144 MB, and 64 KiB took no more
// CPU than 256 KiB (10.3-12.2 s against 11.4-12.7 s; 32 KiB no better), the worker's start-up aside.
const PART_BYTES = 64 << 10;
// An account (IAM: at most 5 000 users, ~1.2 MB) always ends well within this; a file where none
// does (no account boundary, or a quote never closed) is read serially from there on, so a worker
// never holds more than this part's principals (within WORKER_LIMITS' old generation).
const MAX_PART_BYTES = 4 << 20;
const HEAD_BYTES = 1 << 16;
/**
 * A worker audits one part at a time: its bytes, their text, one account's principals and the
 * part's rendered findings. The young generation is the trade between memory and the collector: an
 * account's principals outlive a 4 MB one (GC was 37 % of the worker's time, 884 ms of a 20 MB
 * report), 16 MB took GC to 15 % but the 1M-row audit's peak RSS past 150 MB; 8 MB is between. The
 * old generation only grows as far as a large part needs (up to MAX_PART_BYTES).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 128 };

export async function* auditReportOnWorkers(
  file: string,
  setup: Omit<PartSetup, 'start'>,
  options: ParallelOptions,
): AsyncGenerator<ParallelOutput> {
  const handle = await open(file, 'r');
  let runner: PartRunner | undefined;
  try {
    const head = Buffer.allocUnsafe(HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
    const start = readReportStart(head.subarray(0, bytesRead));
    if (!start) {
      yield { kind: 'rest', offset: 0, line: 1 };
      return;
    }
    const cutter = new PartCutter(handle, start, options.partBytes ?? PART_BYTES);
    const partSetup: PartSetup = { ...setup, start };
    const workers = options.threads - 1;
    /** A part audited on this thread; its buffer goes back to the cutter. */
    const auditHere = (part: Part): PartResult => {
      const result = auditPart(part, partSetup);
      cutter.recycle(part.bytes.buffer as ArrayBuffer);
      return result;
    };
    const queue: QueuedPart[] = [];
    let rest: RestOfReport | undefined;
    let read = false;
    for (;;) {
      while (!read && !rest && queue.length < workers * WORKER_DEPTH + MAIN_DEPTH) {
        const next = cutter.next();
        if (next === undefined) read = true;
        else if ('kind' in next) rest = { ...next, start };
        else if (queue.length === 0 && next.offset === 0 && next.last) {
          rest = { kind: 'rest', offset: 0, line: 1 }; // one part: not worth a worker
        } else queue.push({ offset: next.offset, line: next.line, part: next });
      }
      const head = queue[0];
      if (!head) break;
      // Each worker keeps one part queued behind the one it audits, the earliest parts not taken.
      runner ??= partRunner(options, workers, partSetup, (input) => cutter.recycle(input));
      for (const q of queue) {
        if (runner.waiting() >= workers * WORKER_DEPTH) break;
        if (q.part && q !== head) {
          q.pending = runner.run(q.part);
          q.part = undefined;
        }
      }
      if (!head.part && !head.result) {
        // While the head is with a worker, this thread audits the next part nobody has taken.
        const own = queue.find((q) => q.part);
        if (own) {
          own.result = auditHere(own.part!);
          own.part = undefined;
          // Let the workers' replies in before the next turn.
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
      }
      queue.shift();
      let result: PartResult;
      if (head.part) result = auditHere(head.part);
      else result = head.result ?? (await head.pending!);
      if (result.kind === 'failed') throw inputErrorOf(result.error);
      if (result.kind === 'unaligned') {
        yield { kind: 'rest', offset: head.offset, line: head.line, start };
        return;
      }
      const buffer = result.rendered.buffer as ArrayBuffer;
      const spareTo = runner;
      yield { ...result, release: () => keepSpareBuffer(buffer) || spareTo?.giveSpare(buffer) };
    }
    if (rest) yield rest;
  } finally {
    await runner?.close();
    await handle.close();
  }
}

/** Reads the file and cuts it into parts, each in its own buffer (transferred to a worker). */
class PartCutter {
  private buffer: Buffer;
  private filled = 0;
  private offset = 0;
  private line = 1;
  private atEnd = false;
  /** Buffers of parts audited, to read the next parts into (see keepSpareBuffer). */
  private spares: ArrayBuffer[] = [];

  constructor(
    private readonly handle: FileHandle,
    private readonly start: ReportStart,
    private readonly partBytes: number,
  ) {
    // Room for a part and the rest of its last account (an account is ~115 KB in the bench report,
    // 500 users): with less, the cut was looked for twice, the buffer grown in between.
    this.buffer = Buffer.allocUnsafeSlow(partBytes * 3);
  }

  /** The next part; a rest when no cut can be found; undefined at the end of the file. */
  next(): Part | Omit<RestOfReport, 'start'> | undefined {
    this.fill();
    if (this.filled === 0) return undefined;
    let cut = findAccountCut(this.buffer.subarray(0, this.filled), this.partBytes, this.start);
    while (cut === -1 && !this.atEnd) {
      if (this.buffer.length >= MAX_PART_BYTES) return { kind: 'rest', offset: this.offset, line: this.line };
      this.grow();
      this.fill();
      cut = findAccountCut(this.buffer.subarray(0, this.filled), this.partBytes, this.start);
    }
    const end = cut === -1 ? this.filled : cut;
    const part: Part = {
      bytes: this.buffer.subarray(0, end),
      offset: this.offset,
      line: this.line,
      last: cut === -1,
    };
    const spare = this.spares.pop();
    const next =
      spare && spare.byteLength >= this.buffer.length
        ? Buffer.from(spare)
        : Buffer.allocUnsafeSlow(this.buffer.length);
    this.buffer.copy(next, 0, end, this.filled);
    this.line += countLineBreaks(part.bytes);
    this.offset += end;
    this.filled -= end;
    this.buffer = next;
    return part;
  }

  /** A part's buffer, done with. */
  recycle(buffer: ArrayBuffer): void {
    // Room for every part that can be out at once (see keepSpareBuffer).
    if (this.spares.length < MAX_SPARE_PARTS) this.spares.push(buffer);
  }

  private grow(): void {
    const bigger = Buffer.allocUnsafeSlow(Math.min(MAX_PART_BYTES, this.buffer.length * 2));
    this.buffer.copy(bigger, 0, 0, this.filled);
    this.buffer = bigger;
  }

  /**
   * Reads synchronously: from the page cache a part's read takes tens of microseconds, where each
   * awaited read went through libuv's thread pool and back, and on a busy machine the main thread
   * sat ~3 s of a 1M-row audit waiting for those hops instead of auditing (the workers keep their
   * queued parts meanwhile).
   */
  private fill(): void {
    while (!this.atEnd && this.filled < this.buffer.length) {
      const position = this.offset + this.filled;
      const bytesRead = readSync(
        this.handle.fd,
        this.buffer,
        this.filled,
        this.buffer.length - this.filled,
        position,
      );
      if (bytesRead === 0) this.atEnd = true;
      this.filled += bytesRead;
    }
  }
}

function partRunner(
  options: ParallelOptions,
  workers: number,
  setup: PartSetup,
  recycle: (input: ArrayBuffer) => void,
): PartRunner {
  const runPart = options.runPart;
  if (!runPart) return new WorkerPool(workers, setup, recycle);
  let waiting = 0;
  return {
    run(part) {
      waiting++;
      const result = runPart(part, setup).finally(() => waiting--);
      result.catch(() => {});
      return result;
    },
    waiting: () => waiting,
    giveSpare: () => {},
    close: async () => {},
  };
}

type Reply = { id: number; result: PartResult; input: Uint8Array } | { id: number; crash: string };

/** Workers that each audit one part at a time; a part goes to the one with the fewest waiting. */
class WorkerPool implements PartRunner {
  private readonly workers: { worker: Worker; waiting: Map<number, Pending> }[] = [];
  private nextId = 0;
  private failure: Error | undefined;
  private spareTo = 0;

  constructor(count: number, setup: PartSetup, recycle: (input: ArrayBuffer) => void) {
    for (let i = 0; i < count; i++) {
      const worker = startWorker(setup);
      const waiting = new Map<number, Pending>();
      const fail = (e: Error) => {
        this.failure ??= e;
        for (const p of waiting.values()) p.reject(e);
        waiting.clear();
      };
      worker.on('message', (reply: Reply) => {
        const pending = waiting.get(reply.id);
        waiting.delete(reply.id);
        if ('crash' in reply) pending?.reject(new InternalError(`report audit worker: ${reply.crash}`));
        else {
          recycle(reply.input.buffer as ArrayBuffer);
          pending?.resolve(reply.result);
        }
      });
      worker.on('error', (e) => fail(new InternalError(`report audit worker: ${e.stack ?? e.message}`)));
      worker.on('exit', (code) => fail(new InternalError(`report audit worker exited early (code ${code})`)));
      this.workers.push({ worker, waiting });
    }
  }

  giveSpare(buffer: ArrayBuffer): void {
    const { worker } = this.workers[this.spareTo++ % this.workers.length]!;
    worker.postMessage({ spare: buffer }, [buffer]);
  }

  waiting(): number {
    return this.workers.reduce((sum, w) => sum + w.waiting.size, 0);
  }

  run(part: Part): Promise<PartResult> {
    if (this.failure) {
      const failed = Promise.reject(this.failure);
      failed.catch(() => {});
      return failed;
    }
    const target = this.workers.reduce((a, b) => (b.waiting.size < a.waiting.size ? b : a));
    const id = this.nextId++;
    const result = new Promise<PartResult>((resolve, reject) => target.waiting.set(id, { resolve, reject }));
    // The caller awaits results in order; one rejected out of turn must not count as unhandled.
    result.catch(() => {});
    target.worker.postMessage({ id, part }, [part.bytes.buffer as ArrayBuffer]);
    return result;
  }

  async close(): Promise<void> {
    for (const { worker } of this.workers) worker.removeAllListeners('exit');
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }
}

interface Pending {
  resolve(result: PartResult): void;
  reject(e: Error): void;
}

function startWorker(setup: PartSetup): Worker {
  return startWorkerBeside(import.meta.url, 'part-worker', {
    workerData: setup,
    resourceLimits: WORKER_LIMITS,
  });
}
