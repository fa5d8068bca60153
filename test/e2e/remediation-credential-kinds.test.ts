/**
 * SSH public keys through plan → apply → undo, end to end through the built CLI against a real
 * moto_server (moto implements ListSSHPublicKeys and UpdateSSHPublicKey, docs/aws-behaviour.md
 * §9): the old active key is planned and deactivated, the recent and the inactive one are not; undo
 * makes it Active again. Plus the hostile cases for the new action: a forged step for the recent key
 * or for another user's key id changes nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { IAMClient, ListSSHPublicKeysCommand } from '@aws-sdk/client-iam';
import { type RemediationPlan, remediationPlanSchema } from '../../src/model/remediation-plan.ts';
import { sealPlan } from '../../src/remediation/plan-digest.ts';
import { runCredsweep } from '../helpers/cli.ts';
import { MOTO_CLI_ENV, type MotoServer, startMoto } from '../helpers/moto.ts';
import { type SeededKinds, seedCredentialKinds } from '../helpers/seed-credential-kinds.ts';

describe('SSH public keys: plan, apply, undo (moto, CLI)', () => {
  let moto: MotoServer;
  let iam: IAMClient;
  let dir: string;
  let seeded: SeededKinds;
  before(async () => {
    moto = await startMoto();
    iam = new IAMClient(moto.clientConfig());
  });
  after(async () => {
    iam.destroy();
    await moto.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    dir = mkdtempSync(join(tmpdir(), 'credsweep-ssh-'));
    seeded = await seedCredentialKinds(moto, iam);
  });

  const cli = (args: string[]) =>
    runCredsweep(args, { env: { ...MOTO_CLI_ENV, AWS_ENDPOINT_URL: moto.endpoint } });

  async function statuses(): Promise<Record<string, string>> {
    const { SSHPublicKeys } = await iam.send(new ListSSHPublicKeysCommand({ UserName: 'dev' }));
    return Object.fromEntries((SSHPublicKeys ?? []).map((k) => [k.SSHPublicKeyId!, k.Status!]));
  }

  async function auditAndPlan(): Promise<RemediationPlan> {
    const findings = join(dir, 'findings.json');
    const audit = await cli(['audit', '--source', 'api', '--format', 'json', '--output', findings]);
    assert.equal(audit.code, 0, audit.stderr);
    const plan = await cli(['plan', '--from', findings, '--output', join(dir, 'plan.json')]);
    assert.equal(plan.code, 0, plan.stderr);
    return remediationPlanSchema.parse(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')));
  }

  it('plans only the old active key; apply makes it Inactive; undo makes it Active again', async () => {
    try {
      const plan = await auditAndPlan();
      const sshSteps = plan.steps.filter((s) => s.credential === 'ssh_public_key');
      assert.deepEqual(
        sshSteps.map((s) => [s.action, s.sshPublicKeyId, s.reversible]),
        [['deactivate-ssh-public-key', seeded.oldKey, true]],
      );
      const skipped = new Map(
        plan.skipped.filter((s) => s.sshPublicKeyId).map((s) => [s.sshPublicKeyId, s.reason]),
      );
      assert.equal(skipped.get(seeded.recentKey), 'recent');
      assert.equal(skipped.get(seeded.inactiveKey), 'already_inactive');

      const apply = await cli(['apply', join(dir, 'plan.json'), '--yes']);
      assert.equal(apply.code, 0, apply.stderr + apply.stdout);
      assert.deepEqual(await statuses(), {
        [seeded.oldKey]: 'Inactive',
        [seeded.recentKey]: 'Active',
        [seeded.inactiveKey]: 'Inactive',
      });
      const journal = /journal[^\n]*?(\/[^\s]+\.jsonl)/.exec(apply.stdout + apply.stderr)?.[1];
      assert.ok(journal, `the journal path is printed: ${apply.stdout}${apply.stderr}`);

      const undo = await cli(['undo', journal, '--yes', '--trust-unsigned-journal']);
      assert.equal(undo.code, 0, undo.stderr + undo.stdout);
      assert.deepEqual(await statuses(), {
        [seeded.oldKey]: 'Active',
        [seeded.recentKey]: 'Active',
        [seeded.inactiveKey]: 'Inactive',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hostile steps: the recent key, and a key id put under another user, are left alone', async () => {
    try {
      const plan = await auditAndPlan();
      const valid = plan.steps.find((s) => s.action === 'deactivate-ssh-public-key')!;
      const forged: RemediationPlan = structuredClone(plan);
      forged.steps = [
        // the recent key, claimed old: apply re-reads its UploadDate
        {
          ...valid,
          id: `${valid.accountId}/deactivate-ssh-public-key/${seeded.recentKey}`,
          sshPublicKeyId: seeded.recentKey,
        },
        // the old key's id under another user: ListSSHPublicKeys for ops does not have it
        {
          ...valid,
          id: `${valid.accountId}/deactivate-ssh-public-key/ops-${seeded.oldKey}`,
          principalName: 'ops',
          arn: valid.arn.replace(/user\/dev$/, 'user/ops'),
          sshPublicKeyId: seeded.oldKey,
        },
      ];
      const { digest: _, ...content } = forged;
      writeFileSync(join(dir, 'forged.json'), JSON.stringify(sealPlan(content, undefined)));
      const apply = await cli(['apply', join(dir, 'forged.json'), '--yes']);
      assert.notEqual(apply.code, 2, apply.stderr);
      assert.match(apply.stdout + apply.stderr, /not unused now|no longer exists/);
      assert.deepEqual(await statuses(), {
        [seeded.oldKey]: 'Active',
        [seeded.recentKey]: 'Active',
        [seeded.inactiveKey]: 'Inactive',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
