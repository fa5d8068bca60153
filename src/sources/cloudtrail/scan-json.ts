/**
 * A streaming JSON scanner that finds CloudTrail records and the byte spans of the dozen fields the
 * aggregation needs, without materialising anything else. A full JSON.parse of every record costs
 * about three times the gzip decompression (issue 5); this walks the bytes once, validates the
 * structure (so a broken file is still reported as broken), and leaves strings as spans.
 *
 * Accepted shapes: the native `{"Records":[…]}` file, a bare array of records, JSON lines (any
 * sequence of top-level record objects), and `aws cloudtrail lookup-events` output (`{"Events":[…]}`
 * or its lines), whose records sit as JSON text in `CloudTrailEvent` (AWS-SEMANTICS §4.4).
 *
 * Chunks may split anything: when a chunk ends inside a record, the scanner asks for the bytes from
 * the record's start again together with the next chunk, so a record is always scanned from one
 * buffer. Memory is therefore one chunk plus one record, whatever the file size.
 */

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

/** Called once per record with the buffer it lies in and its field spans (valid during the call). */
export type RecordHandler = (buf: Buffer, spans: Int32Array) => void;

export class JsonScanError extends Error {}

const SECTION_USER_IDENTITY = 1;
const SECTION_REQUEST = 2;
const SECTION_RESPONSE = 3;
const SECTION_WRAPPER = 4; // pseudo-section: the value of Records/Events in a top-level object

// What the grammar allows next.
const W_TOP = 0; // a top-level value or the end
const W_VALUE = 1; // a value (after ':')
const W_VALUE_OR_CLOSE = 2; // after '['
const W_KEY_OR_CLOSE = 3; // after '{'
const W_KEY = 4; // after ',' in an object
const W_COLON = 5; // after a key
const W_COMMA_OR_CLOSE = 6; // after a value inside a container

const OBJ = 1;
const ARR = 2;
const MAX_DEPTH = 512;

// Key lookup without a loop over candidates: a slot from (length, one distinguishing byte), then
// one byte comparison to confirm. Runs for every key at record level, so it has to be cheap.
type KeyTable = { slots: Int8Array; names: Buffer[]; ids: number[] };
function keyTable(entries: Array<[string, number]>): KeyTable {
  const table: KeyTable = { slots: new Int8Array(4096).fill(-1), names: [], ids: [] };
  for (const [name, id] of entries) {
    const b = Buffer.from(name, 'latin1');
    const slot = keySlot(b, 0, b.length);
    if (table.slots[slot] !== -1) throw new Error(`key table collision: ${name}`);
    table.slots[slot] = table.names.length;
    table.names.push(b);
    table.ids.push(id);
  }
  return table;
}
function keySlot(buf: Uint8Array, start: number, len: number): number {
  return ((len & 31) << 7) | (buf[start + (len > 5 ? 5 : len - 1)]! & 127);
}
/** The id of the key in buf[start, end), or NO_KEY. */
function matchKey(buf: Buffer, start: number, end: number, table: KeyTable): number {
  const len = end - start;
  if (len === 0) return NO_KEY;
  const at = table.slots[keySlot(buf, start, len)]!;
  if (at < 0) return NO_KEY;
  const name = table.names[at]!;
  if (name.length !== len) return NO_KEY;
  for (let k = 0; k < len; k++) if (buf[start + k] !== name[k]) return NO_KEY;
  return table.ids[at]!;
}
const NO_KEY = 0x7fffffff;
const RECORD_KEYS = keyTable([
  ['eventTime', F.eventTime],
  ['eventSource', F.eventSource],
  ['eventName', F.eventName],
  ['awsRegion', F.awsRegion],
  ['sourceIPAddress', F.sourceIPAddress],
  ['errorCode', F.errorCode],
  ['CloudTrailEvent', F.cloudTrailEvent],
  ['userIdentity', -SECTION_USER_IDENTITY],
  ['requestParameters', -SECTION_REQUEST],
  ['responseElements', -SECTION_RESPONSE],
]);
const WRAPPER_KEYS = keyTable([
  ['Records', -SECTION_WRAPPER],
  ['Events', -SECTION_WRAPPER],
]);
const SECTION_KEYS: Record<number, KeyTable> = {
  [SECTION_USER_IDENTITY]: keyTable([
    ['type', F.identityType],
    ['arn', F.identityArn],
    ['accessKeyId', F.accessKeyId],
    ['principalId', F.principalId],
    ['invokedBy', F.invokedBy],
  ]),
  [SECTION_REQUEST]: keyTable([['roleArn', F.roleArn]]),
  [SECTION_RESPONSE]: keyTable([['ConsoleLogin', F.consoleLogin]]),
};

const LITERAL = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)$/;

export class CloudTrailJsonScanner {
  private readonly stack = new Uint8Array(MAX_DEPTH + 2);
  private readonly spans = new Int32Array(SPAN_LENGTH);
  // The parser state between calls. In `scan` it lives in locals (V8 keeps those in registers).
  private depth = 0;
  private want = W_TOP;
  /** Depth inside the container whose object elements are records (0: the top level). */
  private containerDepth = 0;
  private inContainer = true;
  /** The top-level object is a `{"Records":[…]}` wrapper, not a record. */
  private wrapper = false;
  private sawValue = false;
  /** Bytes of the input before the current buffer (for error positions). */
  private offset = 0;
  /** Records seen so far. */
  records = 0;

  constructor(private readonly onRecord: RecordHandler) {}

  /**
   * Scans `buf` and returns how many bytes it consumed; the caller passes the rest again, in front of
   * the next chunk. With `final`, everything must be consumed and the document complete. A scan
   * never stops inside a record or a token: it rewinds to the last point outside one.
   */
  scan(buf: Buffer, final: boolean): number {
    const n = buf.length;
    const stack = this.stack;
    const spans = this.spans;
    let depth = this.depth;
    let want = this.want;
    let containerDepth = this.containerDepth;
    let inContainer = this.inContainer;
    let wrapper = this.wrapper;
    let inRecord = false;
    let R = 0;
    let section = 0;
    let pending = -1;
    let pendingSection = 0;
    // checkpoint: the state before the first token not yet fully consumed outside a record
    let cpPos = 0;
    let cpDepth = depth;
    let cpWant = want;
    let cpContainerDepth = containerDepth;
    let cpInContainer = inContainer;
    let cpWrapper = wrapper;
    let cpPending = pending;
    let cpPendingSection = pendingSection;
    let i = 0;
    // a UTF-8 byte order mark (Windows tools write one) before the document
    if (this.offset === 0 && n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
    let error: string | null = null;
    let truncated = false;

    scan: while (i < n) {
      const c = buf[i]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        i++;
        continue;
      }
      if (!inRecord) {
        cpPos = i;
        cpDepth = depth;
        cpWant = want;
        cpContainerDepth = containerDepth;
        cpInContainer = inContainer;
        cpWrapper = wrapper;
        cpPending = pending;
        cpPendingSection = pendingSection;
      }
      if (c === 0x22) {
        // a string: find its end, noting escapes
        let j = i + 1;
        let escaped = 0;
        for (;;) {
          if (j >= n) {
            truncated = true;
            break scan;
          }
          const d = buf[j]!;
          if (d === 0x22) break;
          if (d === 0x5c) {
            escaped = 1;
            j += 2;
          } else {
            j++;
          }
        }
        const start = i + 1;
        if (want === W_KEY_OR_CLOSE || want === W_KEY) {
          want = W_COLON;
          pending = -1;
          pendingSection = 0;
          if (inRecord) {
            if (depth === R) {
              const id = matchKey(buf, start, j, RECORD_KEYS);
              if (id >= 0 && id < FIELD_COUNT) {
                pending = id;
                if (id === F.eventName) spans[SPAN_HAS_EVENT_NAME] = 1;
              } else if (id < 0) pendingSection = -id;
              else if (depth === 1 && matchKey(buf, start, j, WRAPPER_KEYS) < 0)
                pendingSection = SECTION_WRAPPER;
            } else if (depth === R + 1 && section !== 0) {
              const id = matchKey(buf, start, j, SECTION_KEYS[section]!);
              if (id < FIELD_COUNT) pending = id;
            }
          }
          i = j + 1;
          if (buf[i] === 0x3a) {
            // compact JSON: the colon follows the key directly
            want = W_VALUE;
            i++;
          }
          continue;
        }
        if (want === W_VALUE || want === W_VALUE_OR_CLOSE || want === W_TOP) {
          if (pending >= 0) {
            spans[2 * pending] = start;
            spans[2 * pending + 1] = j;
            if (escaped) spans[SPAN_ESCAPED]! |= 1 << pending;
            else spans[SPAN_ESCAPED]! &= ~(1 << pending);
            pending = -1;
          }
          pendingSection = 0;
          if (!inRecord && (depth === 0 || (inContainer && depth === containerDepth))) {
            error = 'not a CloudTrail file: a value where a record belongs is not an object';
            break;
          }
          i = j + 1;
          if (depth === 0) want = W_TOP;
          else if (buf[i] === 0x2c) {
            // compact JSON: the comma follows the value directly
            want = stack[depth] === OBJ ? W_KEY : W_VALUE;
            i++;
          } else want = W_COMMA_OR_CLOSE;
          continue;
        }
        error = want === W_COLON ? "expected ':'" : "expected ',' or a closing bracket";
        break;
      }
      switch (c) {
        case 0x7b: // {
        case 0x5b: {
          // [
          if (want !== W_VALUE && want !== W_VALUE_OR_CLOSE && want !== W_TOP) {
            error = want === W_COLON ? "expected ':'" : "expected ',' or a closing bracket";
            break scan;
          }
          if (depth >= MAX_DEPTH) {
            error = 'nested too deeply';
            break scan;
          }
          const isObject = c === 0x7b;
          const before = depth;
          if (before === 0) this.sawValue = true;
          depth++;
          stack[depth] = isObject ? OBJ : ARR;
          want = isObject ? W_KEY_OR_CLOSE : W_VALUE_OR_CLOSE;
          if (inRecord) {
            if (before === R && pendingSection !== 0) {
              if (isObject && pendingSection !== SECTION_WRAPPER) section = pendingSection;
              else if (!isObject && pendingSection === SECTION_WRAPPER) {
                // `{"Records":[…]}`: the top-level object is a wrapper and this array holds the records
                wrapper = true;
                inRecord = false;
                containerDepth = depth;
                inContainer = true;
                pending = -1;
                pendingSection = 0;
                cpPos = i + 1;
                cpDepth = depth;
                cpWant = want;
                cpContainerDepth = containerDepth;
                cpInContainer = inContainer;
                cpWrapper = wrapper;
                cpPending = pending;
                cpPendingSection = pendingSection;
              }
            }
          } else if (inContainer && before === containerDepth) {
            if (isObject) {
              inRecord = true;
              R = depth;
              section = 0;
              spans.fill(-1, 0, FIELD_COUNT * 2);
              spans[SPAN_ESCAPED] = 0;
              spans[SPAN_HAS_EVENT_NAME] = 0;
            } else if (before === 0) {
              containerDepth = 1; // a bare array of records
            } else {
              error = 'not a CloudTrail file: a value where a record belongs is not an object';
              break scan;
            }
          }
          pending = -1;
          pendingSection = 0;
          i++;
          break;
        }
        case 0x7d: // }
        case 0x5d: {
          // ]
          const isObject = c === 0x7d;
          if (depth === 0 || stack[depth] !== (isObject ? OBJ : ARR)) {
            error = `unexpected '${isObject ? '}' : ']'}'`;
            break scan;
          }
          if (
            isObject
              ? want !== W_KEY_OR_CLOSE && want !== W_COMMA_OR_CLOSE
              : want !== W_VALUE_OR_CLOSE && want !== W_COMMA_OR_CLOSE
          ) {
            error = want === W_COLON ? "expected ':'" : 'expected a value';
            break scan;
          }
          depth--;
          want = depth === 0 ? W_TOP : W_COMMA_OR_CLOSE;
          pending = -1;
          pendingSection = 0;
          i++;
          if (inRecord) {
            if (depth === R) section = 0;
            else if (depth === R - 1) {
              inRecord = false;
              this.records += 1;
              this.onRecord(buf, spans);
            }
          } else if (inContainer && depth === containerDepth - 1 && !isObject) {
            // the records array closed
            if (wrapper) inContainer = false;
            else containerDepth = 0;
          } else if (wrapper && depth === 0) {
            wrapper = false;
            containerDepth = 0;
            inContainer = true;
          }
          break;
        }
        case 0x2c: // ,
          if (want !== W_COMMA_OR_CLOSE) {
            error = "unexpected ','";
            break scan;
          }
          want = stack[depth] === OBJ ? W_KEY : W_VALUE;
          i++;
          break;
        case 0x3a: // :
          if (want !== W_COLON) {
            error = "unexpected ':'";
            break scan;
          }
          want = W_VALUE;
          i++;
          break;
        default: {
          if (want !== W_VALUE && want !== W_VALUE_OR_CLOSE && want !== W_TOP) {
            error = want === W_COLON ? "expected ':'" : "expected ',' or a closing bracket";
            break scan;
          }
          let j = i;
          while (j < n) {
            const d = buf[j]!;
            // letters, digits, '+', '-', '.'
            if (
              (d >= 0x61 && d <= 0x7a) ||
              (d >= 0x30 && d <= 0x39) ||
              d === 0x2b ||
              d === 0x2d ||
              d === 0x2e ||
              (d >= 0x41 && d <= 0x5a)
            ) {
              j++;
            } else {
              break;
            }
          }
          if (j >= n && !final) {
            truncated = true;
            break scan;
          }
          if (j === i) {
            error = `unexpected character '${String.fromCharCode(c)}'`;
            break scan;
          }
          if (!LITERAL.test(buf.toString('latin1', i, j))) {
            error = `unexpected '${buf.toString('latin1', i, Math.min(j, i + 20))}'`;
            break scan;
          }
          // a non-string value: the pending field stays absent
          pending = -1;
          pendingSection = 0;
          if (!inRecord && (depth === 0 || (inContainer && depth === containerDepth))) {
            error = 'not a CloudTrail file: a value where a record belongs is not an object';
            break scan;
          }
          want = depth === 0 ? W_TOP : W_COMMA_OR_CLOSE;
          i = j;
        }
      }
    }
    if (error !== null) throw new JsonScanError(`invalid JSON at byte ${this.offset + i}: ${error}`);
    if (final) {
      if (truncated || depth !== 0 || inRecord)
        throw new JsonScanError('truncated JSON: the input ends inside a value');
      if (!this.sawValue) throw new JsonScanError('empty: no JSON value');
      this.offset += n;
      this.depth = depth;
      this.want = want;
      return n;
    }
    if (truncated || inRecord) {
      // rewind to the checkpoint; the caller sends the bytes from there again
      this.depth = cpDepth;
      this.want = cpWant;
      this.containerDepth = cpContainerDepth;
      this.inContainer = cpInContainer;
      this.wrapper = cpWrapper;
      this.offset += cpPos;
      if (cpPending !== -1 || cpPendingSection !== 0) {
        // only possible right after a key at wrapper level, which is never a checkpoint
        throw new JsonScanError('internal: checkpoint after a key');
      }
      return cpPos;
    }
    this.depth = depth;
    this.want = want;
    this.containerDepth = containerDepth;
    this.inContainer = inContainer;
    this.wrapper = wrapper;
    this.offset += n;
    return n;
  }
}
