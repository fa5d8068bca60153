/**
 * The aggregation's fields from a CloudTrail record that is already a JS object: the record inside a
 * LookupEvents `CloudTrailEvent` string (docs/aws-behaviour.md §4.4), or any parsed record. File scans use
 * the faster byte-level extraction of scan-json.ts instead.
 */
import { emptyTrailRecord, type TrailRecord } from './aggregate.ts';

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function field(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' && !Array.isArray(obj)
    ? (obj as Record<string, unknown>)[key]
    : undefined;
}

/** null when `value` is not a CloudTrail record (not an object, or no eventName/eventTime). */
export function trailRecordFromObject(value: unknown): TrailRecord | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const eventName = text(field(value, 'eventName'));
  const eventTime = text(field(value, 'eventTime'));
  if (eventName === null && eventTime === null) return null;
  const identity = field(value, 'userIdentity');
  const accessKeyId = text(field(identity, 'accessKeyId'));
  return {
    ...emptyTrailRecord(),
    eventTime,
    eventName,
    eventSource: text(field(value, 'eventSource')),
    awsRegion: text(field(value, 'awsRegion')),
    sourceIPAddress: text(field(value, 'sourceIPAddress')),
    errorCode: text(field(value, 'errorCode')),
    identityType: text(field(identity, 'type')),
    identityArn: text(field(identity, 'arn')),
    // CloudTrail may write an empty accessKeyId (console sign-ins, docs/aws-behaviour.md §4.2).
    accessKeyId: accessKeyId === '' ? null : accessKeyId,
    principalId: text(field(identity, 'principalId')),
    invokedBy: text(field(identity, 'invokedBy')),
    roleArn: text(field(field(value, 'requestParameters'), 'roleArn')),
    consoleLogin: text(field(field(value, 'responseElements'), 'ConsoleLogin')),
  };
}
