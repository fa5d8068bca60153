/**
 * A small CloudTrail delivery tree for tests, written to a directory or to S3: good files in the
 * account and organisation layouts, folders a scan must skip, and one bad file of each kind.
 */
import { gzipSync } from 'node:zlib';

export const ACCOUNT = '111122223333';
const base = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1`;

export function aTrailRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEALICE',
      arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAALICEKEY00000001',
      userName: 'alice',
    },
    eventTime: '2026-10-01T10:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.1',
    userAgent: 'aws-cli/2.17.20',
    requestParameters: null,
    responseElements: null,
    eventID: 'e',
    ...overrides,
  };
}

const gz = (records: unknown[]) => gzipSync(JSON.stringify({ Records: records }));

/** path → bytes. `good` files hold 5 records in all; each `bad/…` kind is named by its key. */
export function trailTree(): { files: Map<string, Buffer>; good: string[]; bad: Record<string, string> } {
  const files = new Map<string, Buffer>();
  const good = [
    `${base}/2026/09/30/${ACCOUNT}_CloudTrail_us-east-1_20260930T2355Z_a.json.gz`,
    `${base}/2026/10/01/${ACCOUNT}_CloudTrail_us-east-1_20261001T1005Z_b.json.gz`,
    `${base}/2026/10/02/${ACCOUNT}_CloudTrail_us-east-1_20261002T0005Z_c.json`,
    `AWSLogs/o-abc123def4/444455556666/CloudTrail/eu-west-1/2026/10/03/444455556666_CloudTrail_eu-west-1_20261003T1200Z_d.json.gz`,
  ];
  files.set(good[0]!, gz([aTrailRecord({ eventTime: '2026-09-30T23:50:00Z' })]));
  files.set(
    good[1]!,
    gz([
      aTrailRecord({ eventTime: '2026-10-01T10:00:00Z', sourceIPAddress: '198.51.100.2' }),
      aTrailRecord({
        eventTime: '2026-10-01T10:01:00Z',
        eventSource: 'sts.amazonaws.com',
        eventName: 'AssumeRole',
        requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/deploy`, roleSessionName: 's' },
      }),
    ]),
  );
  files.set(good[2]!, Buffer.from(JSON.stringify([aTrailRecord({ eventTime: '2026-10-02T00:01:00Z' })])));
  files.set(
    good[3]!,
    gz([
      aTrailRecord({
        eventTime: '2026-10-03T11:00:00Z',
        userIdentity: {
          type: 'IAMUser',
          arn: 'arn:aws:iam::444455556666:user/bob',
          accessKeyId: 'AKIABOBKEY0000000001',
        },
      }),
    ]),
  );
  // never read: other kinds of file in the same bucket, and files that are not logs
  files.set(
    `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2026/10/01/digest.json.gz`,
    gzipSync('{"digestStartTime":"x"}'),
  );
  files.set(
    `AWSLogs/${ACCOUNT}/CloudTrail-Insight/us-east-1/2026/10/01/insight.json.gz`,
    gzipSync('not json'),
  );
  files.set(`${base}/2026/10/01/README.txt`, Buffer.from('not a log'));
  const whole = gz([aTrailRecord(), aTrailRecord()]);
  const bad: Record<string, string> = {
    truncated: `${base}/2026/10/04/truncated.json.gz`,
    corrupt: `${base}/2026/10/04/corrupt.json.gz`,
    invalidJson: `${base}/2026/10/04/invalid.json.gz`,
    notCloudTrail: `${base}/2026/10/04/other.json`,
    empty: `${base}/2026/10/04/empty.json`,
    // a bad file in an old date folder: a --since window must not even read it
    old: `${base}/2026/08/01/old-corrupt.json.gz`,
  };
  files.set(bad.truncated!, whole.subarray(0, whole.length - 10));
  files.set(bad.corrupt!, Buffer.concat([whole.subarray(0, 10), Buffer.alloc(50, 7)]));
  files.set(bad.invalidJson!, gzipSync('{"Records":[{"eventName":"x"}{"eventName":"y"}]}'));
  files.set(bad.notCloudTrail!, Buffer.from('{"name":"package.json","version":"1.0.0"}'));
  files.set(bad.empty!, Buffer.alloc(0));
  files.set(bad.old!, Buffer.concat([whole.subarray(0, 10), Buffer.alloc(20, 1)]));
  return { files, good, bad };
}

export const BAD_FILE_ERRORS: Record<string, RegExp> = {
  truncated: /^truncated gzip/,
  corrupt: /^corrupt gzip/,
  invalidJson: /^invalid JSON at byte 29: expected ',' or a closing bracket$/,
  notCloudTrail: /^not a CloudTrail file: record 1 has no eventName$/,
  empty: /^empty/,
  old: /gzip/,
};
