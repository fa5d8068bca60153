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
  return text.length <= 14 && NO_VALUE.has(text.toLowerCase());
}
const IAM_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d+):/;

// Column names per slot, built once: a name assembled on every read costs a fresh string and its hash
// on each of a million rows.
const KEY_COLUMNS = ([1, 2] as const).map((slot) => ({
  slot,
  active: `access_key_${slot}_active`,
  lastRotated: `access_key_${slot}_last_rotated`,
  lastUsed: `access_key_${slot}_last_used_date`,
  service: `access_key_${slot}_last_used_service`,
  region: `access_key_${slot}_last_used_region`,
})) satisfies ReadonlyArray<Record<string, ReportColumn | 1 | 2>>;
const CERT_COLUMNS = ([1, 2] as const).map((slot) => ({
  slot,
  active: `cert_${slot}_active`,
  lastRotated: `cert_${slot}_last_rotated`,
})) satisfies ReadonlyArray<Record<string, ReportColumn | 1 | 2>>;

export function rowToPrincipal(row: ReportRow, file: string): Principal {
  const read = (column: ReportColumn) => row.get(column)?.trim() ?? '';
  const fail = (column: ReportColumn, what: string) =>
    new InputError(`column ${column}: ${what} ${JSON.stringify(truncate(read(column)))}`, file, row.line);

  const date = (column: ReportColumn): EpochMs | null => {
    const text = read(column);
    if (isNoValue(text)) return null;
    const at = parseIsoDateTime(text);
    if (at === null) throw fail(column, 'not an ISO-8601 date-time:');
    return at;
  };
  const bool = (column: ReportColumn, allowNotSupported = false): boolean | 'not_supported' => {
    const raw = read(column);
    // AWS writes lower case; other cases are accepted at the price of a lower-cased copy.
    const text = raw === 'true' || raw === 'false' ? raw : raw.toLowerCase();
    if (text === 'true') return true;
    if (text === 'false') return false;
    if (allowNotSupported && text === 'not_supported') return 'not_supported';
    throw fail(
      column,
      allowNotSupported ? 'expected true, false or not_supported, found' : 'expected true or false, found',
    );
  };
  const text = (column: ReportColumn): string | null | undefined => {
    if (!row.has(column)) return undefined;
    const value = read(column);
    return isNoValue(value) ? null : value;
  };

  const name = read('user');
  if (name === '') throw new InputError('column user: empty user name', file, row.line);
  const arn = read('arn');
  const account = IAM_ARN.exec(arn);
  if (!account) throw fail('arn', 'not an IAM ARN:');
  const createdAt = date('user_creation_time');
  if (createdAt === null) throw fail('user_creation_time', 'expected the creation date-time, found');

  // Every date and boolean column is checked, even where the credential does not exist, so a
  // corrupt report is rejected rather than half-read.
  const passwordEnabled = bool('password_enabled', true);
  const passwordLastUsed = date('password_last_used');
  const passwordLastChanged = date('password_last_changed');
  if (row.has('password_next_rotation')) date('password_next_rotation');
  if (row.has('mfa_active')) bool('mfa_active', true);
  const password =
    passwordEnabled === false ? null : { lastUsed: passwordLastUsed, lastChanged: passwordLastChanged };

  const accessKeys: AccessKeyCredential[] = [];
  for (const columns of KEY_COLUMNS) {
    const active = bool(columns.active) === true;
    const lastRotated = date(columns.lastRotated);
    const lastUsed = date(columns.lastUsed);
    if (!active && lastRotated === null) continue;
    const key: AccessKeyCredential = { slot: columns.slot, active, lastUsed, lastRotated };
    const service = text(columns.service);
    const region = text(columns.region);
    if (service !== undefined) key.lastUsedService = service;
    if (region !== undefined) key.lastUsedRegion = region;
    accessKeys.push(key);
  }

  const signingCertificates: SigningCertificateCredential[] = [];
  for (const columns of CERT_COLUMNS) {
    if (!row.has(columns.active)) continue;
    const active = bool(columns.active) === true;
    const lastRotated = row.has(columns.lastRotated) ? date(columns.lastRotated) : null;
    if (active || lastRotated !== null) signingCertificates.push({ slot: columns.slot, active, lastRotated });
  }

  return {
    accountId: account[1]!,
    type: name === ROOT_USER ? 'root' : 'user',
    name,
    arn,
    createdAt,
    password,
    accessKeys,
    signingCertificates,
    origin: `${file}:${row.line}`,
  };
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
