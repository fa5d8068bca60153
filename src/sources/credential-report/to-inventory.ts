/**
 * Turns one credential-report row into a Principal. Pure: the exact value semantics live here
 * (docs/aws-behaviour.md §1.1–1.3): `N/A`, `no_information`, `not_supported` and empty mean "no date";
 * booleans in any case; the root row is `<root_account>`.
 */
import { InputError } from '../../errors.ts';
import type { AccessKeyCredential, Principal, SigningCertificateCredential } from '../../model/inventory.ts';
import { type EpochMs, parseIsoDateTime } from '../../time.ts';
import type { ReportColumn, ReportRow } from './parse-csv.ts';

export const ROOT_USER = '<root_account>';
const NO_VALUE = new Set(['n/a', 'no_information', 'not_supported', '']);

/** `N/A`, `no_information`, `not_supported` or empty, in any case: no date, no value. */
function isNoValue(text: string): boolean {
  // AWS's own spellings first: most cells of a report are one of them, and need no lower-cased copy.
  if (text === 'N/A' || text === '' || text === 'no_information' || text === 'not_supported') return true;
  // The longest of the words is 14 characters; a date or a name past that is a value.
  if (text.length > 14) return false;
  // Each word starts with n: a region or service name (us-east-1, s3) needs no lower-cased copy.
  const first = text.charCodeAt(0);
  if (first < 128 && first !== 110 /* n */ && first !== 78 /* N */) return false;
  return NO_VALUE.has(text.toLowerCase());
}
const IAM_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d+):/;

/** The account a row's `arn` cell (trimmed) puts its principal in, as rowToPrincipal reads it; undefined: not an IAM ARN. */
export function accountOfReportArn(arn: string): string | undefined {
  return IAM_ARN.exec(arn)?.[1];
}

// An account's rows come together: the row before's ARN up to its account id's end
// (`arn:aws:iam::123456789012:`) and that account, so most rows need no match of the expression
// (the match is the same: it is decided within that prefix).
let previousArnStart = '';
let previousAccountId = '';

function accountOfArn(arn: string): string | undefined {
  if (previousArnStart !== '' && arn.startsWith(previousArnStart)) return previousAccountId;
  const match = IAM_ARN.exec(arn);
  if (!match) return undefined;
  previousArnStart = match[0];
  previousAccountId = match[1]!;
  return previousAccountId;
}

// `file:` of the file before, for each principal's origin (`file:line`).
let originFile: string | undefined;
let originPrefix = '';

function originOf(file: string, line: number): string {
  if (file !== originFile) {
    originFile = file;
    originPrefix = `${file}:`;
  }
  return originPrefix + line;
}

// The columns of each slot, named once (the names appear only in error messages).
const KEY_COLUMN_NAMES = ([1, 2] as const).map((slot) => ({
  active: `access_key_${slot}_active`,
  lastRotated: `access_key_${slot}_last_rotated`,
  lastUsed: `access_key_${slot}_last_used_date`,
})) satisfies ReadonlyArray<Record<string, ReportColumn>>;
const CERT_COLUMN_NAMES = ([1, 2] as const).map((slot) => ({
  active: `cert_${slot}_active`,
  lastRotated: `cert_${slot}_last_rotated`,
})) satisfies ReadonlyArray<Record<string, ReportColumn>>;

// A million-row report reads 22 million cells: each is found by its index in the header's layout
// (row.layout), not looked up by name, and read by plain functions rather than closures made per row.

/** A cell's text, trimmed; '' when the report has no such column (index -1). */
function cellAt(row: ReportRow, index: number): string {
  if (index < 0) return '';
  const raw = row.cells[index];
  if (raw === undefined) return '';
  // Most cells have no surrounding space: skip the trim call for them.
  const first = raw.charCodeAt(0);
  const last = raw.charCodeAt(raw.length - 1);
  return first > 32 && first < 127 && last > 32 && last < 127 ? raw : raw.trim();
}

function failAt(row: ReportRow, index: number, column: ReportColumn, what: string, file: string): InputError {
  return new InputError(
    `column ${column}: ${what} ${JSON.stringify(truncate(cellAt(row, index)))}`,
    file,
    row.line,
  );
}

function dateAt(row: ReportRow, index: number, column: ReportColumn, file: string): EpochMs | null {
  const text = cellAt(row, index);
  if (isNoValue(text)) return null;
  const at = parseIsoDateTime(text);
  if (at === null) throw failAt(row, index, column, 'not an ISO-8601 date-time:', file);
  return at;
}

function boolAt(
  row: ReportRow,
  index: number,
  column: ReportColumn,
  file: string,
  allowNotSupported = false,
): boolean | 'not_supported' {
  const raw = cellAt(row, index);
  // AWS writes lower case; other cases are accepted at the price of a lower-cased copy.
  const text = raw === 'true' || raw === 'false' ? raw : raw.toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (allowNotSupported && text === 'not_supported') return 'not_supported';
  throw failAt(
    row,
    index,
    column,
    allowNotSupported ? 'expected true, false or not_supported, found' : 'expected true or false, found',
    file,
  );
}

/** A text column's value; null for no value, undefined when the report has no such column. */
function textAt(row: ReportRow, index: number): string | null | undefined {
  if (index < 0) return undefined;
  const value = cellAt(row, index);
  return isNoValue(value) ? null : value;
}

function accessKeyAt(
  row: ReportRow,
  slot: 1 | 2,
  at: { active: number; lastRotated: number; lastUsed: number; service: number; region: number },
  file: string,
): AccessKeyCredential | undefined {
  const names = KEY_COLUMN_NAMES[slot - 1]!;
  const active = boolAt(row, at.active, names.active, file) === true;
  const lastRotated = dateAt(row, at.lastRotated, names.lastRotated, file);
  const lastUsed = dateAt(row, at.lastUsed, names.lastUsed, file);
  if (!active && lastRotated === null) return undefined;
  const key: AccessKeyCredential = { slot, active, lastUsed, lastRotated };
  const service = textAt(row, at.service);
  const region = textAt(row, at.region);
  if (service !== undefined) key.lastUsedService = service;
  if (region !== undefined) key.lastUsedRegion = region;
  return key;
}

function certificateAt(
  row: ReportRow,
  slot: 1 | 2,
  activeIndex: number,
  lastRotatedIndex: number,
  file: string,
): SigningCertificateCredential | undefined {
  if (activeIndex < 0) return undefined;
  const names = CERT_COLUMN_NAMES[slot - 1]!;
  const active = boolAt(row, activeIndex, names.active, file) === true;
  const lastRotated = lastRotatedIndex < 0 ? null : dateAt(row, lastRotatedIndex, names.lastRotated, file);
  return active || lastRotated !== null ? { slot, active, lastRotated } : undefined;
}

export function rowToPrincipal(row: ReportRow, file: string): Principal {
  const at = row.layout;
  const name = cellAt(row, at.user);
  if (name === '') throw new InputError('column user: empty user name', file, row.line);
  const arn = cellAt(row, at.arn);
  const accountId = accountOfArn(arn);
  if (accountId === undefined) throw failAt(row, at.arn, 'arn', 'not an IAM ARN:', file);
  const createdAt = dateAt(row, at.user_creation_time, 'user_creation_time', file);
  if (createdAt === null)
    throw failAt(
      row,
      at.user_creation_time,
      'user_creation_time',
      'expected the creation date-time, found',
      file,
    );

  // Every date and boolean column is checked, even where the credential does not exist, so a
  // corrupt report is rejected rather than half-read.
  const passwordEnabled = boolAt(row, at.password_enabled, 'password_enabled', file, true);
  const passwordLastUsed = dateAt(row, at.password_last_used, 'password_last_used', file);
  const passwordLastChanged = dateAt(row, at.password_last_changed, 'password_last_changed', file);
  if (at.password_next_rotation >= 0) dateAt(row, at.password_next_rotation, 'password_next_rotation', file);
  if (at.mfa_active >= 0) boolAt(row, at.mfa_active, 'mfa_active', file, true);
  const password =
    passwordEnabled === false ? null : { lastUsed: passwordLastUsed, lastChanged: passwordLastChanged };

  const accessKeys: AccessKeyCredential[] = [];
  const key1 = accessKeyAt(
    row,
    1,
    {
      active: at.access_key_1_active,
      lastRotated: at.access_key_1_last_rotated,
      lastUsed: at.access_key_1_last_used_date,
      service: at.access_key_1_last_used_service,
      region: at.access_key_1_last_used_region,
    },
    file,
  );
  if (key1) accessKeys.push(key1);
  const key2 = accessKeyAt(
    row,
    2,
    {
      active: at.access_key_2_active,
      lastRotated: at.access_key_2_last_rotated,
      lastUsed: at.access_key_2_last_used_date,
      service: at.access_key_2_last_used_service,
      region: at.access_key_2_last_used_region,
    },
    file,
  );
  if (key2) accessKeys.push(key2);

  const signingCertificates: SigningCertificateCredential[] = [];
  const cert1 = certificateAt(row, 1, at.cert_1_active, at.cert_1_last_rotated, file);
  if (cert1) signingCertificates.push(cert1);
  const cert2 = certificateAt(row, 2, at.cert_2_active, at.cert_2_last_rotated, file);
  if (cert2) signingCertificates.push(cert2);

  return {
    accountId,
    type: name === ROOT_USER ? 'root' : 'user',
    name,
    arn,
    createdAt,
    password,
    accessKeys,
    signingCertificates,
    origin: originOf(file, row.line),
  };
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
