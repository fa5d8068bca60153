/**
 * Streams an IAM credential report (CSV) into rows keyed by column name. Columns are found by header
 * name, not position (docs/aws-behaviour.md §1.1; a 16-column variant exists in the wild), extra columns are
 * ignored, and every error names the file and line.
 *
 * The CSV grammar is papaparse's core parser, fed one decoded chunk at a time: it splits a chunk with
 * no quote in it by plain string search (a credential report rarely quotes anything), which reads a
 * million-row report several times faster than csv-parse's byte-at-a-time state machine. What
 * papaparse leaves to its caller is done here: line numbers, the record-size limit, empty lines,
 * the field count and turning its errors into ours.
 */
import type { Readable } from 'node:stream';
import Papa from 'papaparse';
import { InputError } from '../../errors.ts';
import { decodeReportText, decodeUtf8 } from './decode-text.ts';

export const REQUIRED_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
] as const;

export const OPTIONAL_COLUMNS = [
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
  'mfa_active',
  'password_next_rotation',
] as const;

const KNOWN_COLUMNS = new Map<string, string>([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS].map((c) => [c, c]));

export type ReportColumn = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

/** Where each known column sits in a record (-1: the report has no such column), fixed by the header. */
export type ReportLayout = { readonly [C in ReportColumn]: number };

export interface ReportRow {
  /** 1-based line of the record's start in the file (the header is line 1). */
  line: number;
  /** The record's raw cells, read through `layout` (the hot path: no lookup by name per cell). */
  readonly cells: readonly string[];
  readonly layout: ReportLayout;
  /** Reads a column's raw text; undefined when the report has no such column. */
  get(column: ReportColumn): string | undefined;
  has(column: ReportColumn): boolean;
}

/** Parses the report; `file` names the input in error messages (`-` for standard input). */
export async function* parseCredentialReport(input: Readable, file: string): AsyncGenerator<ReportRow> {
  for await (const rows of parseCredentialReportChunks(input, file)) yield* rows;
}

// IAM names are at most 64 characters; a record past this is not a credential report.
const MAX_RECORD_CHARS = 1 << 20;

/**
 * The report's rows, a batch per chunk of input (tens of kilobytes), so a caller that walks
 * millions of rows pays for one await per batch rather than per row.
 */
export async function* parseCredentialReportChunks(
  input: Readable,
  file: string,
  resume?: ReportResume,
): AsyncGenerator<ReportRow[]> {
  const reader = resume ? ReportReader.resume(file, resume) : new ReportReader(file);
  try {
    // Resumed mid-file, the text is UTF-8 with no byte-order mark to look for.
    for await (const text of resume ? decodeUtf8(input) : decodeReportText(input)) {
      const rows = reader.push(text, false);
      if (rows.length > 0) yield rows;
      if (reader.failure) throw reader.failure;
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err?.code && typeof err.code === 'string' && err.code.startsWith('E')) {
      throw new InputError(`cannot read: ${err.message}`, file);
    }
    throw e;
  }
  const rows = reader.push('', true);
  if (rows.length > 0) yield rows;
  if (reader.failure) throw reader.failure;
  if (reader.columns === null)
    throw new InputError('empty file: expected a credential report header', file, 1);
}

type ColumnIndex = ReadonlyMap<string, number>;

class CsvReportRow implements ReportRow {
  constructor(
    readonly line: number,
    readonly cells: readonly string[],
    private readonly columns: ColumnIndex,
    readonly layout: ReportLayout,
  ) {}
  get(column: ReportColumn): string | undefined {
    const i = this.columns.get(column);
    return i === undefined ? undefined : this.cells[i];
  }
  has(column: ReportColumn): boolean {
    return this.columns.has(column);
  }
}

interface PapaError {
  code: string;
  row?: number;
}

/** Where a reader starts in the middle of a report: after its header, at a record's first line. */
export interface ReportResume {
  /** The header's cells, as the report spells them. */
  header: readonly string[];
  newline: '\n' | '\r\n';
  /** The 1-based line of the first record to read. */
  line: number;
}

/**
 * The parsing state between chunks: the unparsed tail and the line it starts on. A bad record is
 * `failure`, handed out after the rows before it (push returns them), so the error a caller sees is
 * the first bad line in file order however the input was cut into chunks (the report audit's worker
 * threads each read a part of the file: src/audit/report-workers/).
 */
export class ReportReader {
  columns: ColumnIndex | null = null;
  /** The first bad record (or over-long tail); no rows after it are read. */
  failure: InputError | undefined;
  private layout: ReportLayout | null = null;
  private width = 0;
  private pending = '';
  /** The 1-based line on which `pending` starts. */
  private line = 1;
  private newline: '\n' | '\r\n' | '\r' | undefined;
  private parser: Papa.Parser | undefined;

  constructor(private readonly file: string) {}

  /** A reader for a part of a report that starts at a record, the header read elsewhere. */
  static resume(file: string, at: ReportResume): ReportReader {
    const reader = new ReportReader(file);
    reader.columns = headerIndex([...at.header], file, 1);
    reader.layout = layoutOf(reader.columns);
    reader.width = at.header.length;
    reader.newline = at.newline;
    reader.line = at.line;
    return reader;
  }

  /** Whether everything pushed so far ended at a record's end (no unfinished record is held). */
  get atRecordStart(): boolean {
    return this.pending === '';
  }

  /** Parses what `text` completes; `last` parses the tail too (end of input). Check `failure` after. */
  push(text: string, last: boolean): ReportRow[] {
    if (this.failure) return [];
    const input = this.pending + text;
    this.newline ??= detectNewline(input) ?? (last ? '\n' : undefined);
    if (this.newline === undefined) {
      this.keepTail(input);
      return [];
    }
    this.parser ??= new Papa.Parser({ delimiter: ',', newline: this.newline, quoteChar: '"' });
    const result = this.parser.parse(input, 0, !last) as {
      data: string[][];
      errors: PapaError[];
      meta: { cursor: number };
    };
    const consumed = last ? input.length : result.meta.cursor;
    const rows = this.toRows(
      result.data,
      result.errors,
      last || !oneRecordPerLine(input, consumed, result.data.length, this.newline),
    );
    if (!last && !this.failure) this.keepTail(input.slice(consumed));
    return rows;
  }

  private keepTail(tail: string): void {
    this.pending = tail;
    if (tail.length > MAX_RECORD_CHARS) {
      this.failure = new InputError('not valid CSV: a record is larger than 1 MiB', this.file, this.line);
    }
  }

  /**
   * `multiLine` says some record spans several lines (a quoted line break), so each record's line
   * breaks are counted; otherwise every record is one line and no field is looked at.
   */
  private toRows(records: string[][], errors: PapaError[], multiLine: boolean): ReportRow[] {
    const rows: ReportRow[] = [];
    const lineBreak = this.newline === '\r' ? '\r' : '\n';
    // papaparse reports the record an error is in by index; with more input to come, an error in
    // the unfinished last record (index records.length) is not one yet: it is parsed again later.
    let firstError = records.length;
    for (const e of errors) firstError = Math.min(firstError, e.row ?? 0);
    for (let r = 0; r < records.length; r++) {
      const record = records[r]!;
      const line = this.line;
      this.line += multiLine ? 1 + lineBreaksIn(record, lineBreak) : 1;
      if (r === firstError) {
        this.failure = this.quoteError(errors.find((e) => (e.row ?? 0) === r)!, line);
        break;
      }
      if (record.length === 1 && record[0] === '') continue;
      if (this.columns === null) {
        this.columns = headerIndex(record, this.file, line);
        this.layout = layoutOf(this.columns);
        this.width = record.length;
      } else if (record.length !== this.width) {
        this.failure = new InputError(
          `expected ${this.width} fields as in the header, found ${record.length}`,
          this.file,
          line,
        );
        break;
      } else {
        rows.push(new CsvReportRow(line, record, this.columns, this.layout!));
      }
    }
    return rows;
  }

  private quoteError(error: PapaError, line: number): InputError {
    const what =
      error.code === 'MissingQuotes' ? 'a quoted field is never closed' : 'a quote in the middle of a field';
    return new InputError(`not valid CSV: ${what}`, this.file, line);
  }
}

function headerIndex(header: string[], file: string, line: number): Map<string, number> {
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    // The known names as the constants themselves (interned), so each lookup compares pointers.
    const key = KNOWN_COLUMNS.get(name.trim()) ?? name.trim();
    const first = index.get(key);
    if (first === undefined) index.set(key, i);
    else if (KNOWN_COLUMNS.has(key)) {
      // Two cells for one fact (a spreadsheet's merge, an edited report): which is the report's own
      // cannot be told, and the first one read could make a used key look unused. IAM writes each once.
      throw new InputError(
        `not a credential report: column ${key} appears twice (fields ${first + 1} and ${i + 1})`,
        file,
        line,
      );
    }
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) {
    const what = missing.length === 1 ? 'column' : 'columns';
    throw new InputError(
      `not a credential report: missing ${what} ${missing.join(', ')}`,
      file,
      line,
      'download it with `aws iam get-credential-report --query Content --output text | base64 --decode`',
    );
  }
  return index;
}

function layoutOf(columns: ColumnIndex): ReportLayout {
  const layout: Record<string, number> = {};
  for (const column of [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]) layout[column] = columns.get(column) ?? -1;
  return layout as ReportLayout;
}

/** The line end of the first record: `\r\n`, `\n` or a lone `\r` (old Mac exports). */
function detectNewline(text: string): '\n' | '\r\n' | '\r' | undefined {
  const lf = text.indexOf('\n');
  const cr = text.indexOf('\r');
  if (cr === -1 || (lf !== -1 && lf < cr)) return lf === -1 ? undefined : '\n';
  if (cr === text.length - 1) return undefined; // a \r\n split across chunks, or the end
  return text[cr + 1] === '\n' ? '\r\n' : '\r';
}

/** Whether `text` up to `end` holds exactly `records` line breaks, i.e. no record spans two lines. */
function oneRecordPerLine(text: string, end: number, records: number, newline: string): boolean {
  // With no quote, papaparse splits at each line end, a record a line; only in a \r\n report can a
  // bare \n (a line break the lines are numbered by) sit inside a record. Most chunks of a report
  // have no quote: one search instead of one per line.
  if (newline !== '\r\n' && text.indexOf('"') === -1) return true;
  const lineBreak = newline === '\r' ? '\r' : '\n';
  let count = 0;
  for (let at = text.indexOf(lineBreak); at !== -1 && at < end; at = text.indexOf(lineBreak, at + 1)) count++;
  return count === records;
}

function lineBreaksIn(record: readonly string[], lineBreak: string): number {
  let count = 0;
  for (const field of record) {
    for (let at = field.indexOf(lineBreak); at !== -1; at = field.indexOf(lineBreak, at + 1)) count++;
  }
  return count;
}
