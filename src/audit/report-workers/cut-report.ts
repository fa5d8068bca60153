/**
 * Where a credential report file can be cut into parts that worker threads audit on their own, with
 * the result the single-thread audit gives. Pure: bytes in, offsets out.
 *
 * A cut is made only between two lines that are each one whole record (no quote in them) of
 * different accounts, at an even count of `"` bytes since the part began: outside any quoted field
 * in well-formed CSV (in UTF-8 a byte below 0x80 is never part of a multi-byte character, so bytes
 * can be counted without decoding). The serial audit groups an account's contiguous rows (merging a
 * user listed twice), so a cut where the account changes keeps that grouping exactly. A stray quote
 * in an unquoted field (which papaparse takes literally) can make the count lie; the worker then finds
 * its part ending inside a quoted field and says so (`unaligned`), and the rest of the file is read
 * by one reader as before.
 */
import { isGzip } from '../../files/gzip.ts';
import { accountOfReportArn } from '../../sources/credential-report/to-inventory.ts';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/** What the first line of a report says about cutting it; `undefined` from readReportStart: don't. */
export interface ReportStart {
  /** The header's cells as the file spells them. */
  header: string[];
  newline: '\n' | '\r\n';
  /** The index of the `arn` column (its first occurrence, as the parser takes it). */
  arnColumn: number;
}

/**
 * The header of a report that can be cut: UTF-8 (a BOM allowed), its first line a header with no
 * quote and an `arn` column, ending in `\n` or `\r\n`. Anything else (UTF-16, gzip, a quoted or blank
 * first line, old Mac `\r` line ends, no line end within `head`) is read by the serial parser.
 */
export function readReportStart(head: Uint8Array): ReportStart | undefined {
  let from = 0;
  if (head[0] === 0xff && head[1] === 0xfe) return undefined; // UTF-16 LE
  if (head[0] === 0xfe && head[1] === 0xff) return undefined; // UTF-16 BE
  if (isGzip(head)) return undefined; // inflated as it streams
  if (head[0] === UTF8_BOM[0] && head[1] === UTF8_BOM[1] && head[2] === UTF8_BOM[2]) from = 3;
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.length);
  const lf = bytes.indexOf(LF, from);
  if (lf === -1) return undefined;
  const quote = bytes.indexOf(QUOTE, from);
  if (quote !== -1 && quote < lf) return undefined;
  const line = bytes.toString('utf8', from, lf);
  const cr = line.indexOf('\r');
  if (cr !== -1 && cr !== line.length - 1) return undefined; // a lone \r: the parser's old-Mac case
  const header = (cr === -1 ? line : line.slice(0, -1)).split(',');
  const arnColumn = header.findIndex((name) => name.trim() === 'arn');
  if (arnColumn === -1 || line.trim() === '') return undefined;
  return { header, newline: cr === -1 ? '\n' : '\r\n', arnColumn };
}

/**
 * The end of a part that starts at `bytes[0]` (a record's start, outside quotes): the start of the
 * first line at or after `from` that begins a new account, or -1 when `bytes` holds none (read
 * more, or give up on cutting). Both lines around the cut must be complete within `bytes`.
 */
export function findAccountCut(bytes: Buffer, from: number, start: ReportStart): number {
  let lf = bytes.indexOf(LF, Math.max(0, from - 1));
  if (lf === -1) return -1;
  let quotes = 0;
  let nextQuote = bytes.indexOf(QUOTE);
  const countQuotesBefore = (end: number) => {
    while (nextQuote !== -1 && nextQuote < end) {
      quotes++;
      nextQuote = bytes.indexOf(QUOTE, nextQuote + 1);
    }
  };
  let lineStart = lf + 1;
  countQuotesBefore(lineStart);
  const previousStart = lf === 0 ? 0 : bytes.lastIndexOf(LF, lf - 1) + 1;
  let previousAccount =
    bytes.subarray(previousStart, lf).indexOf(QUOTE) === -1
      ? accountKeyOfLine(bytes, previousStart, lf, start.arnColumn)
      : undefined;
  for (;;) {
    const lineEnd = bytes.indexOf(LF, lineStart);
    if (lineEnd === -1) return -1;
    // The first quote at or after lineStart is nextQuote: the line holds one if it comes before its end.
    const account =
      nextQuote === -1 || nextQuote > lineEnd
        ? accountKeyOfLine(bytes, lineStart, lineEnd, start.arnColumn)
        : undefined;
    const recordEnd = start.newline === '\n' || (lf > 0 && bytes[lf - 1] === CR);
    if (
      quotes % 2 === 0 &&
      recordEnd &&
      account !== undefined &&
      previousAccount !== undefined &&
      account !== previousAccount
    )
      return lineStart;
    countQuotesBefore(lineEnd + 1);
    previousAccount = account;
    lf = lineEnd;
    lineStart = lineEnd + 1;
  }
}

/**
 * An account id as a value to compare: up to 14 digits, the number times 16 plus the count of digits
 * (so `012` and `12` differ, as the texts do); longer ones, the digits' text.
 */
type AccountKey = number | string;

/**
 * The account of a line with no quote in it (a whole record), read from its `arn` cell as
 * rowToPrincipal reads it (accountOfReportArn of the trimmed cell); undefined for any other line
 * (blank, too few cells, no IAM ARN). A million-row report has a million lines to look at: the
 * usual cell, starting `arn:`, is matched byte by byte without making a string.
 */
function accountKeyOfLine(
  bytes: Buffer,
  start: number,
  end: number,
  arnColumn: number,
): AccountKey | undefined {
  let cell = start;
  for (let column = 0; column < arnColumn; column++) {
    const comma = indexOfByte(bytes, COMMA, cell, end);
    if (comma === -1) return undefined;
    cell = comma + 1;
  }
  let cellEnd = indexOfByte(bytes, COMMA, cell, end);
  if (cellEnd === -1) cellEnd = end;
  if (bytes[cell] !== 0x61 /* a */) {
    // Space or another character a trim might take away: read it as text.
    const account = accountOfReportArn(bytes.toString('utf8', cell, cellEnd).trim());
    return account === undefined ? undefined : accountKeyOfDigits(account);
  }
  return accountKeyOfArnBytes(bytes, cell, cellEnd);
}

function indexOfByte(bytes: Buffer, byte: number, from: number, end: number): number {
  for (let at = from; at < end; at++) if (bytes[at] === byte) return at;
  return -1;
}

const ARN_AWS = [0x61, 0x72, 0x6e, 0x3a, 0x61, 0x77, 0x73]; // arn:aws
const IAM = [0x3a, 0x69, 0x61, 0x6d, 0x3a, 0x3a]; // :iam::

/** `^arn:aws(?:-[a-z]+)*:iam::(\d+):` (accountOfReportArn's expression) on bytes[at, end). */
function accountKeyOfArnBytes(bytes: Buffer, start: number, end: number): AccountKey | undefined {
  let at = start;
  if (end - at < ARN_AWS.length + IAM.length + 2) return undefined;
  for (const b of ARN_AWS) if (bytes[at++] !== b) return undefined;
  while (bytes[at] === 0x2d /* - */) {
    const first = ++at;
    while (at < end && bytes[at]! >= 0x61 && bytes[at]! <= 0x7a) at++;
    if (at === first) return undefined;
  }
  if (end - at < IAM.length) return undefined;
  for (const b of IAM) if (bytes[at++] !== b) return undefined;
  const digits = at;
  let value = 0;
  while (at < end && bytes[at]! >= 0x30 && bytes[at]! <= 0x39) value = value * 10 + bytes[at++]! - 0x30;
  const count = at - digits;
  if (count === 0 || at >= end || bytes[at] !== 0x3a /* : */) return undefined;
  return count <= EXACT_DIGITS ? numericKey(value, count) : bytes.toString('latin1', digits, at);
}

function accountKeyOfDigits(digits: string): AccountKey {
  return digits.length <= EXACT_DIGITS ? numericKey(Number(digits), digits.length) : digits;
}

/**
 * The two readers above (bytes, and text for a cell a trim may change) must give equal keys for equal
 * ids, since a line read one way is compared with the line before read the other: one rule for both.
 * Up to 14 digits a number is exact (below 2^53 even times 16).
 */
const EXACT_DIGITS = 14;
function numericKey(value: number, count: number): number {
  return value * 16 + count;
}

/** Line breaks (`\n`) in `bytes`: the parser numbers lines by them in `\n` and `\r\n` files alike. */
export function countLineBreaks(bytes: Uint8Array, from = 0, to = bytes.length): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let count = 0;
  for (let at = buffer.indexOf(LF, from); at !== -1 && at < to; at = buffer.indexOf(LF, at + 1)) count++;
  return count;
}
