/**
 * Remediation across accounts against moto_server: findings from two accounts, the same role assumed
 * in each (--role-name); a step in an account credsweep cannot reach fails alone (exit 3, naming the
 * account and why) and a second run with the role finishes the plan. The role assumed there is
 * credsweep's own in that account: never planned, never acted on.
 */
import assert from 'node:assert/strict';
import { toIso } from '../../src/time.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { remediationPlanSchema } from '../../src/model/remediation-plan.ts';
import { runCredsweep } from '../helpers/cli.ts';
import { inAccount, MOTO_DEFAULT_ACCOUNT, type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedRole, seedUser } from '../helpers/seed-iam.ts';
import { sealPlan } from '../../src/remediation/plan-digest.ts';

const MEMBER = '111111111111';

describe('remediation across accounts (moto)', () => {
  let moto: MotoServer;
  let iam: IAMClient;
  let member: IAMClient;
  let dir: string;
  let ops: { accessKeyId: string; secretAccessKey: string };

  before(async () => {
    moto = await startMoto();
    iam = new IAMClient(moto.clientConfig());
    member = inAccount(new IAMClient(moto.clientConfig()), MEMBER);
    dir = mkdtempSync(join(tmpdir(), 'credsweep-accounts-'));
    await seedUser(moto, iam, { name: 'amy', createdDaysAgo: 300, keys: [{ createdDaysAgo: 300 }] });
    await seedUser(moto, member, { name: 'mia', createdDaysAgo: 300, keys: [{ createdDaysAgo: 300 }] });
    await iam.send(new CreateUserCommand({ UserName: 'ops' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'ops' }));
    ops = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  });
  after(async () => {
    iam.destroy();
    member.destroy();
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function cli(args: string[]) {
    return runCredsweep(args, {
      env: {
        AWS_ACCESS_KEY_ID: ops.accessKeyId,
        AWS_SECRET_ACCESS_KEY: ops.secretAccessKey,
        AWS_SESSION_TOKEN: '',
        AWS_PROFILE: '',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: moto.endpoint,
      },
    });
  }

  async function status(client: IAMClient, user: string): Promise<string[]> {
    const keys = (await client.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata ?? [];
    return keys.map((k) => k.Status!);
  }

  it('plans and applies in every account through --role-name; an unreachable account fails alone', async () => {
    const findings = join(dir, 'findings.json');
    const accounts = `${MOTO_DEFAULT_ACCOUNT},${MEMBER}`;
    const audit = await cli([
      'audit',
      '--accounts',
      accounts,
      '--role-name',
      'Auditor',
      '--format',
      'json',
      '--output',
      findings,
    ]);
    assert.equal(audit.code, 0, audit.stderr);
    const planFile = join(dir, 'plan.json');
    const plan = await cli(['plan', '--from', findings, '--output', planFile, '--role-name', 'Remediator']);
    assert.equal(plan.code, 0, plan.stderr);
    const steps = remediationPlanSchema.parse(JSON.parse(readFileSync(planFile, 'utf8'))).steps;
    assert.deepEqual(steps.map((s) => `${s.accountId}:${s.principalName}:${s.action}`).sort(), [
      `${MEMBER}:mia:deactivate-access-key`,
      `${MOTO_DEFAULT_ACCOUNT}:amy:deactivate-access-key`,
    ]);

    // plan without --role-name: the member account is one line (any later failure of it counted, not
    // repeated), it says NoRole, not a class name of credsweep's, and the caller's account is planned.
    const noRole = await cli(['plan', '--from', findings, '--format', 'json']);
    assert.equal(noRole.code, 3, noRole.stderr);
    const memberLines = noRole.stderr
      .split('\n')
      .filter((l) => l.startsWith(`credsweep: account ${MEMBER}:`));
    assert.equal(memberLines.length, 1, noRole.stderr);
    assert.match(memberLines[0]!, /NoRole: .*no --role-name was given( \(and \d+ more failures?\))?$/);
    assert.doesNotMatch(noRole.stdout + noRole.stderr, /AwsAccessError/);
    const partialPlan = remediationPlanSchema.parse(JSON.parse(noRole.stdout));
    assert.deepEqual(
      partialPlan.steps.map((s) => `${s.accountId}:${s.principalName}`),
      [`${MOTO_DEFAULT_ACCOUNT}:amy`],
    );

    // Without --role-name the member account cannot be reached: that step fails, the other is done.
    const partial = await cli(['apply', planFile, '--yes']);
    assert.equal(partial.code, 3, partial.stdout + partial.stderr);
    assert.match(
      partial.stdout,
      new RegExp(`failed\\s+deactivate-access-key\\s+${MEMBER}\\s+mia.*no --role-name`),
    );
    assert.match(partial.stdout, /1 done, 0 already done, 0 skipped, 1 failed/);
    assert.match(
      partial.stderr,
      new RegExp(
        `^credsweep: account ${MEMBER}: deactivate-access-key AKIA\\w+: NoRole: .*no --role-name`,
        'm',
      ),
    );
    assert.deepEqual(await status(iam, 'amy'), ['Inactive']);
    assert.deepEqual(await status(member, 'mia'), ['Active']);

    const rest = await cli(['apply', planFile, '--yes', '--role-name', 'Remediator']);
    assert.equal(rest.code, 0, rest.stdout + rest.stderr);
    assert.match(rest.stdout, /1 done, 1 already done, 0 skipped, 0 failed/);
    assert.deepEqual(await status(member, 'mia'), ['Inactive']);

    const undo = await cli([
      'undo',
      `${planFile}.journal.jsonl`,
      '--yes',
      '--trust-unsigned-journal',
      '--role-name',
      'Remediator',
    ]);
    assert.equal(undo.code, 0, undo.stdout + undo.stderr);
    assert.deepEqual(await status(iam, 'amy'), ['Active']);
    assert.deepEqual(await status(member, 'mia'), ['Active']);
  });

  it('plan --roles never plans, and apply never quarantines, the --role-name role in the member account it is assumed in', async () => {
    await seedRole(moto, member, { name: 'Remediator', createdDaysAgo: 200 });
    await seedRole(moto, member, { name: 'idle', createdDaysAgo: 200 });
    const accounts = `${MOTO_DEFAULT_ACCOUNT},${MEMBER}`;
    const made = await cli([
      'plan',
      '--accounts',
      accounts,
      '--role-name',
      'Remediator',
      '--roles',
      '--format',
      'json',
    ]);
    assert.equal(made.code, 0, made.stderr);
    const plan = remediationPlanSchema.parse(JSON.parse(made.stdout));
    const inMember = (name: string) => (s: { accountId: string; principalName: string }) =>
      s.accountId === MEMBER && s.principalName === name;
    assert.equal(plan.skipped.find(inMember('Remediator'))?.reason, 'caller_role');
    const idle = plan.steps.find(inMember('idle'));
    assert.equal(idle?.action, 'quarantine-role');

    // A plan edited to quarantine it anyway (re-sealed, as anyone can without a key), past every other
    // check: apply's own AssumeRole uses the role, so the forged plan claims data from a few minutes
    // ahead (within the clock skew apply allows; a later date is refused outright), a use then, and a
    // role threshold of 0.
    const forge = (future: string) => {
      const { digest: _, ...content } = plan;
      return sealPlan(
        {
          ...content,
          dataCollectedAt: future,
          audit: { ...content.audit, thresholds: { ...content.audit.thresholds, role: 0 } },
          steps: [
            {
              ...idle!,
              id: `${MEMBER}/quarantine-role/Remediator`,
              principalName: 'Remediator',
              arn: `arn:aws:iam::${MEMBER}:role/Remediator`,
              expected: { status: 'Active', lastUsed: future },
            },
          ],
        },
        undefined,
      );
    };
    const planFile = join(dir, 'forged-roles.json');
    writeFileSync(planFile, JSON.stringify(forge('2099-01-01T00:00:00Z')));
    const refused = await cli(['apply', planFile, '--yes', '--role-name', 'Remediator']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /dataCollectedAt 2099-01-01T00:00:00Z is later than now/);
    writeFileSync(
      planFile,
      JSON.stringify(forge(toIso(Math.floor((Date.now() + 4 * 60_000) / 1000) * 1000))),
    );
    const applied = await cli(['apply', planFile, '--yes', '--role-name', 'Remediator']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /skipped\s+quarantine-role\s+111111111111\s+Remediator.*caller_role/);
    const policies = await member.send(new ListRolePoliciesCommand({ RoleName: 'Remediator' }));
    assert.deepEqual(policies.PolicyNames, []);
  });
});
