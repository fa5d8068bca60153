/**
 * From field spans to the aggregator: decides from the raw bytes whether a record can matter (a
 * counted access key, an AssumeRole*, a ConsoleLogin) and materialises strings only for those. Most
 * records (role sessions, AWS services) cost a handful of byte comparisons.
 */
import {
  createTrailAggregator,
  emptyTrailRecord,
  parseEventTime,
  type TrailAggregator,
  type TrailRecord,
} from './aggregate.ts';
import {
  CloudTrailJsonScanner,
  F,
  FIELD_COUNT,
  JsonScanError,
  type RecordHandler,
  SPAN_ESCAPED,
  SPAN_HAS_EVENT_NAME,
} from './scan-json.ts';
import { yearInRange } from '../../time.ts';

export interface ExtractOptions {
  includeTemporary: boolean;
  /** A --since/--until window is set: every record's time is needed for the count. */
  windowed: boolean;
}

const EMPTY: TrailRecord = emptyTrailRecord();
const ASSUME_ROLE = Buffer.from('AssumeRole', 'latin1');
const CONSOLE_LOGIN = Buffer.from('ConsoleLogin', 'latin1');

/** Buffer's own decoder, without the argument checks of toString() (a measurable share of the scan). */
type SliceableBuffer = Buffer & { utf8Slice(start: number, end: number): string };

function spanString(buf: Buffer, sp: Int32Array, at: number, field: number): string | null {
  const start = sp[at + 2 * field]!;
  if (start < 0) return null;
  const end = sp[at + 2 * field + 1]!;
  if ((sp[at + SPAN_ESCAPED]! & (1 << field)) !== 0)
    return JSON.parse(buf.toString('utf8', start - 1, end + 1)) as string;
  return (buf as SliceableBuffer).utf8Slice(start, end);
}

function startsWith(buf: Buffer, start: number, end: number, what: Buffer): boolean {
  if (end - start < what.length) return false;
  for (let k = 0; k < what.length; k++) if (buf[start + k] !== what[k]) return false;
  return true;
}

function twoDigits(buf: Buffer, at: number): number {
  const a = buf[at]! - 48;
  const b = buf[at + 1]! - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** eventTime straight from the bytes when it has CloudTrail's own form `YYYY-MM-DDTHH:MM:SSZ`. */
function eventTimeOf(buf: Buffer, sp: Int32Array, at: number): number | null {
  const start = sp[at + 2 * F.eventTime]!;
  if (start < 0) return null;
  const end = sp[at + 2 * F.eventTime + 1]!;
  if (end - start === 20 && buf[start + 19] === 0x5a && buf[start + 10] === 0x54) {
    const c = twoDigits(buf, start);
    const y = twoDigits(buf, start + 2);
    const mo = twoDigits(buf, start + 5);
    const d = twoDigits(buf, start + 8);
    const h = twoDigits(buf, start + 11);
    const mi = twoDigits(buf, start + 14);
    const s = twoDigits(buf, start + 17);
    if (
      c >= 0 &&
      y >= 0 &&
      mo >= 1 &&
      mo <= 12 &&
      d >= 1 &&
      d <= 28 &&
      h >= 0 &&
      h <= 23 &&
      mi >= 0 &&
      mi <= 59
    ) {
      // (a year outside 1970–9999 goes to parseEventTime, which refuses it: Date.UTC reads 0000 as 1900)
      if (s >= 0 && s <= 59 && yearInRange(c * 100 + y)) return Date.UTC(c * 100 + y, mo - 1, d, h, mi, s);
    }
  }
  const text = spanString(buf, sp, at, F.eventTime);
  return text === null ? null : parseEventTime(text);
}

const bits = (...fields: number[]) => fields.reduce((m, f) => m | (1 << f), 0);
/**
 * The fields aggregate.ts reads for each kind of record (its addKeyUse, addAssumption and addLogin);
 * the others stay null, which saves most of the string decoding: nearly half the records of a
 * typical trail are access-key calls.
 */
const KEY_FIELDS = bits(
  F.accessKeyId,
  F.identityArn,
  F.eventName,
  F.sourceIPAddress,
  F.eventSource,
  F.awsRegion,
);
const ASSUME_FIELDS = bits(
  F.eventName,
  F.errorCode,
  F.roleArn,
  F.identityArn,
  F.invokedBy,
  F.principalId,
  F.sourceIPAddress,
);
const LOGIN_FIELDS = bits(F.eventName, F.identityArn, F.consoleLogin);
const ALL_FIELDS = (1 << FIELD_COUNT) - 1;

/** The record at `at` in the span table, with the strings of `fields` (a bit per F) and null elsewhere. */
export function recordFromSpans(buf: Buffer, sp: Int32Array, at: number, fields = ALL_FIELDS): TrailRecord {
  const get = (f: number) => ((fields & (1 << f)) !== 0 ? spanString(buf, sp, at, f) : null);
  return {
    eventTime: get(F.eventTime),
    eventSource: get(F.eventSource),
    eventName: get(F.eventName),
    awsRegion: get(F.awsRegion),
    sourceIPAddress: get(F.sourceIPAddress),
    errorCode: get(F.errorCode),
    identityType: get(F.identityType),
    identityArn: get(F.identityArn),
    accessKeyId: get(F.accessKeyId),
    principalId: get(F.principalId),
    invokedBy: get(F.invokedBy),
    roleArn: get(F.roleArn),
    consoleLogin: get(F.consoleLogin),
  };
}

/** A record handler feeding `agg`; throws JsonScanError for an object that is not a CloudTrail record. */
export function aggregatingHandler(agg: TrailAggregator, options: ExtractOptions): RecordHandler {
  const { includeTemporary, windowed } = options;
  let seen = 0;
  const handler: RecordHandler = (buf, sp, at) => {
    seen += 1;
    if (sp[at + 2 * F.cloudTrailEvent]! >= 0) {
      // lookup-events output: the record is JSON text inside the event (docs/aws-behaviour.md §4.4)
      const inner = Buffer.from(spanString(buf, sp, at, F.cloudTrailEvent)!, 'utf8');
      const scanner = new CloudTrailJsonScanner(handler);
      try {
        scanner.scan(inner, true);
      } catch (e) {
        if (e instanceof JsonScanError)
          throw new JsonScanError(`record ${seen}: CloudTrailEvent: ${e.message}`);
        throw e;
      }
      if (scanner.records !== 1)
        throw new JsonScanError(`record ${seen}: CloudTrailEvent does not hold one record`);
      return;
    }
    if (sp[at + SPAN_HAS_EVENT_NAME] === 0) {
      throw new JsonScanError(`not a CloudTrail file: record ${seen} has no eventName`);
    }
    let fields = 0;
    const keyStart = sp[at + 2 * F.accessKeyId]!;
    if (keyStart >= 0 && sp[at + 2 * F.accessKeyId + 1]! - keyStart >= 4 && buf[keyStart] === 0x41 /* A */) {
      const second = buf[keyStart + 1];
      const third = buf[keyStart + 2];
      const fourth = buf[keyStart + 3];
      // AKIA… long-term, ASIA… temporary (docs/aws-behaviour.md §4.2), APKA… an SSH public key
      // CodeCommit authenticated (§9)
      if (
        (third === 0x49 && fourth === 0x41 && (second === 0x4b || (includeTemporary && second === 0x53))) ||
        (second === 0x50 && third === 0x4b && fourth === 0x41)
      ) {
        fields = KEY_FIELDS;
      }
    }
    const nameStart = sp[at + 2 * F.eventName]!;
    if (nameStart >= 0) {
      const nameEnd = sp[at + 2 * F.eventName + 1]!;
      if (startsWith(buf, nameStart, nameEnd, ASSUME_ROLE)) fields |= ASSUME_FIELDS;
      else if (nameEnd - nameStart === 12 && startsWith(buf, nameStart, nameEnd, CONSOLE_LOGIN))
        fields |= LOGIN_FIELDS;
    }
    if (fields === 0) {
      agg.addAt(EMPTY, windowed ? eventTimeOf(buf, sp, at) : 0);
      return;
    }
    agg.addAt(recordFromSpans(buf, sp, at, fields), eventTimeOf(buf, sp, at));
  };
  return handler;
}

/** Scans one whole in-memory document (tests, small inputs) into a fresh aggregator state. */
export function scanTrailDocument(
  doc: Buffer,
  options: { includeTemporary?: boolean; since?: number; until?: number } = {},
): TrailAggregator {
  const agg = createTrailAggregator(options);
  const scanner = new CloudTrailJsonScanner(
    aggregatingHandler(agg, {
      includeTemporary: options.includeTemporary ?? false,
      windowed: options.since !== undefined || options.until !== undefined,
    }),
  );
  scanner.scan(doc, true);
  return agg;
}
