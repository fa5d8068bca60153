/**
 * quarantine-role, delete-role and quarantine-user through the plan → apply → journal → undo
 * machinery, in process against moto_server with a shifted clock (issue 14): a role with inline and
 * managed policies, a boundary, tags and an instance profile is quarantined, restored exactly,
 * quarantined again, deleted after --delete-after days (the instance profile stays) and recreated by
 * undo field by field (all but its RoleId). Every "never" case is skipped with its named reason.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRolePolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  GetInstanceProfileCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListUserTagsCommand,
  TagRoleCommand,
  TagUserCommand,
} from '@aws-sdk/client-iam';
import type { RemediationPlan } from '../../src/model/remediation-plan.ts';
import type { RemediationClients } from '../../src/remediation/actions/action.ts';
import { applyPlan, type StepResult } from '../../src/remediation/apply.ts';
import { sealPlan } from '../../src/remediation/plan-digest.ts';
import { exemptionCheck } from '../../src/remediation/exemptions.ts';
import {
  deactivationDates,
  JournalWriter,
  readDeactivationJournals,
  readJournal,
} from '../../src/remediation/journal.ts';
import {
  QUARANTINE_PLAN_TAG,
  QUARANTINE_POLICY_NAME,
  QUARANTINED_AT_TAG,
  quarantinePolicyDocument,
} from '../../src/remediation/quarantine-policy.ts';
import { captureRoleRecord, getRole, type RoleRecord } from '../../src/remediation/role-record.ts';
import { type UndoResult, undoJournal } from '../../src/remediation/undo.ts';
import { MS_PER_DAY } from '../../src/time.ts';
import { MOTO_DEFAULT_ACCOUNT as ACCOUNT, type MotoServer, startMoto } from '../helpers/moto.ts';
import { failingClient, motoRemediationClients } from '../helpers/remediation-fixture.ts';
import { planRoles, ROLE_CALLER, roleFinding } from '../helpers/role-plan.ts';
import { seedFullRole } from '../helpers/seed-role.ts';

describe('role remediation: quarantine, delete, undo (moto)', () => {
  let moto: MotoServer;
  let iam: IAMClient;
  let dir: string;
  let runs = 0;

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
    dir = mkdtempSync(join(tmpdir(), 'credsweep-roles-'));
  });

  const plan = planRoles;

  async function apply(
    p: RemediationPlan,
    at: number,
    options: {
      allowIrreversible?: boolean;
      journals?: string[];
      file?: string;
      clients?: RemediationClients;
    } = {},
  ) {
    const file = options.file ?? join(dir, `run-${++runs}.jsonl`);
    const history = options.file ? readJournal(options.file) : [];
    const journal = new JournalWriter(file);
    const clients = options.clients ?? motoRemediationClients(moto, iam);
    try {
      const { results } = await applyPlan(p, {
        clients,
        journal,
        history,
        now: () => at,
        runId: `run-${runs}`,
        planFile: 'plan.json',
        callerAccessKeyId: null,
        callerArn: ROLE_CALLER.arn,
        allowIrreversible: options.allowIrreversible ?? false,
        exemptions: exemptionCheck([], at),
        // the journals these tests wrote (unsealed: no plan key), taken as written
        deactivationJournals: readDeactivationJournals(options.journals ?? [], undefined),
        trustUnsignedJournal: true,
      });
      return { file, results };
    } finally {
      journal.close();
    }
  }

  async function undo(file: string, p: RemediationPlan): Promise<UndoResult[]> {
    const journal = new JournalWriter(file);
    try {
      return await undoJournal(readJournal(file), {
        clients: motoRemediationClients(moto, iam),
        journal,
        now: Date.now,
        runId: `undo-${++runs}`,
        planDigest: p.digest.value,
        // the role mechanics, on journals these tests write themselves (unsealed: no plan key)
        trustUnsignedJournal: true,
      });
    } finally {
      journal.close();
    }
  }

  const outcomes = (results: readonly StepResult[]) =>
    Object.fromEntries(
      results.map((r) => [r.step.principalName, `${r.outcome}${r.reason ? `:${r.reason}` : ''}`]),
    );

  /** The role as compared: every field of its record but the RoleId. */
  const comparable = ({ roleId: _, ...rest }: RoleRecord) => ({
    ...rest,
    trustPolicy: JSON.parse(rest.trustPolicy),
  });

  it('quarantine → undo restores exactly → quarantine → delete after --delete-after days → undo recreates it field by field', async () => {
    await moto.setClockOffsetDays(-200);
    await seedFullRole(iam);
    await moto.setClockOffsetDays(0);
    const original = (await captureRoleRecord(iam, 'app-worker'))!;
    const t0 = Date.now();

    // 1. quarantine, then undo: exactly the original role, RoleId included.
    const p1 = plan([roleFinding('app-worker')], t0);
    assert.deepEqual(
      p1.steps.map((s) => s.action),
      ['quarantine-role'],
    );
    const a1 = await apply(p1, t0);
    assert.deepEqual(outcomes(a1.results), { 'app-worker': 'done' });
    const quarantined = (await captureRoleRecord(iam, 'app-worker'))!;
    assert.ok(quarantined.inlinePolicies.some((p) => p.name === QUARANTINE_POLICY_NAME));
    assert.ok(quarantined.tags.some((t) => t.key === QUARANTINED_AT_TAG));
    // Nothing else about the role changed.
    assert.deepEqual(quarantined.attachedPolicyArns, original.attachedPolicyArns);
    assert.deepEqual(quarantined.instanceProfiles, original.instanceProfiles);
    assert.equal(quarantined.permissionsBoundaryArn, original.permissionsBoundaryArn);
    const u1 = await undo(a1.file, p1);
    assert.deepEqual(
      u1.map((r) => r.outcome),
      ['undone'],
    );
    assert.deepEqual(await captureRoleRecord(iam, 'app-worker'), original);

    // 2. quarantine again; a plan made 10 days later does not delete it yet.
    const p2 = plan([roleFinding('app-worker')], t0);
    const a2 = await apply(p2, t0);
    assert.deepEqual(outcomes(a2.results), { 'app-worker': 'done' });
    const journals = { deactivatedAt: deactivationDates(readJournal(a2.file)), journals: [a2.file] };
    const early = plan([roleFinding('app-worker')], t0 + 10 * MS_PER_DAY, {
      ...journals,
      allowIrreversible: true,
    });
    assert.deepEqual(
      early.skipped.map((s) => s.reason),
      ['quarantine_too_recent'],
    );
    const noFlag = plan([roleFinding('app-worker')], t0 + 31 * MS_PER_DAY, journals);
    assert.deepEqual(
      noFlag.skipped.map((s) => s.reason),
      ['already_quarantined'],
    );

    // 3. 31 days on (moto's clock too), with --allow-irreversible at plan and apply: deleted.
    await moto.setClockOffsetDays(31);
    const t31 = t0 + 31 * MS_PER_DAY;
    const p3 = plan([roleFinding('app-worker')], t31, { ...journals, allowIrreversible: true });
    assert.deepEqual(
      p3.steps.map((s) => s.action),
      ['delete-role'],
    );
    const refused = await apply(p3, t31, { journals: [a2.file] });
    assert.deepEqual(outcomes(refused.results), { 'app-worker': 'skipped:irreversible' });
    const a3 = await apply(p3, t31, { allowIrreversible: true, journals: [a2.file] });
    assert.deepEqual(outcomes(a3.results), { 'app-worker': 'done' });
    assert.equal(await getRole(iam, 'app-worker'), undefined);
    const profile = await iam.send(
      new GetInstanceProfileCommand({ InstanceProfileName: 'app-worker-profile' }),
    );
    assert.deepEqual(profile.InstanceProfile?.Roles, [], 'the instance profile stays, without the role');
    const intent = readJournal(a3.file).find((e) => e.type === 'intent')!;
    assert.deepEqual(intent.before?.role, quarantinedNow(original, intent.before!.role!));

    // 4. undo: the role as it was before credsweep touched it, with a new RoleId, and says so.
    const u3 = await undo(a3.file, p3);
    assert.deepEqual(
      u3.map((r) => r.outcome),
      ['undone'],
    );
    assert.match(
      u3[0]!.detail!,
      /new RoleId AROA\w+ \(was AROA\w+\): resource policies that named the old role need attention/,
    );
    const restored = (await captureRoleRecord(iam, 'app-worker'))!;
    assert.notEqual(restored.roleId, original.roleId);
    const want = comparable(original);
    const got = comparable(restored);
    for (const field of Object.keys(want) as (keyof typeof want)[])
      assert.deepEqual(got[field], want[field], field);
    // The second quarantine's undo now finds the role not quarantined: nothing to do.
    const u2 = await undo(a2.file, p2);
    assert.deepEqual(
      u2.map((r) => r.outcome),
      ['skipped'],
    );
  });

  /** The record journalled before deletion is the quarantined role: the original plus credsweep's policy and tags. */
  function quarantinedNow(_original: RoleRecord, journalled: RoleRecord): RoleRecord {
    assert.ok(journalled.inlinePolicies.some((p) => p.name === QUARANTINE_POLICY_NAME));
    return journalled;
  }

  /** A plan of one quarantine-user step for `name`, sealed again (apply refuses a plan that does not match its digest). */
  function quarantineUserPlan(name: string, now: number): RemediationPlan {
    const { digest: _, ...p } = plan([], now, { auditedAccounts: [ACCOUNT] });
    return sealPlan(
      {
        ...p,
        steps: [
          {
            id: `${ACCOUNT}/quarantine-user/${name}`,
            action: 'quarantine-user',
            accountId: ACCOUNT,
            principalType: 'user',
            principalName: name,
            arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
            credential: 'none',
            reversible: true,
            reason: 'no credential in use',
            expected: { status: 'Active', lastUsed: null },
          },
        ],
      },
      undefined,
    );
  }

  // From an adversarial review: a quarantine credsweep's apply of ANOTHER plan made (its
  // credsweep:quarantine-plan tag names that plan) was taken for this journal's. Undo of this journal
  // lifted it, and a re-run of an interrupted apply journalled it as this plan's step done.
  const OTHER_PLAN = `sha256:${'f'.repeat(64)}`;
  async function idleRole(name: string) {
    await moto.setClockOffsetDays(-200);
    await iam.send(
      new CreateRoleCommand({ RoleName: name, Path: '/apps/', AssumeRolePolicyDocument: TRUST }),
    );
    await moto.setClockOffsetDays(0);
  }
  const tagsOf = async (name: string) =>
    Object.fromEntries((await captureRoleRecord(iam, name))!.tags.map((t) => [t.key, t.value]));

  it('quarantine-role: undo leaves a quarantine another plan made since (the plan tag names it)', async () => {
    await idleRole('requarantined');
    const now = Date.now();
    const p = plan([roleFinding('requarantined')], now);
    const a = await apply(p, now);
    assert.deepEqual(outcomes(a.results), { requarantined: 'done' });
    // released by hand and quarantined again by another plan's apply: the same deny-all, its own tag
    await iam.send(
      new TagRoleCommand({
        RoleName: 'requarantined',
        Tags: [{ Key: QUARANTINE_PLAN_TAG, Value: OTHER_PLAN }],
      }),
    );
    const undone = await undo(a.file, p);
    assert.deepEqual(
      undone.map((r) => r.outcome),
      ['skipped'],
    );
    assert.match(
      undone[0]!.detail ?? '',
      /quarantined by another plan \(credsweep:quarantine-plan sha256:f+\)/,
    );
    const record = (await captureRoleRecord(iam, 'requarantined'))!;
    assert.ok(
      record.inlinePolicies.some((x) => x.name === QUARANTINE_POLICY_NAME),
      'still quarantined',
    );
    assert.equal((await tagsOf('requarantined'))[QUARANTINE_PLAN_TAG], OTHER_PLAN);
  });

  it('quarantine-role: an undo that stopped between removing the tags and the deny-all is finished by its re-run', async () => {
    await idleRole('half-undone');
    const now = Date.now();
    const p = plan([roleFinding('half-undone')], now);
    const a = await apply(p, now);
    const failing = failingClient(moto, (command) => command === 'DeleteRolePolicyCommand');
    const journal = new JournalWriter(a.file);
    try {
      const first = await undoJournal(readJournal(a.file), {
        clients: { ...motoRemediationClients(moto, iam), iam: async () => failing },
        journal,
        now: Date.now,
        runId: `undo-${++runs}`,
        planDigest: p.digest.value,
        trustUnsignedJournal: true,
      });
      assert.deepEqual(
        first.map((r) => r.outcome),
        ['failed'],
      );
    } finally {
      journal.close();
      failing.destroy();
    }
    assert.equal((await tagsOf('half-undone'))[QUARANTINE_PLAN_TAG], undefined, 'the tags went first');
    assert.deepEqual(
      (await undo(a.file, p)).map((r) => r.outcome),
      ['undone'],
    );
    const record = (await captureRoleRecord(iam, 'half-undone'))!;
    assert.ok(!record.inlinePolicies.some((x) => x.name === QUARANTINE_POLICY_NAME));
  });

  it("quarantine-role: an interrupted apply re-run does not take another plan's quarantine for its own step done", async () => {
    await idleRole('taken-over');
    const now = Date.now();
    const p = plan([roleFinding('taken-over')], now);
    const failing = failingClient(moto, (command) => command === 'PutRolePolicyCommand');
    const first = await apply(p, now, {
      clients: { ...motoRemediationClients(moto, iam), iam: async () => failing },
    });
    failing.destroy();
    assert.deepEqual(outcomes(first.results), { 'taken-over': 'failed:Throttling' });
    // killed between the call and its outcome line: the journal ends at the step's intent
    const lines = readFileSync(first.file, 'utf8').split('\n').filter(Boolean);
    assert.match(lines.at(-1)!, /"type":"failed"/);
    writeFileSync(first.file, `${lines.slice(0, -1).join('\n')}\n`);
    // meanwhile another plan's apply quarantined the role
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'taken-over',
        PolicyName: QUARANTINE_POLICY_NAME,
        PolicyDocument: quarantinePolicyDocument(now),
      }),
    );
    await iam.send(
      new TagRoleCommand({ RoleName: 'taken-over', Tags: [{ Key: QUARANTINE_PLAN_TAG, Value: OTHER_PLAN }] }),
    );
    const rerun = await apply(p, now, { file: first.file });
    assert.deepEqual(outcomes(rerun.results), { 'taken-over': 'skipped:changed_since_plan' });
    assert.deepEqual(
      (await undo(first.file, p)).map((r) => r.outcome),
      [],
      'nothing this journal did to undo',
    );
    assert.equal((await tagsOf('taken-over'))[QUARANTINE_PLAN_TAG], OTHER_PLAN, 'the other quarantine stays');
  });

  it('quarantine-user: a deny-all policy and tags, undone exactly', async () => {
    await moto.setClockOffsetDays(-200);
    await iam.send(new CreateUserCommand({ UserName: 'old-user' }));
    await iam.send(new CreateAccessKeyCommand({ UserName: 'old-user' }));
    await moto.setClockOffsetDays(0);
    const now = Date.now();
    const userPlan = quarantineUserPlan('old-user', now);
    const a = await apply(userPlan, now);
    assert.deepEqual(outcomes(a.results), { 'old-user': 'done' });
    const policy = await iam.send(
      new GetUserPolicyCommand({ UserName: 'old-user', PolicyName: QUARANTINE_POLICY_NAME }),
    );
    assert.match(decodeURIComponent(policy.PolicyDocument!), /CredsweepQuarantineDenyAll/);
    assert.deepEqual(
      outcomes((await apply(userPlan, now)).results),
      { 'old-user': 'skipped:changed_since_plan' },
      'a quarantined user is not quarantined twice',
    );
    assert.deepEqual(
      (await undo(a.file, userPlan)).map((r) => r.outcome),
      ['undone'],
    );
    await assert.rejects(
      iam.send(new GetUserPolicyCommand({ UserName: 'old-user', PolicyName: QUARANTINE_POLICY_NAME })),
      (e: Error) => e.name === 'NoSuchEntity' || e.name === 'NoSuchEntityException',
    );
    assert.deepEqual((await iam.send(new ListUserTagsCommand({ UserName: 'old-user' }))).Tags, []);
  });

  it('quarantine-user: undo leaves a quarantine another plan made since (the plan tag names it)', async () => {
    await moto.setClockOffsetDays(-200);
    await iam.send(new CreateUserCommand({ UserName: 'requarantined-user' }));
    await iam.send(new CreateAccessKeyCommand({ UserName: 'requarantined-user' }));
    await moto.setClockOffsetDays(0);
    const now = Date.now();
    const userPlan = quarantineUserPlan('requarantined-user', now);
    const a = await apply(userPlan, now);
    assert.deepEqual(outcomes(a.results), { 'requarantined-user': 'done' });
    await iam.send(
      new TagUserCommand({
        UserName: 'requarantined-user',
        Tags: [{ Key: QUARANTINE_PLAN_TAG, Value: OTHER_PLAN }],
      }),
    );
    const undone = await undo(a.file, userPlan);
    assert.deepEqual(
      undone.map((r) => r.outcome),
      ['skipped'],
    );
    assert.match(undone[0]!.detail ?? '', /quarantined by another plan/);
    await iam.send(
      new GetUserPolicyCommand({ UserName: 'requarantined-user', PolicyName: QUARANTINE_POLICY_NAME }),
    );
  });

  // From an adversarial review: a policy of the owner's that happens to be named CredsweepQuarantine read
  // as "not quarantined", so apply wrote the deny-all over it (PutRolePolicy/PutUserPolicy replace a
  // policy of that name) and undo then deleted it: the owner's policy was gone either way.
  const OWNERS_POLICY = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'OwnersOwn', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
  });
  const TRUST = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
    ],
  });

  it('quarantine-role: a role whose own policy is named CredsweepQuarantine is left as it is, its policy intact', async () => {
    await moto.setClockOffsetDays(-200);
    await iam.send(
      new CreateRoleCommand({ RoleName: 'owned', Path: '/apps/', AssumeRolePolicyDocument: TRUST }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'owned',
        PolicyName: QUARANTINE_POLICY_NAME,
        PolicyDocument: OWNERS_POLICY,
      }),
    );
    await moto.setClockOffsetDays(0);
    const now = Date.now();
    const p = plan([roleFinding('owned')], now);
    assert.deepEqual(
      p.steps.map((s) => s.action),
      ['quarantine-role'],
    );
    const a = await apply(p, now);
    assert.deepEqual(outcomes(a.results), { owned: 'skipped:changed_since_plan' });
    assert.match(
      a.results[0]!.detail ?? '',
      /inline policy named CredsweepQuarantine that is not credsweep's deny-all: left as it is/,
    );
    const policy = await iam.send(
      new GetRolePolicyCommand({ RoleName: 'owned', PolicyName: QUARANTINE_POLICY_NAME }),
    );
    assert.deepEqual(JSON.parse(decodeURIComponent(policy.PolicyDocument!)), JSON.parse(OWNERS_POLICY));
  });

  it('quarantine-user: a user whose own policy is named CredsweepQuarantine is left as it is, its policy intact', async () => {
    await moto.setClockOffsetDays(-200);
    await iam.send(new CreateUserCommand({ UserName: 'owned-user' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'owned-user',
        PolicyName: QUARANTINE_POLICY_NAME,
        PolicyDocument: OWNERS_POLICY,
      }),
    );
    await moto.setClockOffsetDays(0);
    const now = Date.now();
    const userPlan = quarantineUserPlan('owned-user', now);
    const a = await apply(userPlan, now);
    assert.deepEqual(outcomes(a.results), { 'owned-user': 'skipped:changed_since_plan' });
    assert.match(a.results[0]!.detail ?? '', /named CredsweepQuarantine that is not credsweep's deny-all/);
    const policy = await iam.send(
      new GetUserPolicyCommand({ UserName: 'owned-user', PolicyName: QUARANTINE_POLICY_NAME }),
    );
    assert.deepEqual(JSON.parse(decodeURIComponent(policy.PolicyDocument!)), JSON.parse(OWNERS_POLICY));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));
});
