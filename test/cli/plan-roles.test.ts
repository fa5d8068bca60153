/**
 * `plan --roles`, `--include-service-roles`, `--delete-after` and `--quarantine-users` through the
 * built CLI against moto_server (issue 14): audit → plan → apply → undo as a user runs them. Roles:
 * the never cases named at plan (service_linked, caller_role, in_use) and at apply (service_role
 * without --include-service-roles); a quarantined role deleted only --delete-after days after credsweep
 * quarantined it (its journal), and undo recreating it as it was before the quarantine, field by field
 * but its RoleId. Users: quarantine-user planned for the user none of whose credentials is in use, the
 * other named, applied and undone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  CreateServiceLinkedRoleCommand,
  GetInstanceProfileCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserTagsCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { type RemediationPlan, remediationPlanSchema } from '../../src/model/remediation-plan.ts';
import { QUARANTINE_POLICY_NAME } from '../../src/remediation/quarantine-policy.ts';
import { captureRoleRecord, type RoleRecord } from '../../src/remediation/role-record.ts';
import { CLI, REPO_ROOT, runCredsweep } from '../helpers/cli.ts';
import { MOTO_DEFAULT_ACCOUNT as ACCOUNT, type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedRole, seedUser } from '../helpers/seed-iam.ts';
import { seedFullRole } from '../helpers/seed-role.ts';

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

describe('plan --roles / --quarantine-users through the CLI (moto)', () => {
  let moto: MotoServer;
  let iam: IAMClient;
  let dir: string;

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
    dir = mkdtempSync(join(tmpdir(), 'credsweep-plan-roles-'));
  });

  function cli(args: string[], as: Credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' }) {
    return runCredsweep(args, {
      env: {
        AWS_ACCESS_KEY_ID: as.accessKeyId,
        AWS_SECRET_ACCESS_KEY: as.secretAccessKey,
        AWS_SESSION_TOKEN: as.sessionToken ?? '',
        AWS_PROFILE: '',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
  }

  /** The CLI against moto with standard output on /dev/full (every write refused: ENOSPC). */
  function onFullStdout(args: string[]) {
    const full = openSync('/dev/full', 'w');
    try {
      return spawnSync(process.execPath, [CLI, ...args], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          NO_COLOR: '1',
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          AWS_SESSION_TOKEN: '',
          AWS_PROFILE: '',
          AWS_REGION: 'us-east-1',
          AWS_ENDPOINT_URL: moto.endpoint,
        },
        stdio: ['ignore', full, 'pipe'],
        encoding: 'utf8',
      });
    } finally {
      closeSync(full);
    }
  }

  async function audit(name: string): Promise<string> {
    const file = join(dir, name);
    const run = await cli(['audit', '--format', 'json', '--output', file]);
    assert.equal(run.code, 0, run.stderr);
    return file;
  }

  async function plan(args: string[], as?: Credentials): Promise<RemediationPlan> {
    const run = await cli(['plan', '--format', 'json', ...args], as);
    assert.equal(run.code, 0, run.stderr);
    return remediationPlanSchema.parse(JSON.parse(run.stdout));
  }

  async function planTo(file: string, args: string[]): Promise<RemediationPlan> {
    const run = await cli(['plan', '--output', file, ...args]);
    assert.equal(run.code, 0, run.stderr);
    return remediationPlanSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  }

  const appWorker = (p: RemediationPlan) => p.skipped.find((s) => s.principalName === 'app-worker')?.reason;
  const steps = (p: RemediationPlan) => p.steps.map((s) => `${s.principalName}:${s.action}`).sort();
  const skips = (p: RemediationPlan, type = 'role') =>
    Object.fromEntries(
      p.skipped.filter((s) => s.principalType === type).map((s) => [s.principalName, s.reason]),
    );

  /** The role as compared after undo: every field of its record but the RoleId. */
  const comparable = ({ roleId: _, ...rest }: RoleRecord) => ({
    ...rest,
    trustPolicy: JSON.parse(rest.trustPolicy),
  });

  it('roles: never cases named, service roles only with --include-service-roles, deletion after --delete-after, undo recreates', async () => {
    await moto.setClockOffsetDays(-200);
    await seedFullRole(iam, 'app-worker');
    await seedFullRole(iam, 'lambda-fn', { trust: { Service: 'lambda.amazonaws.com' } });
    await seedFullRole(iam, 'credsweep-ops');
    const linked = await iam.send(
      new CreateServiceLinkedRoleCommand({ AWSServiceName: 'elasticbeanstalk.amazonaws.com' }),
    );
    await moto.setClockOffsetDays(0);
    await seedRole(moto, iam, { name: 'busy', createdDaysAgo: 200, usedDaysAgo: 5 });
    const original = (await captureRoleRecord(iam, 'app-worker'))!;
    const findings = await audit('findings.json');

    // Without --roles, no role is planned.
    const off = await plan(['--from', findings]);
    assert.deepEqual(steps(off), []);
    const offSkips = skips(off);
    assert.equal(offSkips[linked.Role!.RoleName!], 'service_linked');
    delete offSkips[linked.Role!.RoleName!];
    assert.deepEqual(new Set(Object.values(offSkips)), new Set(['role']));

    // As the role credsweep-ops (an assumed-role session): that role is its own caller_role.
    const sts = new STSClient(moto.clientConfig());
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/apps/credsweep-ops`,
        RoleSessionName: 'run',
      }),
    );
    sts.destroy();
    const asOps = {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken!,
    };
    const asRole = await plan(['--from', findings, '--roles'], asOps);
    assert.deepEqual(steps(asRole), ['app-worker:quarantine-role', 'lambda-fn:quarantine-role']);
    assert.deepEqual(skips(asRole), {
      busy: 'in_use',
      'credsweep-ops': 'caller_role',
      [linked.Role!.RoleName!]: 'service_linked',
    });

    // apply: the service's role is skipped live (its trust policy), the other quarantined.
    const p1 = join(dir, 'plan-1.json');
    await planTo(p1, ['--from', findings, '--roles', '--exclude', 'credsweep-ops']);
    const a1 = await cli(['apply', p1, '--yes']);
    assert.equal(a1.code, 0, a1.stderr);
    assert.match(
      a1.stdout,
      /skipped\s+quarantine-role\s+\d+\s+lambda-fn \(role\)\s+role\s+service_role: its trust policy names lambda\.amazonaws\.com/,
    );
    assert.ok(
      (await captureRoleRecord(iam, 'app-worker'))!.inlinePolicies.some(
        (p) => p.name === QUARANTINE_POLICY_NAME,
      ),
    );
    assert.ok(
      !(await captureRoleRecord(iam, 'lambda-fn'))!.inlinePolicies.some(
        (p) => p.name === QUARANTINE_POLICY_NAME,
      ),
    );

    // --include-service-roles: now the service's role is quarantined too.
    const p2 = join(dir, 'plan-2.json');
    const withService = await planTo(p2, [
      '--from',
      findings,
      '--roles',
      '--include-service-roles',
      '--include',
      'lambda-fn',
    ]);
    assert.equal(withService.options.includeServiceRoles, true);
    // apply needs the flag too, like --allow-irreversible: the plan's word alone is not enough.
    const without = await cli(['apply', p2, '--yes']);
    assert.match(
      without.stdout,
      /skipped\s+quarantine-role\s+\d+\s+lambda-fn \(role\)\s+role\s+service_role: /,
    );
    assert.equal((await cli(['apply', p2, '--yes', '--include-service-roles'])).code, 0);
    assert.ok(
      (await captureRoleRecord(iam, 'lambda-fn'))!.inlinePolicies.some(
        (p) => p.name === QUARANTINE_POLICY_NAME,
      ),
    );

    // Deleting: only with --allow-irreversible and --delete-after days after the journalled quarantine.
    // The journal is not sealed with a plan key: its dates count only with --trust-unsigned-journal.
    const journal = `${p1}.journal.jsonl`;
    const later = await audit('findings-2.json');
    const only = ['--from', later, '--roles', '--journal', journal, '--include', 'app-worker'];
    const undated = await cli([
      'plan',
      '--format',
      'json',
      ...only,
      '--delete-after',
      '0',
      '--allow-irreversible',
    ]);
    assert.equal(undated.code, 0, undated.stderr);
    assert.deepEqual(
      steps(remediationPlanSchema.parse(JSON.parse(undated.stdout))),
      ['app-worker:quarantine-role'],
      'an unsealed journal dates nothing by default: no deletion planned',
    );
    assert.match(
      undated.stderr,
      /^credsweep: .*plan-1\.json\.journal\.jsonl: its deactivation and quarantine dates were not used, since the journal is not sealed with a plan key .*--trust-unsigned-journal to take it as written\)\n$/,
    );
    only.push('--trust-unsigned-journal');
    assert.equal(appWorker(await plan([...only, '--allow-irreversible'])), 'quarantine_too_recent');
    assert.equal(appWorker(await plan([...only, '--delete-after', '0'])), 'already_quarantined');
    const p3 = join(dir, 'plan-3.json');
    const due = await planTo(p3, [...only, '--delete-after', '0', '--allow-irreversible']);
    assert.deepEqual(steps(due), ['app-worker:delete-role']);
    const refused = await cli(['apply', p3, '--yes']);
    assert.match(refused.stdout, /skipped\s+delete-role\s+\d+\s+app-worker \(role\)\s+role\s+irreversible: /);
    assert.ok(
      await captureRoleRecord(iam, 'app-worker'),
      'not deleted without --allow-irreversible at apply',
    );
    // The plan is not sealed with a plan key: apply deletes after its own --delete-after (30 days by
    // default) unless told otherwise, whatever the plan recorded.
    const early = await cli([
      'apply',
      p3,
      '--yes',
      '--allow-irreversible',
      '--trust-unsigned-journal',
      '--journal',
      join(dir, 'early.jsonl'),
    ]);
    assert.match(
      early.stderr,
      /this plan is not sealed with a plan key: apply deletes after 30 days, not the plan's 0 \(apply --delete-after to change it\)/,
    );
    assert.match(
      early.stdout,
      /skipped\s+delete-role\s+\d+\s+app-worker \(role\)\s+role\s+quarantine_too_recent: /,
    );
    assert.ok(await captureRoleRecord(iam, 'app-worker'), 'not deleted before apply --delete-after days');
    const a3 = await cli([
      'apply',
      p3,
      '--yes',
      '--allow-irreversible',
      '--delete-after',
      '0',
      '--trust-unsigned-journal',
      '--journal',
      join(dir, 'delete.jsonl'),
    ]);
    assert.equal(a3.code, 0, a3.stderr);
    assert.equal(await captureRoleRecord(iam, 'app-worker'), null);
    const profile = await iam.send(
      new GetInstanceProfileCommand({ InstanceProfileName: 'app-worker-profile' }),
    );
    assert.deepEqual(profile.InstanceProfile?.Roles, [], 'the instance profile stays');

    // undo: no role recreated from a journal without a plan key, unless the user takes it as written
    // (refused before anything is reversed: exit 2, one line, saying what to give)
    const unsealed = await cli(['undo', join(dir, 'delete.jsonl'), '--yes']);
    assert.equal(unsealed.code, 2, unsealed.stderr);
    assert.match(
      unsealed.stderr,
      /^credsweep: .*delete\.jsonl: this journal is not sealed with a plan key, so nothing in it is confirmed as credsweep's own: undo would reverse 1 step .*\(give the key .*--trust-unsigned-journal to take the journal as written\)\n$/,
    );
    assert.equal(await captureRoleRecord(iam, 'app-worker'), null);
    // then: the role as it was before credsweep quarantined it, with a new RoleId, and it says so.
    const u3 = await cli(['undo', join(dir, 'delete.jsonl'), '--yes', '--trust-unsigned-journal']);
    assert.equal(u3.code, 0, u3.stderr);
    assert.match(u3.stdout + u3.stderr, /new RoleId AROA\w+ \(was AROA\w+\)/);
    const restored = (await captureRoleRecord(iam, 'app-worker'))!;
    assert.notEqual(restored.roleId, original.roleId);
    const want = comparable(original);
    const got = comparable(restored);
    for (const field of Object.keys(want) as (keyof typeof want)[])
      assert.deepEqual(got[field], want[field], field);
  });

  it('users: --quarantine-users plans quarantine-user for the user none of whose credentials is in use; apply and undo', async () => {
    const old = await seedUser(moto, iam, {
      name: 'old-user',
      createdDaysAgo: 300,
      password: true,
      keys: [{ createdDaysAgo: 300, usedDaysAgo: 200 }],
    });
    await seedUser(moto, iam, {
      name: 'busy-user',
      createdDaysAgo: 300,
      password: true,
      keys: [{ createdDaysAgo: 300, usedDaysAgo: 2 }],
    });
    const findings = await audit('findings.json');

    const without = await plan(['--from', findings]);
    assert.deepEqual(skips(without, 'user'), { 'old-user': 'irreversible', 'busy-user': 'in_use' });

    const file = join(dir, 'plan.json');
    const p = await planTo(file, ['--from', findings, '--quarantine-users']);
    assert.deepEqual(steps(p), ['old-user:deactivate-access-key', 'old-user:quarantine-user']);
    assert.equal(p.steps.find((s) => s.action === 'quarantine-user')!.credential, 'password');
    const busy = p.skipped.find((s) => s.principalName === 'busy-user' && s.credential === 'password')!;
    assert.equal(busy.reason, 'credential_in_use');
    assert.match(busy.detail, /not quarantined: the user's access_key_1 is not unused/);

    const applied = await cli(['apply', file, '--yes']);
    assert.equal(applied.code, 0, applied.stderr);
    const policy = await iam.send(
      new GetUserPolicyCommand({ UserName: 'old-user', PolicyName: QUARANTINE_POLICY_NAME }),
    );
    assert.match(decodeURIComponent(policy.PolicyDocument!), /CredsweepQuarantineDenyAll/);
    const tags = (await iam.send(new ListUserTagsCommand({ UserName: 'old-user' }))).Tags ?? [];
    assert.deepEqual(tags.map((t) => t.Key).sort(), [
      'credsweep:quarantine-plan',
      'credsweep:quarantined-at',
    ]);

    const undone = await cli(['undo', `${file}.journal.jsonl`, '--yes', '--trust-unsigned-journal']);
    assert.equal(undone.code, 0, undone.stderr);
    await assert.rejects(
      iam.send(new GetUserPolicyCommand({ UserName: 'old-user', PolicyName: QUARANTINE_POLICY_NAME })),
      (e: Error) => e.name === 'NoSuchEntity' || e.name === 'NoSuchEntityException',
    );
    assert.deepEqual((await iam.send(new ListUserTagsCommand({ UserName: 'old-user' }))).Tags, []);
    const keys =
      (await iam.send(new ListAccessKeysCommand({ UserName: 'old-user' }))).AccessKeyMetadata ?? [];
    assert.deepEqual(
      keys.map((k) => `${k.AccessKeyId}:${k.Status}`),
      [`${old.keyIds[0]}:Active`],
    );
  });

  it('plan --output - prints the plan once; a refused standard output publishes no --output', async () => {
    await seedUser(moto, iam, { name: 'old-key', createdDaysAgo: 200, keys: [{ createdDaysAgo: 200 }] });
    const findings = await audit('findings.json');
    // `--output -` is standard output: one plan there, valid JSON (it used to be printed twice)
    const once = await cli(['plan', '--from', findings, '--output', '-', '--format', 'json']);
    assert.equal(once.code, 0, once.stderr);
    remediationPlanSchema.parse(JSON.parse(once.stdout));
    // standard output refused (/dev/full): exit 2, one line, and plan.json not published
    const file = join(dir, 'plan.json');
    const run = onFullStdout(['plan', '--from', findings, '--output', file]);
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stderr, 'credsweep: standard output: cannot write (no space left on the device)\n');
    assert.equal(existsSync(file), false);
  });

  it('apply and undo onto a standard output that refuses (/dev/full): AWS changed, one line naming the journal, exit 0', async () => {
    await seedUser(moto, iam, { name: 'old-key', createdDaysAgo: 200, keys: [{ createdDaysAgo: 200 }] });
    const findings = await audit('findings.json');
    const planFile = join(dir, 'plan.json');
    await planTo(planFile, ['--from', findings]);
    const journal = `${planFile}.journal.jsonl`;
    const keyStatus = async () =>
      (await iam.send(new ListAccessKeysCommand({ UserName: 'old-key' }))).AccessKeyMetadata!.map(
        (k) => k.Status,
      );
    const applied = onFullStdout(['apply', planFile, '--yes']);
    assert.equal(applied.status, 0, applied.stderr);
    assert.equal(
      applied.stderr,
      `credsweep: standard output: cannot write (no space left on the device); what was done is in the journal ${journal}\n`,
    );
    assert.deepEqual(await keyStatus(), ['Inactive']);
    // the journal is the record: undo reads it, and its refused results say so too
    const undone = onFullStdout(['undo', journal, '--yes', '--trust-unsigned-journal']);
    assert.equal(undone.status, 0, undone.stderr);
    assert.equal(
      undone.stderr,
      `credsweep: standard output: cannot write (no space left on the device); what was reversed is in the journal ${journal}\n`,
    );
    assert.deepEqual(await keyStatus(), ['Active']);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));
});
