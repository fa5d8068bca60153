/**
 * SSH public keys and unassigned virtual MFA devices, end to end through the built CLI against a real
 * moto_server with a shifted clock (moto implements both, docs/aws-behaviour.md §9): an old
 * active key is `unverified` (AWS records no last use), a recent one `in_use`, an inactive one
 * `inactive`; an unassigned device is reported, an assigned one is not; the JSON validates against
 * the shipped schema; and no MFA seed ever reaches the output (moto returns seeds in the list call).
 * Service-specific credentials are not in moto: see test/sources/iam-api/service-specific-credentials.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { IAMClient } from '@aws-sdk/client-iam';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { type AuditReport, auditReportSchema, type Finding } from '../../src/model/finding.ts';
import { REPO_ROOT, runCredsweep } from '../helpers/cli.ts';
import { MOTO_CLI_ENV, type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedCredentialKinds } from '../helpers/seed-credential-kinds.ts';

const SHIPPED_SCHEMA = JSON.parse(readFileSync(join(REPO_ROOT, 'schemas/audit-report.schema.json'), 'utf8'));
describe('SSH public keys and unassigned MFA devices (moto, CLI)', () => {
  let moto: MotoServer;
  let iam: IAMClient;
  before(async () => {
    moto = await startMoto();
    iam = new IAMClient(moto.clientConfig());
  });
  after(async () => {
    iam.destroy();
    await moto.stop();
  });
  beforeEach(() => moto.reset());

  it('audits each SSH key by age and status, reports the unassigned device, and validates', async () => {
    const seeded = await seedCredentialKinds(moto, iam);
    const run = await runCredsweep(
      ['audit', '--source', 'api', '--endpoint-url', moto.endpoint, '--format', 'json'],
      { env: MOTO_CLI_ENV },
    );
    assert.equal(run.code, 0, run.stderr);
    const raw: unknown = JSON.parse(run.stdout);
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(SHIPPED_SCHEMA);
    assert.ok(validate(raw), JSON.stringify(validate.errors));
    const report: AuditReport = auditReportSchema.parse(raw);
    const ssh = new Map(
      report.findings.filter((f) => f.credential === 'ssh_public_key').map((f) => [f.sshPublicKeyId, f]),
    );
    const status = (id: string) => ssh.get(id)?.status;
    assert.equal(status(seeded.oldKey), 'unverified');
    assert.equal(status(seeded.recentKey), 'in_use');
    assert.equal(status(seeded.inactiveKey), 'inactive');
    const old = ssh.get(seeded.oldKey) as Finding;
    assert.equal(old.principalName, 'dev');
    assert.equal(old.lastActivitySource, 'last_rotated');
    assert.equal(old.ageDays, 200);
    assert.match(old.reason, /AWS records no last use/);
    // dev holds only SSH keys: that is a credential, not "no credentials"
    assert.ok(!report.findings.some((f) => f.principalName === 'dev' && f.credential === 'none'));

    const devices = report.findings.filter((f) => f.credential === 'mfa_device');
    assert.deepEqual(
      devices.map((f) => [f.principalType, f.principalName, f.arn, f.status]),
      [['mfa_device', 'spare-token', 'arn:aws:iam::123456789012:mfa/spare-token', 'unused']],
    );
    assert.deepEqual(devices[0]!.caveats, ['no_date_from_aws']);
    for (const seed of seeded.seeds) assert.ok(!run.stdout.includes(seed), 'no MFA seed in the output');
  });

  it('shows the new kinds, with their ids, in the table and CSV formats', async () => {
    const seeded = await seedCredentialKinds(moto, iam);
    for (const format of ['table', 'csv']) {
      const run = await runCredsweep(
        ['audit', '--source', 'api', '--endpoint-url', moto.endpoint, '--format', format],
        { env: { ...MOTO_CLI_ENV, COLUMNS: '250' } },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /spare-token/, format);
      assert.ok(run.stdout.includes(seeded.oldKey), `${format} names the SSH key`);
    }
  });
});
