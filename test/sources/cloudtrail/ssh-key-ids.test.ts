/**
 * The CloudTrail scanner counts records signed with an SSH public key id (`APKA…`, CodeCommit Git over
 * SSH) like a long-term key's, on every path: the log-file scanner (worker threads and inline), and
 * the record-object path LookupEvents and Athena rows take. The fixture is constructed after the
 * CodeCommit User Guide's CloudTrail examples (test/fixtures/codecommit-ssh/README.md).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createTrailAggregator } from '../../../src/sources/cloudtrail/aggregate.ts';
import { trailRecordFromObject } from '../../../src/sources/cloudtrail/record-from-object.ts';
import { scanCloudTrail } from '../../../src/sources/cloudtrail/scan.ts';
import type { TrailSummary } from '../../../src/model/trail-summary.ts';

const FIXTURE = fileURLToPath(
  new URL('../../fixtures/codecommit-ssh/gitpull-gitpush-ssh.json', import.meta.url),
);

function expectSshKey(summary: TrailSummary): void {
  assert.deepEqual(
    summary.accessKeys.map((k) => [k.accessKeyId, k.principalArn, k.events, k.lastSeen, k.lastEventName]),
    [
      [
        'AKIAIOSFODNN7EXAMPLE',
        'arn:aws:iam::444455556666:user/Mary_Major',
        1,
        '2026-11-20T18:19:15Z',
        'GitPull',
      ],
      ['APKAEIBAERJR2EXAMPLE', 'arn:aws:iam::123456789012:user/dev', 2, '2026-11-21T18:20:02Z', 'GitPush'],
    ],
  );
  const ssh = summary.accessKeys[1]!;
  assert.deepEqual(
    [ssh.services, ssh.regions, ssh.sourceIps],
    [['codecommit.amazonaws.com'], ['us-east-2'], { count: 1, top: ['203.0.113.12'] }],
  );
}

describe('SSH public key ids in CloudTrail', () => {
  it('the log-file scanner, on worker threads and inline', async () => {
    expectSshKey(await scanCloudTrail([FIXTURE]));
    expectSshKey(await scanCloudTrail([FIXTURE], { workers: 0 }));
    // with temporary keys too, the same (no ASIA key in the file)
    expectSshKey(await scanCloudTrail([FIXTURE], { workers: 0, includeTemporary: true }));
  });

  it('the record-object path (LookupEvents, Athena rows)', () => {
    const aggregator = createTrailAggregator();
    for (const r of JSON.parse(readFileSync(FIXTURE, 'utf8')).Records) {
      const record = trailRecordFromObject(r);
      if (record) aggregator.add(record);
    }
    expectSshKey(aggregator.summary());
  });
});
