/** `credsweep audit --report … --cloudtrail …` on the demo account and its sample trail. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditReport } from '../../src/model/finding.ts';
import { runCredsweep } from '../helpers/cli.ts';
import { FIXTURES } from '../sources/cloudtrail/fixtures.ts';

const AUDIT = ['audit', '--report', 'examples/demo/credential-report.csv', '--as-of', '2026-11-01T18:00:00Z'];

async function audit(...extra: string[]) {
  const run = await runCredsweep([...AUDIT, '--format', 'json', ...extra]);
  return { run, report: run.stdout ? (JSON.parse(run.stdout) as AuditReport) : undefined };
}
const keyOf = (r: AuditReport, user: string) =>
  r.findings.find((f) => f.principalName === user && f.credential === 'access_key_1')!;

describe('credsweep audit --cloudtrail', () => {
  it('merges later use, source IPs and the many-IPs caveat into the findings', async () => {
    const { run, report } = await audit('--cloudtrail', 'examples/demo/cloudtrail');
    assert.equal(run.code, 0, run.stderr);
    const backup = keyOf(report!, 'backup-agent');
    assert.deepEqual(
      [backup.status, backup.lastUsed, backup.lastActivitySource, backup.sourceIps],
      ['in_use', '2026-10-30T04:15:04Z', 'cloudtrail', ['203.0.113.10']],
    );
    const uploader = keyOf(report!, 's3-uploader');
    assert.equal(uploader.status, 'in_use');
    assert.ok(uploader.caveats.includes('key_used_from_many_ips'));
    assert.equal(uploader.sourceIps?.length, 5);
    const terraform = keyOf(report!, 'terraform-prod');
    assert.equal(terraform.lastActivitySource, 'last_used'); // the report is later than the trail
    assert.deepEqual(terraform.sourceIps, ['198.51.100.40', '198.51.100.41']);
  });

  it('without --cloudtrail the same keys are unused', async () => {
    const { report } = await audit();
    assert.equal(keyOf(report!, 'backup-agent').status, 'unused');
    assert.equal(keyOf(report!, 's3-uploader').status, 'unused');
    assert.equal(keyOf(report!, 'backup-agent').sourceIps, undefined);
  });

  it('--many-ips moves the threshold', async () => {
    const { report } = await audit('--cloudtrail', 'examples/demo/cloudtrail', '--many-ips', '14');
    assert.ok(!keyOf(report!, 's3-uploader').caveats.includes('key_used_from_many_ips'));
  });

  it('a bad trail file is reported and the audit exits 3 after writing its output', async () => {
    const { run, report } = await audit('--cloudtrail', FIXTURES);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /^credsweep: .*aws\.execution\.ec2-user-data\.json: invalid JSON at byte 3327/);
    assert.ok(report && report.findings.length > 0);
  });
});
