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
  JsonScanError,
  type RecordHandler,
  SPAN_ESCAPED,
  SPAN_HAS_EVENT_NAME,
} from './scan-json.ts';

export interface ExtractOptions {
  includeTemporary: boolean;
  /** A --since/--until window is set: every record's time is needed for the count. */
  windowed: boolean;
}

const EMPTY: TrailRecord = emptyTrailRecord();
const ASSUME_ROLE = Buffer.from('AssumeRole', 'latin1');
const CONSOLE_LOGIN = Buffer.from('ConsoleLogin', 'latin1');

function spanString(buf: Buffer, sp: Int32Array, field: number): string | null {
  const start = sp[2 * field]!;
  if (start < 0) return null;
  const end = sp[2 * field + 1]!;
  if ((sp[SPAN_ESCAPED]! & (1 << field)) !== 0)
    return JSON.parse(buf.toString('utf8', start - 1, end + 1)) as string;
  return buf.toString('utf8', start, end);
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
function eventTimeOf(buf: Buffer, sp: Int32Array): number | null {
  const start = sp[2 * F.eventTime]!;
  if (start < 0) return null;
  const end = sp[2 * F.eventTime + 1]!;
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
      if (s >= 0 && s <= 59) return Date.UTC(c * 100 + y, mo - 1, d, h, mi, s);
    }
  }
  const text = spanString(buf, sp, F.eventTime);
  return text === null ? null : parseEventTime(text);
}

export function recordFromSpans(buf: Buffer, sp: Int32Array): TrailRecord {
  return {
    eventTime: spanString(buf, sp, F.eventTime),
    eventSource: spanString(buf, sp, F.eventSource),
    eventName: spanString(buf, sp, F.eventName),
    awsRegion: spanString(buf, sp, F.awsRegion),
    sourceIPAddress: spanString(buf, sp, F.sourceIPAddress),
    errorCode: spanString(buf, sp, F.errorCode),
    identityType: spanString(buf, sp, F.identityType),
    identityArn: spanString(buf, sp, F.identityArn),
    accessKeyId: spanString(buf, sp, F.accessKeyId),
    principalId: spanString(buf, sp, F.principalId),
    invokedBy: spanString(buf, sp, F.invokedBy),
    roleArn: spanString(buf, sp, F.roleArn),
    consoleLogin: spanString(buf, sp, F.consoleLogin),
  };
}

/** A record handler feeding `agg`; throws JsonScanError for an object that is not a CloudTrail record. */
export function aggregatingHandler(agg: TrailAggregator, options: ExtractOptions): RecordHandler {
  const { includeTemporary, windowed } = options;
  let seen = 0;
  const handler: RecordHandler = (buf, sp) => {
    seen += 1;
    if (sp[2 * F.cloudTrailEvent]! >= 0) {
      // lookup-events output: the record is JSON text inside the event (AWS-SEMANTICS §4.4)
      const inner = Buffer.from(spanString(buf, sp, F.cloudTrailEvent)!, 'utf8');
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
    if (sp[SPAN_HAS_EVENT_NAME] === 0) {
      throw new JsonScanError(`not a CloudTrail file: record ${seen} has no eventName`);
    }
    let relevant = false;
    const keyStart = sp[2 * F.accessKeyId]!;
    if (keyStart >= 0 && sp[2 * F.accessKeyId + 1]! - keyStart >= 4 && buf[keyStart] === 0x41 /* A */) {
      const second = buf[keyStart + 1];
      // AKIA… long-term, ASIA… temporary (AWS-SEMANTICS §4.2)
      if (buf[keyStart + 2] === 0x49 && buf[keyStart + 3] === 0x41) {
        relevant = second === 0x4b || (includeTemporary && second === 0x53);
      }
    }
    if (!relevant) {
      const nameStart = sp[2 * F.eventName]!;
      if (nameStart >= 0) {
        const nameEnd = sp[2 * F.eventName + 1]!;
        relevant =
          startsWith(buf, nameStart, nameEnd, ASSUME_ROLE) ||
          (nameEnd - nameStart === 12 && startsWith(buf, nameStart, nameEnd, CONSOLE_LOGIN));
      }
    }
    if (!relevant) {
      agg.addAt(EMPTY, windowed ? eventTimeOf(buf, sp) : 0);
      return;
    }
    agg.addAt(recordFromSpans(buf, sp), eventTimeOf(buf, sp));
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
