/**
 * delete-role where it can go wrong (moto): a deletion that stops part-way is finished by the re-run,
 * undo never writes into a role of the same name that it did not create, and a role is recreated
 * from a journal only when the journal is sealed with the plan key or the user takes it as written.
 * From an adversarial review: before, a DeleteRole that failed left the role stripped of its policies
 * and quarantine with neither a re-run nor undo able to restore it; undo wrote the old policies into
 * a new role of the same name; and a hand-written journal made undo create any role it described.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { InputError } from '../../src/errors.ts';
import type { PlanStep, RemediationPlan } from '../../src/model/remediation-plan.ts';
import type { RemediationClients } from '../../src/remediation/actions/index.ts';
import { applyPlan } from '../../src/remediation/apply.ts';
import { exemptionCheck } from '../../src/remediation/exemptions.ts';
import {
  deactivationDates,
  readDeactivationJournals,
  foldJournal,
  JournalWriter,
  journalEntries,
  readJournal,
} from '../../src/remediation/journal.ts';
import { type PlanKey, sealPlan } from '../../src/remediation/plan-digest.ts';
import { QUARANTINE_POLICY_NAME } from '../../src/remediation/quarantine-policy.ts';
import { captureRoleRecord, getRole, type RoleRecord } from '../../src/remediation/role-record.ts';
import { undoJournal } from '../../src/remediation/undo.ts';
import { MS_PER_DAY } from '../../src/time.ts';
import { MOTO_DEFAULT_ACCOUNT as ACCOUNT, type MotoServer, startMoto } from '../helpers/moto.ts';
import { failingClient, motoRemediationClients } from '../helpers/remediation-fixture.ts';
import { planRoles, ROLE_CALLER, roleFinding } from '../helpers/role-plan.ts';
import { seedFullRole } from '../helpers/seed-role.ts';

const KEY: PlanKey = Buffer.from('a plan key of 32 bytes, for test');

describe('delete-role: a deletion stopped part-way, a role of the same name, an unsealed journal (moto)', () => {
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
    dir = mkdtempSync(join(tmpdir(), 'credsweep-delete-role-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const plan = planRoles;

  /** apply as the CLI does: the journal's own history read first, so a re-run resumes. */
  async function apply(
    p: RemediationPlan,
    at: number,
    file: string,
    options: {
      journals?: string[];
      clients?: RemediationClients;
      /** The plan key: the plan sealed with it, the journals read with it, nothing unsealed trusted. */
      key?: PlanKey;
      /** Without a key: take the journal's own lines as written (default true). */
      trustUnsignedHistory?: boolean;
    } = {},
  ) {
    const { key } = options;
    const { digest: _, ...content } = p;
    const sealed = key ? sealPlan(content, key) : p;
    const history = readJournal(file, { missingOk: true, key });
    const journal = new JournalWriter(file);
    try {
      const { results } = await applyPlan(sealed, {
        clients: options.clients ?? motoRemediationClients(moto, iam),
        journal,
        history,
        now: () => at,
        runId: `run-${++runs}`,
        planFile: 'plan.json',
        key,
        callerAccessKeyId: null,
        callerArn: ROLE_CALLER.arn,
        allowIrreversible: true,
        exemptions: exemptionCheck([], at),
        // the journals these tests wrote: sealed with the key, else (no plan key) taken as written
        deactivationJournals: readDeactivationJournals(options.journals ?? [], key),
        trustUnsignedJournal: key === undefined,
        trustUnsignedHistory: key === undefined && (options.trustUnsignedHistory ?? true),
      });
      return results;
    } finally {
      journal.close();
    }
  }

  async function undo(
    file: string,
    options: { key?: PlanKey; trustUnsignedJournal?: boolean; clients?: RemediationClients } = {},
  ) {
    const entries = readJournal(file, { key: options.key });
    const journal = new JournalWriter(file);
    try {
      return await undoJournal(entries, {
        clients: options.clients ?? motoRemediationClients(moto, iam),
        journal,
        now: Date.now,
        runId: `undo-${++runs}`,
        planDigest: entries[0]!.planDigest,
        key: options.key,
        trustUnsignedJournal: options.trustUnsignedJournal ?? false,
      });
    } finally {
      journal.close();
    }
  }

  /** app-worker quarantined by credsweep 31 days ago: the plan that deletes it, and the journal that says so. */
  async function deletionPlanned(key?: PlanKey) {
    await moto.setClockOffsetDays(-200);
    await seedFullRole(iam);
    await moto.setClockOffsetDays(0);
    const original = (await captureRoleRecord(iam, 'app-worker'))!;
    const t0 = Date.now();
    const quarantine = join(dir, 'quarantine.jsonl');
    assert.deepEqual(
      (await apply(plan([roleFinding('app-worker')], t0), t0, quarantine, { key })).map((r) => r.outcome),
      ['done'],
    );
    await moto.setClockOffsetDays(31);
    const at = t0 + 31 * MS_PER_DAY;
    const p = plan([roleFinding('app-worker')], at, {
      deactivatedAt: deactivationDates(readJournal(quarantine, { key })),
      journals: [quarantine],
      allowIrreversible: true,
    });
    assert.deepEqual(
      p.steps.map((s) => s.action),
      ['delete-role'],
    );
    return { p, at, journals: [quarantine], original };
  }

  const withoutId = ({ roleId: _, ...rest }: RoleRecord) => rest;

  it('DeleteRole fails after the policies went: the re-run finishes the deletion, and undo brings the role back whole', async () => {
    const { p, at, journals, original } = await deletionPlanned();
    const file = join(dir, 'delete.jsonl');
    const failing = failingClient(moto, (command) => command === 'DeleteRoleCommand');
    const clients = { ...motoRemediationClients(moto, iam), iam: async () => failing };
    const first = await apply(p, at, file, { journals, clients });
    assert.deepEqual(
      first.map((r) => r.outcome),
      ['failed'],
    );
    failing.destroy();
    const stripped = (await captureRoleRecord(iam, 'app-worker'))!;
    assert.deepEqual(
      [stripped.inlinePolicies, stripped.attachedPolicyArns, stripped.instanceProfiles],
      [[], [], []],
      'what the failed step left: the role without its policies, its quarantine and its profile',
    );

    // The re-run finishes the deletion it began on this very role (the quarantine is gone with the rest).
    const second = await apply(p, at, file, { journals });
    assert.deepEqual(
      second.map((r) => r.outcome),
      ['done'],
    );
    assert.equal(await getRole(iam, 'app-worker'), undefined);

    // Undo recreates the whole role from the record journalled before the first attempt.
    const undone = await undo(file, { trustUnsignedJournal: true });
    assert.deepEqual(
      undone.map((r) => r.outcome),
      ['undone'],
    );
    assert.deepEqual(withoutId((await captureRoleRecord(iam, 'app-worker'))!), withoutId(original));
  });

  /**
   * A sealed run killed in the middle of the deletion (the policies and profile gone, DeleteRole not
   * yet called): what the journal then holds is its `intent` with no `done` or `failed` after it. Made
   * here by a DeleteRole that fails, its `failed` line then cut off at the line boundary, as a kill
   * before that line leaves the file (a prefix of a sealed chain is a sealed chain).
   */
  async function killedMidDeletion(key?: PlanKey) {
    const planned = await deletionPlanned(key);
    const file = join(dir, 'delete.jsonl');
    const failing = failingClient(moto, (command) => command === 'DeleteRoleCommand');
    const first = await apply(planned.p, planned.at, file, {
      journals: planned.journals,
      key,
      clients: { ...motoRemediationClients(moto, iam), iam: async () => failing },
    });
    failing.destroy();
    assert.deepEqual(
      first.map((r) => r.outcome),
      ['failed'],
    );
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    assert.equal(JSON.parse(lines.at(-1)!).type, 'failed');
    writeFileSync(file, `${lines.slice(0, -1).join('\n')}\n`);
    assert.equal(
      foldJournal(readJournal(file, { key })).get(planned.p.steps[0]!.id)?.state,
      'apply_in_flight',
    );
    return { ...planned, file };
  }

  it('a sealed run killed mid-deletion (intent journalled, no done): the re-run with the key finishes it, and undo with the key brings the role back whole', async () => {
    const { p, at, journals, original, file } = await killedMidDeletion(KEY);
    const second = await apply(p, at, file, { journals, key: KEY });
    assert.deepEqual(
      second.map((r) => r.outcome),
      ['done'],
    );
    assert.equal(await getRole(iam, 'app-worker'), undefined);
    const undone = await undo(file, { key: KEY });
    assert.deepEqual(
      undone.map((r) => r.outcome),
      ['undone'],
    );
    assert.deepEqual(withoutId((await captureRoleRecord(iam, 'app-worker'))!), withoutId(original));
  });

  it('the same kill in a journal not sealed with a key, its lines not taken as written: the re-run leaves the stripped role (not_quarantined)', async () => {
    const { p, at, journals, file } = await killedMidDeletion();
    const rerun = await apply(p, at, file, { journals, trustUnsignedHistory: false });
    assert.deepEqual(
      rerun.map((r) => `${r.outcome}:${r.reason}`),
      ['skipped:not_quarantined'],
    );
    assert.ok(await getRole(iam, 'app-worker'), 'the role is left as it is');
  });

  it('a role stripped part-way and changed since (a policy added) is not finished by the re-run', async () => {
    const { p, at, journals } = await deletionPlanned();
    const file = join(dir, 'delete.jsonl');
    const failing = failingClient(moto, (command) => command === 'DeleteRoleCommand');
    await apply(p, at, file, {
      journals,
      clients: { ...motoRemediationClients(moto, iam), iam: async () => failing },
    });
    failing.destroy();
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'app-worker',
        PolicyName: 'added-by-hand',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }],
        }),
      }),
    );
    const rerun = await apply(p, at, file, { journals });
    assert.deepEqual(
      rerun.map((r) => `${r.outcome}:${r.reason}`),
      ['skipped:not_quarantined'],
    );
    assert.ok(await getRole(iam, 'app-worker'), 'the role is left as it is');
  });

  it('a deletion that failed before it changed anything, the quarantine then taken off by a responder to keep the role: the re-run leaves it', async () => {
    const { p, at, journals } = await deletionPlanned();
    const file = join(dir, 'delete.jsonl');
    const failing = failingClient(moto, (command) => command === 'RemoveRoleFromInstanceProfileCommand');
    const first = await apply(p, at, file, {
      journals,
      clients: { ...motoRemediationClients(moto, iam), iam: async () => failing },
    });
    failing.destroy();
    assert.deepEqual(
      first.map((r) => r.outcome),
      ['failed'],
    );
    await iam.send(
      new DeleteRolePolicyCommand({ RoleName: 'app-worker', PolicyName: QUARANTINE_POLICY_NAME }),
    );
    const rerun = await apply(p, at, file, { journals });
    assert.deepEqual(
      rerun.map((r) => `${r.outcome}:${r.reason}`),
      ['skipped:not_quarantined'],
    );
    const kept = (await captureRoleRecord(iam, 'app-worker'))!;
    assert.ok(kept.inlinePolicies.length > 0 && kept.instanceProfiles.length > 0, 'the role is kept whole');
  });

  // Before, the re-run deleted it, policy and all, and undo then recreated the role from the record of
  // the first attempt (the journal keeps that one for a retry): the policy added since was gone for good.
  it('a deletion that failed before it changed anything, a policy then added to the still-quarantined role: the re-run leaves it', async () => {
    const { p, at, journals } = await deletionPlanned();
    const file = join(dir, 'delete.jsonl');
    const failing = failingClient(moto, (command) => command === 'RemoveRoleFromInstanceProfileCommand');
    const first = await apply(p, at, file, {
      journals,
      clients: { ...motoRemediationClients(moto, iam), iam: async () => failing },
    });
    failing.destroy();
    assert.deepEqual(
      first.map((r) => r.outcome),
      ['failed'],
    );
    const added = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    });
    await iam.send(
      new PutRolePolicyCommand({ RoleName: 'app-worker', PolicyName: 'added-later', PolicyDocument: added }),
    );
    const rerun = await apply(p, at, file, { journals });
    assert.deepEqual(
      rerun.map((r) => `${r.outcome}:${r.reason}`),
      ['skipped:changed_since_plan'],
    );
    assert.match(rerun[0]!.detail ?? '', /added-later/);
    const kept = (await captureRoleRecord(iam, 'app-worker'))!;
    assert.ok(
      kept.inlinePolicies.some((q) => q.name === 'added-later'),
      'the role is left as it is, the policy added since with it',
    );
  });

  it('undo leaves alone a role someone created since under the same name', async () => {
    const { p, at, journals } = await deletionPlanned();
    const file = join(dir, 'delete.jsonl');
    assert.deepEqual(
      (await apply(p, at, file, { journals })).map((r) => r.outcome),
      ['done'],
    );
    const old = readJournal(file).find((e) => e.type === 'intent')!.before!.role!;
    // Terraform (say) makes a new app-worker: same path and trust policy, a policy of its own.
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'app-worker',
        Path: old.path,
        AssumeRolePolicyDocument: old.trustPolicy,
      }),
    );
    const deny = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }],
    });
    await iam.send(
      new PutRolePolicyCommand({ RoleName: 'app-worker', PolicyName: 'read-bucket', PolicyDocument: deny }),
    );
    const undone = await undo(file, { trustUnsignedJournal: true });
    assert.deepEqual(
      undone.map((r) => r.outcome),
      ['skipped'],
    );
    assert.match(
      undone[0]!.detail!,
      /a role of this name exists \(RoleId \w+\) that credsweep did not recreate/,
    );
    const doc = await iam.send(
      new GetRolePolicyCommand({ RoleName: 'app-worker', PolicyName: 'read-bucket' }),
    );
    assert.equal(decodeURIComponent(doc.PolicyDocument!), deny, "the new role's own policy is untouched");
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'app-worker' }));
    assert.deepEqual(attached.AttachedPolicies, []);
  });

  it('an undo that failed after recreating the role carries on with that role (its RoleId journalled), not with another', async () => {
    const { p, at, journals, original } = await deletionPlanned();
    const file = join(dir, 'delete.jsonl');
    await apply(p, at, file, { journals });
    // The first undo creates the role, then fails putting its policies back.
    const failing = failingClient(moto, (command) => command === 'AttachRolePolicyCommand');
    const first = await undo(file, {
      trustUnsignedJournal: true,
      clients: { ...motoRemediationClients(moto, iam), iam: async () => failing },
    });
    failing.destroy();
    assert.deepEqual(
      first.map((r) => r.outcome),
      ['failed'],
    );
    const made = (await getRole(iam, 'app-worker'))!.RoleId!;
    assert.equal(foldJournal(readJournal(file)).get(p.steps[0]!.id)?.undoing?.targetId, made);
    // The re-run finishes on that role.
    const second = await undo(file, { trustUnsignedJournal: true });
    assert.deepEqual(
      second.map((r) => r.outcome),
      ['undone'],
    );
    const restored = (await captureRoleRecord(iam, 'app-worker'))!;
    assert.equal(restored.roleId, made);
    assert.deepEqual(withoutId(restored), withoutId(original));
  });

  describe('a journal not sealed with the plan key', () => {
    /** A journal written by hand: a delete-role of a role that grants another account everything. */
    function forgedJournal(key?: PlanKey): { file: string; step: PlanStep } {
      const file = join(dir, key ? 'forged-sealed.jsonl' : 'forged.jsonl');

      const arn = `arn:aws:iam::${ACCOUNT}:role/backdoor`;
      const step: PlanStep = {
        id: `${ACCOUNT}/delete-role/backdoor`,
        action: 'delete-role',
        accountId: ACCOUNT,
        principalType: 'role',
        principalName: 'backdoor',
        arn,
        credential: 'role',
        reversible: false,
        reason: 'quarantined 40 days ago',
        expected: { lastUsed: null },
      };
      const role: RoleRecord = {
        roleName: 'backdoor',
        path: '/',
        roleId: 'AROAFORGED0000000000',
        arn,
        trustPolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::999999999999:root' },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
        inlinePolicies: [
          {
            name: 'all',
            document: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
            }),
          },
        ],
        attachedPolicyArns: [],
        permissionsBoundaryArn: null,
        tags: [],
        instanceProfiles: [],
      };
      const state = { exists: true, status: 'Quarantined', lastUsed: null, targetId: role.roleId, role };
      const writer = new JournalWriter(file);
      const entry = journalEntries('apply', 'forged', Date.now, {
        planDigest: 'a'.repeat(64),
        key,
        journal: writer,
      });
      writer.append(
        entry({ type: 'run', plan: { file: 'plan.json', dataCollectedAt: '2026-11-01T00:00:00Z' } }),
      );
      writer.append(entry({ type: 'intent', step, before: state }));
      writer.append(entry({ type: 'done', step, before: state }));
      writer.close();
      return { file, step };
    }

    it('recreates no role from it: refused, saying why, before anything is journalled, and still reversible', async () => {
      const { file } = forgedJournal();
      await assert.rejects(
        undo(file),
        (e: unknown) =>
          e instanceof InputError &&
          /not sealed with a plan key/.test(e.message) &&
          /--trust-unsigned-journal/.test(e.hint ?? ''),
      );
      assert.equal(await getRole(iam, 'backdoor'), undefined);
      // nothing journalled: the step stays reversible for an undo given the key or the flag
      assert.deepEqual(
        readJournal(file).filter((e) => e.phase === 'undo'),
        [],
      );
      assert.deepEqual(
        (await undo(file, { trustUnsignedJournal: true })).map((r) => r.outcome),
        ['undone'],
      );
    });

    it('recreates it when the user takes it as written (--trust-unsigned-journal), or when it is sealed with the key', async () => {
      const { file } = forgedJournal();
      assert.deepEqual(
        (await undo(file, { trustUnsignedJournal: true })).map((r) => r.outcome),
        ['undone'],
      );
      assert.ok(await getRole(iam, 'backdoor'));
      await moto.reset();
      const sealed = forgedJournal(KEY);
      assert.deepEqual(
        (await undo(sealed.file, { key: KEY })).map((r) => r.outcome),
        ['undone'],
      );
      const role = (await captureRoleRecord(iam, 'backdoor'))!;
      assert.deepEqual(
        role.inlinePolicies.map((p) => p.name),
        ['all'],
      );
      assert.ok(!role.inlinePolicies.some((p) => p.name === QUARANTINE_POLICY_NAME));
    });
  });
});
