/**
 * The credential report audit on worker threads. The main thread reads the file as bytes and cuts it
 * into parts of about PART_BYTES at account boundaries (cut-report.ts), counting each part's first
 * line; workers audit the parts (audit-part.ts) and hand back the findings rendered by the
 * reporter's per-finding text; the results come out in file order, a bounded number in flight.
 *
 * A part that failed throws its InputError when its turn comes, so the error is the first bad line in
 * file order, as the serial audit reports it. Where cutting does not apply (a file the cutter does not
 * read, no account boundary within MAX_PART_BYTES, a part a stray quote misaligned), the results end
 * with a `rest`: the caller reads the file from there with the serial code.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { InternalError } from '../../errors.ts';
import { inputErrorOf, type Part, type PartResult, type PartSetup } from './audit-part.ts';
import { countLineBreaks, findAccountCut, type ReportStart, readReportStart } from './cut-report.ts';

/** The file from here on is for the serial code (offset 0: all of it). */
export interface RestOfReport {
  kind: 'rest';
  offset: number;
  /** The 1-based line at `offset`. */
  line: number;
  start?: ReportStart;
}

export type ParallelOutput = (PartResult & { kind: 'done' }) | RestOfReport;

export interface ParallelOptions {
  /** Worker threads (≥ 1). */
  workers: number;
  /** The size a part is cut at (the next account boundary after it); tests make it small. */
  partBytes?: number;
  /** Audits a part instead of a worker thread (tests: on this thread, finishing in any order). */
  runPart?: (part: Part, setup: PartSetup) => Promise<PartResult>;
}

interface PartRunner {
  run(part: Part): Promise<PartResult>;
  close(): Promise<void>;
}

// Parts of 2 MiB: ~115 for the 1M-row bench report, whose messages cost nothing next to the audit;
// larger parts only hold more memory (each part's findings are ~2.7× its size as JSON).
const PART_BYTES = 2 << 20;
// An account (IAM: at most 5 000 users, ~1.2 MB) always ends well within this; a file where none
// does (no account boundary, or a quote never closed) is read serially from there on.
const MAX_PART_BYTES = 32 << 20;
const HEAD_BYTES = 1 << 16;
/**
 * A worker audits one part at a time: its bytes, their text, one account's rows and the part's
 * rendered findings. Bounded heaps make V8 collect early (the process stays ≤ 150 MB peak RSS).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 96 };

export async function* auditReportOnWorkers(
  file: string,
  setup: Omit<PartSetup, 'start'>,
  options: ParallelOptions,
): AsyncGenerator<ParallelOutput> {
  const handle = await open(file, 'r');
  let pool: PartRunner | undefined;
  try {
    const head = Buffer.allocUnsafe(HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
    const start = readReportStart(head.subarray(0, bytesRead));
    if (!start) {
      yield { kind: 'rest', offset: 0, line: 1 };
      return;
    }
    const cutter = new PartCutter(handle, start, options.partBytes ?? PART_BYTES);
    const inFlight = options.workers * 2 + 1;
    const queue: { part: { offset: number; line: number }; result: Promise<PartResult> }[] = [];
    let rest: RestOfReport | undefined;
    let read = false;
    for (;;) {
      while (!read && !rest && queue.length < inFlight) {
        const next = await cutter.next();
        if (next === undefined) read = true;
        else if ('kind' in next) rest = { ...next, start };
        else if (queue.length === 0 && next.offset === 0 && next.last) {
          rest = { kind: 'rest', offset: 0, line: 1 }; // one part: not worth a worker
        } else {
          pool ??= partRunner(options, { ...setup, start });
          queue.push({ part: { offset: next.offset, line: next.line }, result: pool.run(next) });
        }
      }
      const first = queue.shift();
      if (!first) break;
      const result = await first.result;
      if (result.kind === 'failed') throw inputErrorOf(result.error);
      if (result.kind === 'unaligned') {
        yield { kind: 'rest', ...first.part, start };
        return;
      }
      yield result;
    }
    if (rest) yield rest;
  } finally {
    await pool?.close();
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

  constructor(
    private readonly handle: FileHandle,
    private readonly start: ReportStart,
    private readonly partBytes: number,
  ) {
    this.buffer = Buffer.allocUnsafeSlow(partBytes + (partBytes >> 1));
  }

  /** The next part; a rest when no cut can be found; undefined at the end of the file. */
  async next(): Promise<Part | Omit<RestOfReport, 'start'> | undefined> {
    await this.fill();
    if (this.filled === 0) return undefined;
    let cut = findAccountCut(this.buffer.subarray(0, this.filled), this.partBytes, this.start);
    while (cut === -1 && !this.atEnd) {
      if (this.buffer.length >= MAX_PART_BYTES) return { kind: 'rest', offset: this.offset, line: this.line };
      this.grow();
      await this.fill();
      cut = findAccountCut(this.buffer.subarray(0, this.filled), this.partBytes, this.start);
    }
    const end = cut === -1 ? this.filled : cut;
    const part: Part = {
      bytes: this.buffer.subarray(0, end),
      offset: this.offset,
      line: this.line,
      last: cut === -1,
    };
    const next = Buffer.allocUnsafeSlow(this.buffer.length);
    this.buffer.copy(next, 0, end, this.filled);
    this.line += countLineBreaks(part.bytes);
    this.offset += end;
    this.filled -= end;
    this.buffer = next;
    return part;
  }

  private grow(): void {
    const bigger = Buffer.allocUnsafeSlow(Math.min(MAX_PART_BYTES, this.buffer.length * 2));
    this.buffer.copy(bigger, 0, 0, this.filled);
    this.buffer = bigger;
  }

  private async fill(): Promise<void> {
    while (!this.atEnd && this.filled < this.buffer.length) {
      const position = this.offset + this.filled;
      const { bytesRead } = await this.handle.read(
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

function partRunner(options: ParallelOptions, setup: PartSetup): PartRunner {
  const runPart = options.runPart;
  if (!runPart) return new WorkerPool(options.workers, setup);
  return {
    run(part) {
      const result = runPart(part, setup);
      result.catch(() => {});
      return result;
    },
    close: async () => {},
  };
}

type Reply = { id: number; result: PartResult } | { id: number; crash: string };

/** Workers that each audit one part at a time; a part goes to the one with the fewest waiting. */
class WorkerPool implements PartRunner {
  private readonly workers: { worker: Worker; waiting: Map<number, Pending> }[] = [];
  private nextId = 0;
  private failure: Error | undefined;

  constructor(count: number, setup: PartSetup) {
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
        else pending?.resolve(reply.result);
      });
      worker.on('error', (e) => fail(new InternalError(`report audit worker: ${e.stack ?? e.message}`)));
      worker.on('exit', (code) => fail(new InternalError(`report audit worker exited early (code ${code})`)));
      this.workers.push({ worker, waiting });
    }
  }

  run(part: Part): Promise<PartResult> {
    if (this.failure) return Promise.reject(this.failure);
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
  const options = { workerData: setup, resourceLimits: WORKER_LIMITS };
  if (import.meta.url.endsWith('.js'))
    return new Worker(new URL('./part-worker.js', import.meta.url), options);
  // Run from source (tests, benchmarks under tsx): load tsx in the worker first, since Node 20 does
  // not pass the parent's module hooks on to worker threads (as src/sources/cloudtrail/scan.ts).
  const source = new URL('./part-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(boot, { ...options, eval: true });
}
