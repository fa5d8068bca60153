/**
 * Day arithmetic and AWS timestamp parsing. Nothing here reads the clock: "now" is always passed in.
 */

export const MS_PER_DAY = 86_400_000;

/** Epoch milliseconds, UTC. */
export type EpochMs = number;

// ISO-8601 date-time as AWS writes it (`2014-09-01T22:28:48+00:00`), plus `Z`, fractional seconds and
// other offsets (converted to UTC). A date alone is not a timestamp in a credential report.
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)$/i;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Years credsweep accepts: AWS has no credential before 1970, and `Date.UTC` reads years below 100 as
 * 19xx (`0001-01-01` became 1901), so anything outside 1970–9999 is refused rather than reinterpreted.
 * UTC offsets go from -12:00 to +14:00 in practice; beyond ±14:00 (or with 60+ minutes) is refused.
 */
export const FIRST_YEAR = 1970;
export const LAST_YEAR = 9999;
const MAX_OFFSET_MINUTES = 14 * 60;

/** True for a year credsweep reads (FIRST_YEAR–LAST_YEAR): the fast date parsers check it too. */
export function yearInRange(year: number): boolean {
  return year >= FIRST_YEAR && year <= LAST_YEAR;
}

/** Parses an ISO-8601 date-time; returns null when the text is not one (or names an impossible date). */
export function parseIsoDateTime(text: string): EpochMs | null {
  const fast = awsUtcTimestamp(text);
  if (fast !== undefined) return fast;
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '0', frac = '0', zone] = m;
  const offset = zoneOffsetMs(zone!);
  if (!yearInRange(+y!) || offset === null) return null;
  const utc = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s, Math.floor(Number(`0.${frac}`) * 1000));
  const check = new Date(utc);
  if (
    check.getUTCFullYear() !== +y! ||
    check.getUTCMonth() !== +mo! - 1 ||
    check.getUTCDate() !== +d! ||
    +h! > 23 ||
    +mi! > 59 ||
    +s > 59
  ) {
    return null;
  }
  return utc - offset;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The two-digit number at `i`, or -1. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * `YYYY-MM-DDTHH:MM:SS+00:00`, the one form IAM and the credential report write, read without the
 * regular expression (a million-row report has millions of these); undefined for any other text,
 * which the general parser then reads. Same answers as the general parser (a test checks).
 */
function awsUtcTimestamp(text: string): EpochMs | null | undefined {
  // Character codes, not one-character strings: - (45), T (84), : (58), + (43), 0 (48).
  if (text.length !== 25 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  if (text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58)
    return undefined;
  if (
    text.charCodeAt(19) !== 43 ||
    text.charCodeAt(20) !== 48 ||
    text.charCodeAt(21) !== 48 ||
    text.charCodeAt(22) !== 58 ||
    text.charCodeAt(23) !== 48 ||
    text.charCodeAt(24) !== 48
  )
    return undefined;
  const century = twoDigits(text, 0);
  const yy = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  // years before 100 are left to the general parser (Date.UTC reads them as 19xx)
  if (century < 1 || yy < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  const year = century * 100 + yy;
  if (!yearInRange(year)) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (monthDays === undefined || day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59)
    return null;
  return (daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second) * 1000;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil): integer
 * arithmetic, without the Date.UTC call that dominated reading a million-row report.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The offset in milliseconds, or null beyond ±14:00 or with 60 minutes or more. */
function zoneOffsetMs(zone: string): number | null {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  const total = hours * 60 + minutes;
  if (minutes > 59 || total > MAX_OFFSET_MINUTES) return null;
  return sign * total * 60_000;
}

/** `YYYY-MM-DD` (midnight UTC) or a full ISO-8601 date-time, as `--as-of` accepts. */
export function parseAsOf(text: string): EpochMs | null {
  const d = ISO_DATE.exec(text);
  if (d) {
    if (!yearInRange(+d[1]!)) return null;
    const utc = Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!);
    const check = new Date(utc);
    return check.getUTCDate() === +d[3]! && check.getUTCMonth() === +d[2]! - 1 ? utc : null;
  }
  return parseIsoDateTime(text);
}

/** ISO-8601 UTC with `Z`, seconds precision unless milliseconds are present. */
export function toIso(ms: EpochMs): string {
  if (ms % 1000 === 0 && ms >= YEAR_1000 && ms < YEAR_10000) return wholeSecondIso(ms);
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

const YEAR_1000 = Date.UTC(1000, 0, 1);
const YEAR_10000 = Date.UTC(10000, 0, 1);

/**
 * `YYYY-MM-DDTHH:MM:SSZ` of whole seconds in four-digit years (every date AWS writes): the date by
 * integer arithmetic (H. Hinnant's civil_from_days, the inverse of daysFromCivil) and the text made
 * in one piece by String.fromCharCode, several times faster than a Date per call. A million-row
 * report formats millions of these; a string joined from parts would also have to be flattened
 * again by JSON.stringify and by the writer.
 */
function wholeSecondIso(ms: EpochMs): string {
  // Every value below is a whole number from 0 to a few million (days since 0000-03-01, as
  // civil_from_days shifts them, are positive from year 1000 on), so `(a / b) | 0` is the floor, and
  // V8 compiles it to integer arithmetic rather than floating-point division.
  const days = Math.floor(ms / MS_PER_DAY);
  const seconds = ((ms - days * MS_PER_DAY) / 1000) | 0;
  const hour = (seconds / 3600) | 0;
  const minute = ((seconds / 60) | 0) % 60;
  const second = seconds % 60;
  const z = (days + 719_468) | 0;
  const era = (z / 146_097) | 0;
  const dayOfEra = z - era * 146_097;
  const yearOfEra =
    ((dayOfEra - ((dayOfEra / 1460) | 0) + ((dayOfEra / 36_524) | 0) - ((dayOfEra / 146_096) | 0)) / 365) | 0;
  const dayOfYear = dayOfEra - (365 * yearOfEra + ((yearOfEra / 4) | 0) - ((yearOfEra / 100) | 0));
  const monthIndex = ((5 * dayOfYear + 2) / 153) | 0;
  const day = dayOfYear - (((153 * monthIndex + 2) / 5) | 0) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  // character codes: 0 is 48, - 45, T 84, : 58, Z 90
  return String.fromCharCode(
    48 + ((year / 1000) | 0),
    48 + (((year / 100) | 0) % 10),
    48 + (((year / 10) | 0) % 10),
    48 + (year % 10),
    45,
    48 + ((month / 10) | 0),
    48 + (month % 10),
    45,
    48 + ((day / 10) | 0),
    48 + (day % 10),
    84,
    48 + ((hour / 10) | 0),
    48 + (hour % 10),
    58,
    48 + ((minute / 10) | 0),
    48 + (minute % 10),
    58,
    48 + ((second / 10) | 0),
    48 + (second % 10),
    90,
  );
}

/** Whole days from `from` to `to`, rounded down (negative when `to` is earlier). */
export function wholeDaysBetween(from: EpochMs, to: EpochMs): number {
  return Math.floor((to - from) / MS_PER_DAY);
}

export function daysBefore(ms: EpochMs, days: number): EpochMs {
  return ms - days * MS_PER_DAY;
}
