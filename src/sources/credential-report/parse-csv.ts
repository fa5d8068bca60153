/**
 * Streams an IAM credential report (CSV) into rows keyed by column name. Columns are found by header
 * name, not position (AWS-SEMANTICS §1.1; a 16-column variant exists in the wild), extra columns are
 * ignored, and every error names the file and line.
 */
import type { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { InputError } from '../../errors.ts';

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

export type ReportColumn = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

export interface ReportRow {
  /** 1-based line of the record's start in the file (the header is line 1). */
  line: number;
  /** Reads a column's raw text; undefined when the report has no such column. */
  get(column: ReportColumn): string | undefined;
  has(column: ReportColumn): boolean;
}

/** Parses the report; `file` names the input in error messages (`-` for standard input). */
export async function* parseCredentialReport(input: Readable, file: string): AsyncGenerator<ReportRow> {
  const parser = input.pipe(
    parse({
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      // IAM names are at most 64 characters; a field past this is not a credential report.
      max_record_size: 1 << 20,
    }),
  );
  input.on('error', (e) => parser.destroy(e));
  let index: Map<string, number> | null = null;
  let width = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      const line = info.lines;
      if (index === null) {
        index = headerIndex(record, file, line);
        width = record.length;
        continue;
      }
      if (record.length !== width) {
        throw new InputError(`expected ${width} fields as in the header, found ${record.length}`, file, line);
      }
      const columns = index;
      yield {
        line,
        get: (column) => {
          const i = columns.get(column);
          return i === undefined ? undefined : record[i];
        },
        has: (column) => columns.has(column),
      };
    }
  } catch (e) {
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines;
      throw new InputError(`not valid CSV: ${csvProblem(e)}`, file, line);
    }
    if (e instanceof InputError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err?.code && typeof err.code === 'string' && err.code.startsWith('E')) {
      throw new InputError(`cannot read: ${err.message}`, file);
    }
    throw e;
  }
  if (index === null) throw new InputError('empty file: expected a credential report header', file, 1);
}

function headerIndex(header: string[], file: string, line: number): Map<string, number> {
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    const key = name.trim();
    if (!index.has(key)) index.set(key, i);
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

function csvProblem(e: CsvError): string {
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
      return 'a quote in the middle of a field';
    case 'CSV_MAX_RECORD_SIZE':
      return 'a record is larger than 1 MiB';
    default:
      return e.message.replace(/^Invalid Record Length: /, '').split(':')[0] ?? e.code;
  }
}
