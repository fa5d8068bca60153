/**
 * CloudTrail evidence for SSH public keys, end to end through the built CLI against a real moto_server
 * (moto implements SSH keys, docs/aws-behaviour.md §9): `audit --source api --cloudtrail FILE` with
 * the CodeCommit-over-SSH fixture (test/fixtures/codecommit-ssh, the key id and dates set to what moto
 * gave) makes the old active key, otherwise `unverified`, `in_use` when CloudTrail saw it used lately
 * (and `plan` leaves it alone), `unused` when CloudTrail last saw it long ago (and `plan` deactivates
 * it). The recent and the inactive key keep their verdicts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IAMClient } from '@aws-sdk/client-iam';
import { type AuditReport, auditReportSchema } from '../../src/model/finding.ts';
import { remediationPlanSchema } from '../../src/model/remediation-plan.ts';
import { REPO_ROOT, runCredsweep } from '../helpers/cli.ts';
import { MOTO_CLI_ENV, type MotoServer, startMoto } from '../helpers/moto.ts';
import { type SeededKinds, seedCredentialKinds } from '../helpers/seed-credential-kinds.ts';

const DAY = 86_400_000;
const FIXTURE = join(REPO_ROOT, 'test/fixtures/codecommit-ssh/gitpull-gitpush-ssh.json');

describe('SSH public keys with CloudTrail evidence (moto, CLI)', () => {
  let moto: MotoServer;
  let dir: string;
  let seeded: SeededKinds;
  before(async () => {
    moto = await startMoto();
    const iam = new IAMClient(moto.clientConfig());
    seeded = await seedCredentialKinds(moto, iam);
    iam.destroy();
    dir = mkdtempSync(join(tmpdir(), 'credsweep-ssh-trail-'));
  });
  after(async () => {
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[]) =>
    runCredsweep(args, { env: { ...MOTO_CLI_ENV, AWS_ENDPOINT_URL: moto.endpoint } });

  /** The fixture with moto's key id for dev's old key, its SSH calls `daysAgo` days ago. */
  function trailFile(name: string, daysAgo: number): string {
    const at = (minutes: number) =>
      new Date(Date.now() - daysAgo * DAY - (60 - minutes) * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const doc = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { Records: Array<Record<string, unknown>> };
    doc.Records.forEach((r, i) => {
      r.eventTime = at(i);
    });
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(doc).replaceAll('APKAEIBAERJR2EXAMPLE', seeded.oldKey));
    return file;
  }

  async function auditAndPlan(trail: string) {
    const findings = `${trail}.findings.json`;
    const audit = await cli([
      'audit',
      '--source',
      'api',
      '--cloudtrail',
      trail,
      '--format',
      'json',
      '--output',
      findings,
    ]);
    assert.equal(audit.code, 0, audit.stderr);
    const report: AuditReport = auditReportSchema.parse(JSON.parse(readFileSync(findings, 'utf8')));
    const planFile = `${trail}.plan.json`;
    const plan = await cli(['plan', '--from', findings, '--output', planFile]);
    assert.equal(plan.code, 0, plan.stderr);
    const ssh = new Map(
      report.findings.filter((f) => f.credential === 'ssh_public_key').map((f) => [f.sshPublicKeyId!, f]),
    );
    return { ssh, plan: remediationPlanSchema.parse(JSON.parse(readFileSync(planFile, 'utf8'))) };
  }

  it('a use CloudTrail saw 5 days ago: the old key is in use, not unverified, and not planned', async () => {
    const { ssh, plan } = await auditAndPlan(trailFile('recent-use.json', 5));
    const old = ssh.get(seeded.oldKey)!;
    assert.deepEqual([old.status, old.ageDays, old.lastActivitySource], ['in_use', 5, 'cloudtrail']);
    assert.match(old.reason, /last used 5 days ago according to CloudTrail/);
    assert.equal(ssh.get(seeded.recentKey)?.status, 'in_use');
    assert.equal(ssh.get(seeded.inactiveKey)?.status, 'inactive');
    assert.ok(!plan.steps.some((s) => s.credential === 'ssh_public_key'), 'nothing to deactivate');
    assert.equal(plan.skipped.find((s) => s.sshPublicKeyId === seeded.oldKey)?.reason, 'recent');
  });

  it('CloudTrail last saw it 120 days ago: unused, and plan deactivates it', async () => {
    const { ssh, plan } = await auditAndPlan(trailFile('old-use.json', 120));
    const old = ssh.get(seeded.oldKey)!;
    assert.deepEqual([old.status, old.ageDays, old.lastActivitySource], ['unused', 120, 'cloudtrail']);
    assert.deepEqual(
      plan.steps.filter((s) => s.credential === 'ssh_public_key').map((s) => [s.action, s.sshPublicKeyId]),
      [['deactivate-ssh-public-key', seeded.oldKey]],
    );
  });
});
