/**
 * A streaming JSON scanner that finds CloudTrail records and the byte spans of the dozen fields the
 * aggregation needs, without materialising anything else. A full JSON.parse of every record costs
 * about three times the gzip decompression (issue 5); this walks the bytes once, validates the
 * structure (so a broken file is still reported as broken), and leaves strings as spans.
 *
 * The byte loop itself is WebAssembly (scan-json.as.ts, embedded by `npm run wasm`): a JavaScript
 * loop that merely touches every byte already costs more than gunzip on this data, while the
 * module's vector compares cross a string's contents 16 bytes at a time. This file is its API: the
 * copy in, the record table out, errors as JsonScanError with their byte positions.
 *
 * Accepted shapes: the native `{"Records":[…]}` file, a bare array of records, JSON lines (any
 * sequence of top-level record objects), and `aws cloudtrail lookup-events` output (`{"Events":[…]}`
 * or its lines), whose records sit as JSON text in `CloudTrailEvent` (docs/aws-behaviour.md §4.4).
 *
 * Chunks may split anything: when a chunk ends inside a record, the scanner asks for the bytes from
 * the record's start again together with the next chunk, so a record is always scanned from one
 * buffer. Memory is therefore one chunk plus one record, whatever the file size.
 */

import { SCAN_JSON_WASM_BASE64 } from './scan-json.wasm.ts';

/** Field ids: positions in the span array. */
export const F = {
  eventTime: 0,
  eventSource: 1,
  eventName: 2,
  awsRegion: 3,
  sourceIPAddress: 4,
  errorCode: 5,
  cloudTrailEvent: 6,
  identityType: 7,
  identityArn: 8,
  accessKeyId: 9,
  principalId: 10,
  invokedBy: 11,
  roleArn: 12,
  consoleLogin: 13,
} as const;
export const FIELD_COUNT = 14;
/** spans[2k] = start, spans[2k+1] = end (exclusive) of field k's string contents, or -1. */
export const SPAN_ESCAPED = FIELD_COUNT * 2; // bit k set: field k contains a backslash escape
export const SPAN_HAS_EVENT_NAME = FIELD_COUNT * 2 + 1; // 1 when the record has an eventName key
const SPAN_LENGTH = FIELD_COUNT * 2 + 2;

/**
 * Called once per record with the buffer it lies in and the span table, the record's spans starting
 * at `at` (spans[at + 2k] is field k's start…); both are valid during the call only.
 */
export type RecordHandler = (buf: Buffer, spans: Int32Array, at: number) => void;

export class JsonScanError extends Error {}

interface ScannerExports {
  memory: WebAssembly.Memory;
  /** The address of the status block (slots below). */
  status(): number;
  pagesNeeded(n: number): number;
  reset(): void;
  scan(n: number, from: number, final: number, atStart: number): number;
}

// The status block's i32 slots (scan-json.as.ts): what the last call left, then the layout.
const STATUS_RECORDS = 0;
const STATUS_POSITION = 1;
const STATUS_ERROR = 2;
const STATUS_ERROR_END = 3;
const STATUS_INPUT_OFFSET = 4;
const STATUS_TABLE_OFFSET = 5;
const STATUS_TABLE_RECORDS = 6;
const STATUS_PADDING = 7;

// scan() results and error codes: the constants of scan-json.as.ts.
const TABLE_FULL = 1;
const FAILED = 2;
const MESSAGES: Record<number, string> = {
  1: "expected ':'",
  2: "expected ',' or a closing bracket",
  3: 'not a CloudTrail file: a value where a record belongs is not an object',
  4: 'nested too deeply',
  5: "unexpected '}'",
  6: "unexpected ']'",
  7: 'expected a value',
  8: "unexpected ','",
  9: "unexpected ':'",
};
const E_UNEXPECTED_CHARACTER = 10;
const E_BAD_LITERAL = 11;
const E_TRUNCATED = 12;
const E_EMPTY = 13;
const E_INTERNAL_CHECKPOINT = 14;

let compiled: WebAssembly.Module | undefined;
/** Idle module instances of this thread (each has its own memory and parser state). */
const idle: ScannerInstance[] = [];
const MAX_IDLE = 4;
/** An instance whose memory grew past this is not kept for reuse (WebAssembly memory never shrinks). */
const MAX_IDLE_BYTES = 64 * 1024 * 1024;

class ScannerInstance {
  readonly x: ScannerExports;
  readonly inputOffset: number;
  readonly tableOffset: number;
  readonly tableRecords: number;
  readonly padding: number;

  constructor() {
    compiled ??= new WebAssembly.Module(Buffer.from(SCAN_JSON_WASM_BASE64, 'base64'));
    this.x = new WebAssembly.Instance(compiled, {}).exports as unknown as ScannerExports;
    const status = this.status();
    this.inputOffset = status[STATUS_INPUT_OFFSET]!;
    this.tableOffset = status[STATUS_TABLE_OFFSET]!;
    this.tableRecords = status[STATUS_TABLE_RECORDS]!;
    this.padding = status[STATUS_PADDING]!;
  }

  /** The status block (a fresh view: growing the memory detaches the old one). */
  status(): Int32Array {
    return new Int32Array(this.x.memory.buffer, this.x.status(), 8);
  }

  /** Copies `buf` in as the input (padded with quote bytes) and returns a view of it. */
  load(buf: Uint8Array): Buffer {
    const grow = this.x.pagesNeeded(buf.length);
    if (grow > 0) {
      try {
        this.x.memory.grow(grow);
      } catch {
        // WebAssembly memory ends at 4 GiB (and the engine may refuse earlier): a bad file, not a crash
        throw new JsonScanError(`a record too large to scan (${buf.length} bytes in one piece)`);
      }
    }
    const memory = this.x.memory.buffer;
    const bytes = new Uint8Array(memory);
    bytes.set(buf, this.inputOffset);
    bytes.fill(0x22, this.inputOffset + buf.length, this.inputOffset + buf.length + this.padding);
    return Buffer.from(memory, this.inputOffset, buf.length);
  }

  table(): Int32Array {
    return new Int32Array(this.x.memory.buffer, this.tableOffset, this.tableRecords * SPAN_LENGTH);
  }
}

function acquire(): ScannerInstance {
  const instance = idle.pop() ?? new ScannerInstance();
  instance.x.reset();
  return instance;
}

function release(instance: ScannerInstance): void {
  if (idle.length < MAX_IDLE && instance.x.memory.buffer.byteLength <= MAX_IDLE_BYTES) idle.push(instance);
}

export class CloudTrailJsonScanner {
  private instance: ScannerInstance | undefined;
  /** Bytes of the input before the current buffer (for error positions and the byte order mark). */
  private offset = 0;
  /** Records seen so far. */
  records = 0;

  constructor(private readonly onRecord: RecordHandler) {}

  /**
   * Scans `buf` and returns how many bytes it consumed; the caller passes the rest again, in front of
   * the next chunk. With `final`, everything must be consumed and the document complete. A scan
   * never stops inside a record or a token: it rewinds to the last point outside one.
   */
  scan(buf: Uint8Array, final: boolean): number {
    this.instance ??= acquire();
    const instance = this.instance;
    let done = false;
    try {
      const consumed = this.scanWith(instance, buf, final);
      done = final;
      return consumed;
    } catch (e) {
      done = true;
      throw e;
    } finally {
      if (done) {
        this.instance = undefined;
        release(instance);
      }
    }
  }

  private scanWith(instance: ScannerInstance, buf: Uint8Array, final: boolean): number {
    const input = instance.load(buf);
    let from = 0;
    for (;;) {
      const result = instance.x.scan(buf.length, from, final ? 1 : 0, this.offset === 0 ? 1 : 0);
      const status = instance.status();
      const count = status[STATUS_RECORDS]!;
      if (count > 0) {
        const table = instance.table();
        for (let r = 0; r < count; r++) {
          this.records += 1;
          this.onRecord(input, table, r * SPAN_LENGTH);
        }
      }
      if (result === FAILED) throw new JsonScanError(this.message(status, input));
      if (result === TABLE_FULL) {
        from = status[STATUS_POSITION]!;
        continue;
      }
      const consumed = status[STATUS_POSITION]!;
      this.offset += consumed;
      return consumed;
    }
  }

  private message(status: Int32Array, input: Buffer): string {
    const code = status[STATUS_ERROR]!;
    const at = status[STATUS_POSITION]!;
    if (code === E_TRUNCATED) return 'truncated JSON: the input ends inside a value';
    if (code === E_EMPTY) return 'empty: no JSON value';
    if (code === E_INTERNAL_CHECKPOINT) return 'internal: checkpoint after a key';
    let what = MESSAGES[code];
    if (code === E_UNEXPECTED_CHARACTER) what = `unexpected character '${String.fromCharCode(input[at]!)}'`;
    else if (code === E_BAD_LITERAL)
      what = `unexpected '${input.toString('latin1', at, Math.min(status[STATUS_ERROR_END]!, at + 20))}'`;
    return `invalid JSON at byte ${this.offset + at}: ${what ?? `error ${code}`}`;
  }
}
