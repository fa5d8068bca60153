/**
 * A seeded generator of CloudTrail records (as objects) exercising what the aggregation keys on:
 * long-term and temporary keys, denied calls, source IPs, AssumeRole* (successful, failed, by users,
 * services and web identities), console logins (success, failure, without an ARN) and equal times.
 */
import { seededRandom } from '../../../bench/seeded-random.ts';

export type CloudTrailObject = Record<string, unknown>;

export const GENERATED_START = Date.UTC(2026, 8, 1);

export function generateTrailRecords(count: number, seed = 42): CloudTrailObject[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const users = ['alice', 'bob', 'bobby', 'carol', 'deploy-bot'];
  const keys = users.map((u, i) => ({
    id: `AKIAEXAMPLE${String(i).padStart(9, '0')}`,
    arn: `arn:aws:iam::111122223333:user/${u}`,
  }));
  const temp = [0, 1, 2].map((i) => ({
    id: `ASIAEXAMPLE${String(i).padStart(9, '0')}`,
    arn: `arn:aws:sts::111122223333:assumed-role/app/session-${i}`,
  }));
  const ips = [
    '198.51.100.7',
    '203.0.113.9',
    '192.0.2.44',
    '198.51.100.8',
    'AWS Internal',
    'ec2.amazonaws.com',
    '10.0.0.1',
  ];
  const sources = [
    'iam.amazonaws.com',
    's3.amazonaws.com',
    'ec2.amazonaws.com',
    'sts.amazonaws.com',
    'kms.amazonaws.com',
  ];
  const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
  const reads = ['DescribeInstances', 'GetObject', 'ListUsers', 'GetCallerIdentity', 'ListBuckets'];
  const roles = ['app', 'deployer', 'path/auditor', 'ci', 'never'].map(
    (r) => `arn:aws:iam::111122223333:role/${r}`,
  );
  const records: CloudTrailObject[] = [];
  for (let i = 0; i < count; i++) {
    // Minute resolution over 60 days, so equal times happen and exercise the tie-breaks.
    const at = GENERATED_START + Math.floor(rnd() * 60 * 24 * 60) * 60_000;
    const eventTime = new Date(at).toISOString().replace('.000Z', 'Z');
    const roll = rnd();
    if (roll < 0.1) {
      const by = pick(['user', 'service', 'web'] as const);
      const key = pick(keys);
      records.push({
        eventTime,
        eventSource: 'sts.amazonaws.com',
        eventName: by === 'web' ? 'AssumeRoleWithWebIdentity' : 'AssumeRole',
        awsRegion: pick(regions),
        sourceIPAddress: by === 'service' ? 'ec2.amazonaws.com' : pick(ips),
        userIdentity:
          by === 'user'
            ? { type: 'IAMUser', arn: key.arn, accessKeyId: key.id, principalId: 'AIDAEXAMPLE' }
            : by === 'service'
              ? { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' }
              : { type: 'WebIdentityUser', principalId: `accounts.google.com:app:${Math.floor(rnd() * 3)}` },
        requestParameters: { roleArn: pick(roles), roleSessionName: 's' },
        ...(rnd() < 0.15 ? { errorCode: 'AccessDenied' } : {}),
      });
    } else if (roll < 0.16) {
      const success = rnd() < 0.7;
      const withArn = rnd() < 0.9;
      records.push({
        eventTime,
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        awsRegion: 'us-east-1',
        sourceIPAddress: pick(ips),
        userIdentity: withArn
          ? { type: 'IAMUser', arn: pick(keys).arn, accessKeyId: '', principalId: 'AIDAEXAMPLE' }
          : { type: 'IAMUser', principalId: 'AIDAEXAMPLE', accessKeyId: '' },
        requestParameters: null,
        responseElements: { ConsoleLogin: success ? 'Success' : 'Failure' },
        ...(success ? {} : { errorMessage: 'Failed authentication' }),
      });
    } else {
      const key = rnd() < 0.8 ? pick(keys) : pick(temp);
      records.push({
        eventTime,
        eventSource: pick(sources),
        eventName: pick(reads),
        awsRegion: pick(regions),
        sourceIPAddress: pick(ips),
        userIdentity: {
          type: key.id.startsWith('AKIA') ? 'IAMUser' : 'AssumedRole',
          arn: key.arn,
          accessKeyId: key.id,
        },
        requestParameters: null,
        responseElements: null,
        ...(rnd() < 0.05 ? { errorCode: 'AccessDenied' } : {}),
      });
    }
  }
  return records;
}
