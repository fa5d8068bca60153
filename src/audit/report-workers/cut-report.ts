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
 * quote and an `arn` column, ending in `\n` or `\r\n`. Anything else (UTF-16, a quoted or blank first
 * line, old Mac `\r` line ends, no line end within `head`) is read by the serial parser.
 */
export function readReportStart(head: Uint8Array): ReportStart | undefined {
  let from = 0;
  if (head[0] === 0xff && head[1] === 0xfe) return undefined; // UTF-16 LE
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
  let previousAccount = accountOfLine(bytes, previousStart, lf, start);
  for (;;) {
    const lineEnd = bytes.indexOf(LF, lineStart);
    if (lineEnd === -1) return -1;
    const account = accountOfLine(bytes, lineStart, lineEnd, start);
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
 * The account of a line that is one whole record (no quote in it), read from its `arn` cell as
 * rowToPrincipal reads it; undefined for any other line (blank, quoted, too few cells, no IAM ARN).
 */
function accountOfLine(bytes: Buffer, start: number, end: number, report: ReportStart): string | undefined {
  const line = bytes.subarray(start, end);
  if (line.indexOf(QUOTE) !== -1) return undefined;
  let cellStart = 0;
  for (let column = 0; column < report.arnColumn; column++) {
    const comma = line.indexOf(COMMA, cellStart);
    if (comma === -1) return undefined;
    cellStart = comma + 1;
  }
  const comma = line.indexOf(COMMA, cellStart);
  return accountOfReportArn(line.toString('utf8', cellStart, comma === -1 ? line.length : comma).trim());
}

/** Line breaks (`\n`) in `bytes`: the parser numbers lines by them in `\n` and `\r\n` files alike. */
export function countLineBreaks(bytes: Uint8Array, from = 0, to = bytes.length): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let count = 0;
  for (let at = buffer.indexOf(LF, from); at !== -1 && at < to; at = buffer.indexOf(LF, at + 1)) count++;
  return count;
}
