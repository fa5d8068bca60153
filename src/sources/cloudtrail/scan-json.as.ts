/**
 * The CloudTrail JSON scanner's inner loop, in AssemblyScript (compiled to WebAssembly by
 * `npm run wasm`, see scripts/build-wasm.mjs; the module is embedded in scan-json.wasm.ts). The
 * TypeScript side (scan-json.ts) owns the API; this file is only the byte loop, because a JavaScript
 * loop over every byte of a gigabyte costs more than its decompression (issue 5), while WebAssembly's
 * 16-byte vector compares skip a string's contents at several bytes per cycle.
 *
 * What it does: walks the JSON grammar once, validating the structure (strings, brackets, ':' and
 * ',' in their places, literals), finds the objects that are CloudTrail records and, for each, the
 * byte spans of the dozen fields the aggregation reads. A record's spans go into a table the caller
 * drains; nothing is materialised here.
 *
 * Not a general JSON validator, by design (the same as the scanner it replaced): escapes inside a
 * string are skipped, not checked, and control characters in strings are let through. A field the
 * aggregation reads that contains an escape is decoded with JSON.parse by the caller, which checks it.
 *
 * Memory, from the heap base: the status block, the depth stack, the record table, then the input,
 * which the caller copies in and pads with PAD quote bytes (so the vector loop needs no bounds check:
 * it stops at a padding quote, and the position tells it the string ran off the end).
 */

// Field ids: the same numbering as F in scan-json.ts.
const F_EVENT_TIME: i32 = 0;
const F_EVENT_SOURCE: i32 = 1;
const F_EVENT_NAME: i32 = 2;
const F_AWS_REGION: i32 = 3;
const F_SOURCE_IP: i32 = 4;
const F_ERROR_CODE: i32 = 5;
const F_CLOUDTRAIL_EVENT: i32 = 6;
const F_IDENTITY_TYPE: i32 = 7;
const F_IDENTITY_ARN: i32 = 8;
const F_ACCESS_KEY_ID: i32 = 9;
const F_PRINCIPAL_ID: i32 = 10;
const F_INVOKED_BY: i32 = 11;
const F_ROLE_ARN: i32 = 12;
const F_CONSOLE_LOGIN: i32 = 13;
const FIELD_COUNT: i32 = 14;
/** i32 slots per record in the table: 2 per field, then the escaped-fields bits, then has-eventName. */
const SPAN_LENGTH: i32 = FIELD_COUNT * 2 + 2;
const SPAN_ESCAPED: i32 = FIELD_COUNT * 2;
const SPAN_HAS_EVENT_NAME: i32 = FIELD_COUNT * 2 + 1;
const TABLE_RECORDS: i32 = 1024;
const PAD: i32 = 64;
const MAX_DEPTH: i32 = 512;

const NO_KEY: i32 = -100;
const SECTION_USER_IDENTITY: i32 = 1;
const SECTION_REQUEST: i32 = 2;
const SECTION_RESPONSE: i32 = 3;
const SECTION_WRAPPER: i32 = 4;

// What the grammar allows next.
const W_TOP: i32 = 0;
const W_VALUE: i32 = 1;
const W_VALUE_OR_CLOSE: i32 = 2;
const W_KEY_OR_CLOSE: i32 = 3;
const W_KEY: i32 = 4;
const W_COLON: i32 = 5;
const W_COMMA_OR_CLOSE: i32 = 6;

const OBJ: u8 = 1;
const ARR: u8 = 2;

// Results of scan().
const DONE: i32 = 0;
const TABLE_FULL: i32 = 1;
const FAILED: i32 = 2;

// Error codes; scan-json.ts turns them into messages.
const E_EXPECTED_COLON: i32 = 1;
const E_EXPECTED_COMMA_OR_CLOSE: i32 = 2;
const E_NOT_A_RECORD: i32 = 3;
const E_TOO_DEEP: i32 = 4;
const E_UNEXPECTED_CLOSE_OBJECT: i32 = 5;
const E_UNEXPECTED_CLOSE_ARRAY: i32 = 6;
const E_EXPECTED_VALUE: i32 = 7;
const E_UNEXPECTED_COMMA: i32 = 8;
const E_UNEXPECTED_COLON: i32 = 9;
const E_UNEXPECTED_CHARACTER: i32 = 10;
const E_BAD_LITERAL: i32 = 11;
const E_TRUNCATED: i32 = 12;
const E_EMPTY: i32 = 13;
const E_INTERNAL_CHECKPOINT: i32 = 14;

// The layout, fixed at start-up. The status block is how the module talks back: the caller reads it
// after each call (i32 slots, see STATUS_* in scan-json.ts).
const statusBase: usize = (__heap_base + 15) & ~15;
const stackBase: usize = statusBase + 32;
const tableBase: usize = stackBase + (((MAX_DEPTH + 2) + 15) & ~15);
const inputBase: usize = tableBase + <usize>(TABLE_RECORDS * SPAN_LENGTH * 4);
const S_RECORDS: usize = 0; // records written to the table by the last call
const S_POSITION: usize = 4; // after DONE: bytes consumed; TABLE_FULL: where to resume; FAILED: where
const S_ERROR: usize = 8; // the error code after FAILED
const S_ERROR_END: usize = 12; // for E_BAD_LITERAL: the end of the bad literal
store<i32>(statusBase + 16, <i32>inputBase);
store<i32>(statusBase + 20, <i32>tableBase);
store<i32>(statusBase + 24, TABLE_RECORDS);
store<i32>(statusBase + 28, PAD);

// The parser state kept between calls (one chunk of a streamed file to the next).
let depth: i32 = 0;
let want: i32 = W_TOP;
let containerDepth: i32 = 0;
let inContainer: bool = true;
let wrapper: bool = false;
let sawValue: bool = false;

/** Where the status block is: [records, position, error, errorEnd, inputOffset, tableOffset, tableRecords, padding]. */
export function status(): usize {
  return statusBase;
}
/** Pages to grow the memory by so that an input of n bytes fits. */
export function pagesNeeded(n: i32): i32 {
  const end = inputBase + <usize>n + <usize>PAD;
  const have = (<usize>memory.size()) << 16;
  return end <= have ? 0 : <i32>((end - have + 0xffff) >> 16);
}
export function reset(): void {
  keep(0, W_TOP, 0, true, false);
  sawValue = false;
}

/** Keeps the parser state for the next call. */
function keep(d: i32, w: i32, cDepth: i32, inCont: bool, wrap: bool): void {
  depth = d;
  want = w;
  containerDepth = cDepth;
  inContainer = inCont;
  wrapper = wrap;
}

/** Ends a call: `result`, with `position` (and an error code for FAILED) in the status block. */
function finish(result: i32, position: i32, error: i32): i32 {
  store<i32>(statusBase + S_POSITION, position);
  if (result == FAILED) store<i32>(statusBase + S_ERROR, error);
  return result;
}

// Key matching: whole-key compares with overlapping 8/4/2-byte loads (constants: the key's bytes,
// little-endian). p is the first byte of the key, len its length.
function eq8(p: usize, len: i32, head: u64, tail: u64): bool {
  return load<u64>(p) == head && load<u64>(p + <usize>len - 8) == tail;
}

function recordKey(p: usize, len: i32): i32 {
  switch (len) {
    case 9: {
      const head = load<u64>(p);
      const last = load<u8>(p + 8);
      if (head == 0x6d6954746e657665 && last == 0x65) return F_EVENT_TIME; // eventTime
      if (head == 0x6d614e746e657665 && last == 0x65) return F_EVENT_NAME; // eventName
      if (head == 0x6f69676552737761 && last == 0x6e) return F_AWS_REGION; // awsRegion
      if (head == 0x646f43726f727265 && last == 0x65) return F_ERROR_CODE; // errorCode
      return NO_KEY;
    }
    case 11: // eventSource
      return eq8(p, len, 0x756f53746e657665, 0x656372756f53746e) ? F_EVENT_SOURCE : NO_KEY;
    case 15:
      if (eq8(p, len, 0x5049656372756f73, 0x7373657264644150)) return F_SOURCE_IP; // sourceIPAddress
      if (eq8(p, len, 0x61725464756f6c43, 0x746e6576456c6961)) return F_CLOUDTRAIL_EVENT; // CloudTrailEvent
      return NO_KEY;
    case 12: // userIdentity
      return eq8(p, len, 0x6e65644972657375, 0x797469746e656449) ? -SECTION_USER_IDENTITY : NO_KEY;
    case 17: // requestParameters
      return eq8(p, len, 0x5074736575716572, 0x73726574656d6172) && load<u64>(p + 8) == 0x726574656d617261
        ? -SECTION_REQUEST
        : NO_KEY;
    case 16: // responseElements
      return eq8(p, len, 0x65736e6f70736572, 0x73746e656d656c45) ? -SECTION_RESPONSE : NO_KEY;
    default:
      return NO_KEY;
  }
}

/** `Records` (the native file) or `Events` (lookup-events output): the key of the records array. */
function isWrapperKey(p: usize, len: i32): bool {
  if (len == 7) return load<u32>(p) == 0x6f636552 && load<u32>(p + 3) == 0x7364726f;
  if (len == 6) return load<u32>(p) == 0x6e657645 && load<u32>(p + 2) == 0x73746e65;
  return false;
}

function sectionKey(section: i32, p: usize, len: i32): i32 {
  if (section == SECTION_USER_IDENTITY) {
    if (len == 4) return load<u32>(p) == 0x65707974 ? F_IDENTITY_TYPE : NO_KEY; // type
    if (len == 3) return load<u16>(p) == 0x7261 && load<u8>(p + 2) == 0x6e ? F_IDENTITY_ARN : NO_KEY; // arn
    if (len == 11) {
      if (eq8(p, len, 0x654b737365636361, 0x644979654b737365)) return F_ACCESS_KEY_ID; // accessKeyId
      if (eq8(p, len, 0x617069636e697270, 0x64496c617069636e)) return F_PRINCIPAL_ID; // principalId
      return NO_KEY;
    }
    if (len == 9) {
      const head = load<u64>(p);
      return head == 0x4264656b6f766e69 && load<u8>(p + 8) == 0x79 ? F_INVOKED_BY : NO_KEY; // invokedBy
    }
    return NO_KEY;
  }
  if (section == SECTION_REQUEST) {
    // roleArn
    return len == 7 && load<u32>(p) == 0x656c6f72 && load<u32>(p + 3) == 0x6e724165 ? F_ROLE_ARN : NO_KEY;
  }
  if (section == SECTION_RESPONSE) {
    // ConsoleLogin
    return len == 12 && eq8(p, len, 0x4c656c6f736e6f43, 0x6e69676f4c656c6f) ? F_CONSOLE_LOGIN : NO_KEY;
  }
  return NO_KEY;
}

function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

/** The JSON grammar of a literal: true, false, null or a number; [p, end) is its run of characters. */
function validLiteral(p: usize, end: usize): bool {
  const len = <i32>(end - p);
  if (len == 4 && load<u32>(p) == 0x65757274) return true; // true
  if (len == 4 && load<u32>(p) == 0x6c6c756e) return true; // null
  if (len == 5 && load<u32>(p) == 0x736c6166 && load<u8>(p + 4) == 0x65) return true; // false
  let q = p;
  if (q < end && load<u8>(q) == 0x2d) q++; // -
  if (q >= end) return false;
  let c = <u32>load<u8>(q);
  if (c == 0x30) q++;
  else if (c - 0x31 < 9) {
    while (q < end && isDigit(<u32>load<u8>(q))) q++;
  } else return false;
  if (q < end && load<u8>(q) == 0x2e) {
    q++;
    const from = q;
    while (q < end && isDigit(<u32>load<u8>(q))) q++;
    if (q == from) return false;
  }
  if (q < end) {
    c = <u32>load<u8>(q);
    if (c == 0x65 || c == 0x45) {
      q++;
      if (q < end) {
        c = <u32>load<u8>(q);
        if (c == 0x2b || c == 0x2d) q++;
      }
      const from = q;
      while (q < end && isDigit(<u32>load<u8>(q))) q++;
      if (q == from) return false;
    }
  }
  return q == end;
}

function isLiteralByte(d: u32): bool {
  // letters, digits, '+', '-', '.'
  return d - 0x61 < 26 || d - 0x30 < 10 || d == 0x2b || d == 0x2d || d == 0x2e || d - 0x41 < 26;
}

/**
 * Scans input bytes [from, n). `final`: the input ends at n (else more may follow: the call stops
 * before an unfinished record or token, and `position()` says how much was consumed). `atStart`: n
 * bytes begin the document (a byte order mark may open it). Returns DONE, TABLE_FULL (the record
 * table is full: drain it and call again with from = position()) or FAILED (errorCode(), position()).
 */
export function scan(n: i32, from: i32, final: bool, atStart: bool): i32 {
  const base = inputBase;
  const end = base + <usize>n;
  const stack = stackBase;
  const QUOTE = i8x16.splat(0x22);
  const BACKSLASH = i8x16.splat(0x5c);
  let d = depth;
  let w = want;
  let cDepth = containerDepth;
  let inCont = inContainer;
  let wrap = wrapper;
  let inRecord = false;
  let R: i32 = 0;
  let section: i32 = 0;
  let pending: i32 = -1;
  let pendingSection: i32 = 0;
  let rec: usize = tableBase; // the current record's spans
  let recCount: i32 = 0;
  // the state before the first token not yet fully consumed outside a record
  let cpPos: usize = base + <usize>from;
  let cpDepth = d;
  let cpWant = w;
  let cpCDepth = cDepth;
  let cpInCont = inCont;
  let cpWrap = wrap;
  let cpPending = pending;
  let cpPendingSection = pendingSection;
  let i: usize = base + <usize>from;
  if (
    atStart &&
    from == 0 &&
    n >= 3 &&
    load<u8>(i) == 0xef &&
    load<u8>(i + 1) == 0xbb &&
    load<u8>(i + 2) == 0xbf
  )
    i += 3;
  let error: i32 = 0;
  let truncated = false;
  let full = false;

  while (i < end) {
    const c = <u32>load<u8>(i);
    if (c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) {
      i++;
      continue;
    }
    if (!inRecord) {
      if (full) break; // the table is full: stop between records
      cpPos = i;
      cpDepth = d;
      cpWant = w;
      cpCDepth = cDepth;
      cpInCont = inCont;
      cpWrap = wrap;
      cpPending = pending;
      cpPendingSection = pendingSection;
    }
    if (c == 0x22) {
      // a string: 16 bytes at a time to the next quote or backslash
      let j = i + 1;
      let escaped = 0;
      while (true) {
        const v = v128.load(j);
        const m = i8x16.bitmask(v128.or(i8x16.eq(v, QUOTE), i8x16.eq(v, BACKSLASH)));
        if (m == 0) {
          j += 16;
          continue;
        }
        j += <usize>ctz(m);
        if (load<u8>(j) == 0x22) break;
        escaped = 1;
        j += 2;
      }
      if (j >= end) {
        truncated = true;
        break;
      }
      const start = i + 1;
      if (w == W_KEY_OR_CLOSE || w == W_KEY) {
        w = W_COLON;
        pending = -1;
        pendingSection = 0;
        if (inRecord) {
          const len = <i32>(j - start);
          if (d == R) {
            const id = recordKey(start, len);
            if (id >= 0) {
              pending = id;
              if (id == F_EVENT_NAME) store<i32>(rec + ((<usize>SPAN_HAS_EVENT_NAME) << 2), 1);
            } else if (id != NO_KEY) pendingSection = -id;
            else if (d == 1 && isWrapperKey(start, len)) pendingSection = SECTION_WRAPPER;
          } else if (d == R + 1 && section != 0) {
            const id = sectionKey(section, start, len);
            if (id >= 0) pending = id;
          }
        }
        i = j + 1;
        if (load<u8>(i) == 0x3a) {
          // compact JSON: the colon follows the key directly
          w = W_VALUE;
          i++;
        }
        continue;
      }
      if (w == W_VALUE || w == W_VALUE_OR_CLOSE || w == W_TOP) {
        if (pending >= 0) {
          const at = rec + ((<usize>(2 * pending)) << 2);
          store<i32>(at, <i32>(start - base));
          store<i32>(at + 4, <i32>(j - base));
          const bits = rec + ((<usize>SPAN_ESCAPED) << 2);
          if (escaped) store<i32>(bits, load<i32>(bits) | (1 << pending));
          else store<i32>(bits, load<i32>(bits) & ~(1 << pending));
          pending = -1;
        }
        pendingSection = 0;
        if (!inRecord && (d == 0 || (inCont && d == cDepth))) {
          error = E_NOT_A_RECORD;
          break;
        }
        i = j + 1;
        if (d == 0) w = W_TOP;
        else if (load<u8>(i) == 0x2c) {
          // compact JSON: the comma follows the value directly
          w = load<u8>(stack + <usize>d) == OBJ ? W_KEY : W_VALUE;
          i++;
        } else w = W_COMMA_OR_CLOSE;
        continue;
      }
      error = w == W_COLON ? E_EXPECTED_COLON : E_EXPECTED_COMMA_OR_CLOSE;
      break;
    }
    if (c == 0x7b || c == 0x5b) {
      // { or [
      if (w != W_VALUE && w != W_VALUE_OR_CLOSE && w != W_TOP) {
        error = w == W_COLON ? E_EXPECTED_COLON : E_EXPECTED_COMMA_OR_CLOSE;
        break;
      }
      if (d >= MAX_DEPTH) {
        error = E_TOO_DEEP;
        break;
      }
      const isObject = c == 0x7b;
      const before = d;
      if (before == 0) sawValue = true;
      d++;
      store<u8>(stack + <usize>d, isObject ? OBJ : ARR);
      w = isObject ? W_KEY_OR_CLOSE : W_VALUE_OR_CLOSE;
      if (inRecord) {
        if (before == R && pendingSection != 0) {
          if (isObject && pendingSection != SECTION_WRAPPER) section = pendingSection;
          else if (!isObject && pendingSection == SECTION_WRAPPER) {
            // `{"Records":[…]}`: the top-level object is a wrapper and this array holds the records
            wrap = true;
            inRecord = false;
            cDepth = d;
            inCont = true;
            pending = -1;
            pendingSection = 0;
            // (the next token outside a record sets the checkpoint, as any token does)
          }
        }
      } else if (inCont && before == cDepth) {
        if (isObject) {
          inRecord = true;
          R = d;
          section = 0;
          rec = tableBase + ((<usize>(recCount * SPAN_LENGTH)) << 2);
          memory.fill(rec, 0xff, (<usize>(FIELD_COUNT * 2)) << 2);
          store<i32>(rec + ((<usize>SPAN_ESCAPED) << 2), 0);
          store<i32>(rec + ((<usize>SPAN_HAS_EVENT_NAME) << 2), 0);
        } else if (before == 0) {
          cDepth = 1; // a bare array of records
        } else {
          error = E_NOT_A_RECORD;
          break;
        }
      }
      pending = -1;
      pendingSection = 0;
      i++;
      continue;
    }
    if (c == 0x7d || c == 0x5d) {
      // } or ]
      const isObject = c == 0x7d;
      if (d == 0 || load<u8>(stack + <usize>d) != (isObject ? OBJ : ARR)) {
        error = isObject ? E_UNEXPECTED_CLOSE_OBJECT : E_UNEXPECTED_CLOSE_ARRAY;
        break;
      }
      if (
        isObject
          ? w != W_KEY_OR_CLOSE && w != W_COMMA_OR_CLOSE
          : w != W_VALUE_OR_CLOSE && w != W_COMMA_OR_CLOSE
      ) {
        error = w == W_COLON ? E_EXPECTED_COLON : E_EXPECTED_VALUE;
        break;
      }
      d--;
      w = d == 0 ? W_TOP : W_COMMA_OR_CLOSE;
      pending = -1;
      pendingSection = 0;
      i++;
      if (inRecord) {
        if (d == R) section = 0;
        else if (d == R - 1) {
          inRecord = false;
          recCount++;
          if (recCount == TABLE_RECORDS) full = true;
        }
      } else if (inCont && d == cDepth - 1 && !isObject) {
        // the records array closed
        if (wrap) inCont = false;
        else cDepth = 0;
      } else if (wrap && d == 0) {
        wrap = false;
        cDepth = 0;
        inCont = true;
      }
      continue;
    }
    if (c == 0x2c) {
      // ,
      if (w != W_COMMA_OR_CLOSE) {
        error = E_UNEXPECTED_COMMA;
        break;
      }
      w = load<u8>(stack + <usize>d) == OBJ ? W_KEY : W_VALUE;
      i++;
      continue;
    }
    if (c == 0x3a) {
      // :
      if (w != W_COLON) {
        error = E_UNEXPECTED_COLON;
        break;
      }
      w = W_VALUE;
      i++;
      continue;
    }
    // a literal: true, false, null or a number
    if (w != W_VALUE && w != W_VALUE_OR_CLOSE && w != W_TOP) {
      error = w == W_COLON ? E_EXPECTED_COLON : E_EXPECTED_COMMA_OR_CLOSE;
      break;
    }
    let j = i;
    while (j < end && isLiteralByte(<u32>load<u8>(j))) j++;
    if (j >= end && !final) {
      truncated = true;
      break;
    }
    if (j == i) {
      error = E_UNEXPECTED_CHARACTER;
      break;
    }
    if (!validLiteral(i, j)) {
      error = E_BAD_LITERAL;
      store<i32>(statusBase + S_ERROR_END, <i32>(j - base));
      break;
    }
    // a non-string value: the pending field stays absent
    pending = -1;
    pendingSection = 0;
    if (!inRecord && (d == 0 || (inCont && d == cDepth))) {
      error = E_NOT_A_RECORD;
      break;
    }
    w = d == 0 ? W_TOP : W_COMMA_OR_CLOSE;
    i = j;
  }

  store<i32>(statusBase + S_RECORDS, recCount);
  if (error != 0) return finish(FAILED, <i32>(i - base), error);
  if (full && i < end) {
    // stopped between records with input left: the caller drains the table and resumes here
    keep(d, w, cDepth, inCont, wrap);
    return finish(TABLE_FULL, <i32>(i - base), 0);
  }
  if (final) {
    if (truncated || d != 0 || inRecord) return finish(FAILED, n, E_TRUNCATED);
    if (!sawValue) return finish(FAILED, n, E_EMPTY);
    keep(d, w, cDepth, inCont, wrap);
    return finish(DONE, n, 0);
  }
  if (truncated || inRecord) {
    // rewind to the checkpoint; the caller sends the bytes from there again
    if (cpPending != -1 || cpPendingSection != 0) {
      // only possible right after a key at wrapper level, which is never a checkpoint
      return finish(FAILED, <i32>(cpPos - base), E_INTERNAL_CHECKPOINT);
    }
    keep(cpDepth, cpWant, cpCDepth, cpInCont, cpWrap);
    return finish(DONE, <i32>(cpPos - base), 0);
  }
  keep(d, w, cDepth, inCont, wrap);
  return finish(DONE, n, 0);
}
