/**
 * The hostile-plan battery (issue 11), against moto: a valid plan made from a credential report is
 * tampered with as an attacker who can write the plan file would (re-sealing its SHA-256 digest, which
 * needs no key), then verified and applied in process with real moto clients. For every tampering,
 * nothing changes in moto and the refusal or the skip names the reason. The last case applies the
 * untampered plan, to show the snapshot would have seen a change.
 *
 * Every action of the registry has its cases here: delete-root-access-key and
 * deactivate-service-specific-credential, which moto cannot carry out (no sts:AssumeRoot, no
 * service-specific credential APIs), in the last block against aws-sdk-client-mock fakes (that block
 * only; it says so). A few quarantine-user cases of the first block have aws-sdk-client-mock answer
 * ListServiceSpecificCredentials (moto lacks it) or, for one user, a list call with what moto never
 * answers (a credential with no date, or in a status this version does not know), every other call
 * going through to moto.
 *
 * Role and user steps (issue 14) are forged the same way against the roles and users of
 * seedHostileRoles: a service-linked role, a service's role without --include-service-roles, the role
 * credsweep runs as (and the --role-name role it assumes in a member account), exempt roles (tag and configuration), a role used since the plan, delete-role
 * without the flag at apply, before --delete-after, or of a quarantine credsweep did not make;
 * quarantine-user on a user with a credential in use or created since, on the caller's user, on an
 * exempt one; and edited steps (wrong principal type, ARN, account, credential). Passwords and
 * signing certificates past the irreversible gate: a password set since (ivy), none at all, exempt by
 * a configuration exemption that expires today, by an ARN glob, by tag; a certificate exempt for
 * certificates only, or named under another user.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import {
  CreatePolicyCommand,
  DeleteRolePolicyCommand,
  PutRolePolicyCommand,
  DeleteUserPolicyCommand,
  PutUserPolicyCommand,
  CreateServiceLinkedRoleCommand,
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  GetRoleCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  ListUserTagsCommand,
  PutRolePermissionsBoundaryCommand,
  type ServiceSpecificCredentialMetadata,
  TagRoleCommand,
  UpdateAccessKeyCommand,
  UpdateServiceSpecificCredentialCommand,
} from '@aws-sdk/client-iam';
import { AssumeRootCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import type { Exemption } from '../../src/config/schema.ts';
import { isCredsweepError } from '../../src/errors.ts';
import type { JournalEntry } from '../../src/model/remediation-journal.ts';
import type { PlanStep, RemediationPlan } from '../../src/model/remediation-plan.ts';
import { ACTIONS } from '../../src/remediation/actions/index.ts';
import { applyPlan, type StepResult } from '../../src/remediation/apply.ts';
import type { ApplyOwnThresholds } from '../../src/remediation/apply-thresholds.ts';
import { remediationClients } from '../../src/remediation/clients.ts';
import { exemptionCheck } from '../../src/remediation/exemptions.ts';
import {
  type DeactivationJournal,
  journalEntries,
  JournalWriter,
  readDeactivationJournals,
  readJournal,
} from '../../src/remediation/journal.ts';
import { resolveLiveAccessAnalyzer } from '../../src/remediation/live-access-analyzer.ts';
import { type PlanKey, sealPlan } from '../../src/remediation/plan-digest.ts';
import { QUARANTINE_PLAN_TAG, QUARANTINED_AT_TAG } from '../../src/remediation/quarantine-policy.ts';
import { checkPlanNotFromFuture, verifyPlan } from '../../src/remediation/verify-plan.ts';
import { MS_PER_DAY } from '../../src/time.ts';
import { MOTO_DEFAULT_ACCOUNT as ACCOUNT, type MotoServer, startMoto } from '../helpers/moto.ts';
import {
  LATE_EXEMPTION,
  MEMBER,
  motoRemediationClients,
  PLAN_CONFIG,
  type RemediationFixture,
  seedRemediationFixture,
  snapshotCredentials,
} from '../helpers/remediation-fixture.ts';
import { seedRole, seedUser } from '../helpers/seed-iam.ts';
import { seedHostileRoles } from '../helpers/seed-role.ts';
import {
  ORG_BOUNDARY,
  planPermissions,
  RESTRICT_CALLER,
  seedRestrictPrincipals,
  snapshotBoundaries,
  stubbedClients,
  usualServices,
} from '../helpers/restrict-fixture.ts';
import { aService, type RestrictStubs, restrictStubs } from '../helpers/restrict-stubs.ts';
import { type AnalyzerStubs, analyzerStubs, OTHER_ANALYZER_ARN } from '../helpers/analyzer-stubs.ts';

interface RunOptions {
  allowIrreversible?: boolean;
  /** apply's own --include-service-roles. */
  includeServiceRoles?: boolean;
  exemptions?: Exemption[];
  key?: PlanKey;
  /** The ARN credsweep calls AWS as (default: the plan's caller). */
  callerArn?: string;
  /** apply's --role-name: the role it assumes in every other account. */
  memberRoleNames?: string[];
  /** credsweep's journals: when it deactivated keys or quarantined roles (by RoleId). */
  deactivatedAt?: Map<string, number>;
  /**
   * Instead of deactivatedAt: journal files (in the case's folder) read as apply reads the plan's
   * `--journal` files (deactivationDatesOf), their unsealed dates counted only with `trust`.
   */
  journals?: { files: string[]; trust: boolean };
  /** apply's own --days, --delete-after and configuration thresholds. */
  judging?: ApplyOwnThresholds;
}
type Outcome = { refused: Error } | { results: StepResult[] };
/** The journal someone forged without the plan key (written once seeded, in the case's folder). */
const FORGED_JOURNAL = 'forged-unsealed.jsonl';

/** The actions of every plan a case handed to apply: each action of the registry must be among them. */
const exercised = new Set<string>();

describe('hostile plans: apply re-derives every step and changes nothing it should not (moto)', () => {
  let moto: MotoServer;
  let iam: IAMClient;
  let dir: string;
  let fx: RemediationFixture;
  let baseline: Record<string, unknown>;
  let roles: Awaited<ReturnType<typeof seedHostileRoles>>;
  /** credsweep's journal as a case sees it: `parked` quarantined by credsweep 10 days ago (filled once seeded). */
  const parkedTenDaysAgo = new Map<string, number>();
  /** credsweep's journal as a case sees it: frank's key deactivated and `parked` quarantined 100 days ago. */
  const longAgo = new Map<string, number>();
  /** credsweep's journal as a case sees it: frank's key deactivated 10 days ago. */
  const frankTenDaysAgo = new Map<string, number>();
  let runs = 0;
  /** Key ids of the users seeded here (kim, lee), beside the fixture's. */
  const shouted: Record<string, string[]> = {};

  before(async () => {
    moto = await startMoto();
    iam = new IAMClient(moto.clientConfig());
    dir = mkdtempSync(join(tmpdir(), 'credsweep-hostile-'));
    fx = await seedRemediationFixture(moto, iam, dir);
    roles = await seedHostileRoles(moto, iam);
    // ivy: a console password set 3 days ago, never used
    await seedUser(moto, iam, { name: 'ivy', createdDaysAgo: 3, password: true });
    // kim and the role kept-too: the exempt tag with its key in other case (IAM keeps one key per
    // user or role whatever its case); lee: a tag a configuration exemption names in other case
    ({ keyIds: shouted.kim } = await seedUser(moto, iam, {
      name: 'kim',
      createdDaysAgo: 300,
      keys: [{ createdDaysAgo: 300 }],
      tags: { 'Credsweep:Exempt': 'TRUE' },
    }));
    ({ keyIds: shouted.lee } = await seedUser(moto, iam, {
      name: 'lee',
      createdDaysAgo: 300,
      keys: [{ createdDaysAgo: 300 }],
      tags: { Team: 'platform' },
    }));
    // nina: a tag only a plan's --exempt-tag names (team:keep=yes)
    ({ keyIds: shouted.nina } = await seedUser(moto, iam, {
      name: 'nina',
      createdDaysAgo: 300,
      keys: [{ createdDaysAgo: 300 }],
      tags: { 'team:keep': 'yes' },
    }));
    // pia: tagged `__proto__` (a tag key IAM allows), the exempt tag only a plan's --exempt-tag names
    ({ keyIds: shouted.pia } = await seedUser(moto, iam, {
      name: 'pia',
      createdDaysAgo: 300,
      keys: [{ createdDaysAgo: 300 }],
      tags: JSON.parse('{"__proto__":"keep"}') as Record<string, string>,
    }));
    // olga: a key last used 40 days ago (unused past a sealed plan's 30-day threshold)
    ({ keyIds: shouted.olga } = await seedUser(moto, iam, {
      name: 'olga',
      createdDaysAgo: 300,
      keys: [{ createdDaysAgo: 300, usedDaysAgo: 40 }],
    }));
    roles.arns['kept-too'] = await seedRole(moto, iam, {
      name: 'kept-too',
      createdDaysAgo: 200,
      tags: { 'CREDSWEEP:EXEMPT': 'true' },
    });
    // released: quarantined by credsweep, then a responder took the quarantine policy off to keep the
    // role (its tags left on): a role that has nothing in it, as one whose deletion stopped part-way.
    roles.arns.released = await seedRole(moto, iam, {
      name: 'released',
      createdDaysAgo: 200,
      tags: { [QUARANTINED_AT_TAG]: '2026-01-01T00:00:00Z', [QUARANTINE_PLAN_TAG]: 'e'.repeat(64) },
    });
    roles.roleIds.released = (await iam.send(new GetRoleCommand({ RoleName: 'released' }))).Role!.RoleId!;
    parkedTenDaysAgo.set(roles.roleIds.parked!, Date.now() - 10 * MS_PER_DAY);
    longAgo.set(roles.roleIds.parked!, Date.now() - 100 * MS_PER_DAY);
    longAgo.set(fx.keys.frank![0]!, Date.now() - 100 * MS_PER_DAY);
    frankTenDaysAgo.set(fx.keys.frank![0]!, Date.now() - 10 * MS_PER_DAY);
    // Someone who can write a journal, without the plan key: credsweep "deactivated" frank's key 100
    // days ago (an administrator did, by hand; nothing says when).
    const forged = new JournalWriter(join(dir, FORGED_JOURNAL));
    const line = journalEntries('apply', 'forged', () => Date.now() - 100 * MS_PER_DAY, {
      planDigest: 'f'.repeat(64),
    });
    const frank = await keyStep('frank');
    const before = { exists: true, status: 'Active', lastUsed: frank.expected.lastUsed };
    forged.append(line({ type: 'run' }));
    forged.append(line({ type: 'intent', step: frank, before }));
    forged.append(line({ type: 'done', step: frank, before }));
    forged.close();
    baseline = await snapshotCredentials(moto, iam);
  });
  after(async () => {
    iam.destroy();
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function lastUsed(keyId: string): Promise<string | null> {
    const r = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keyId }));
    const d = r.AccessKeyLastUsed?.LastUsedDate;
    return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
  }

  /** A step an attacker writes for a user's first key, with `expected` matching moto (so only live checks can stop it). */
  async function keyStep(user: string, overrides: Partial<PlanStep> = {}): Promise<PlanStep> {
    const accountId = overrides.accountId ?? ACCOUNT;
    const keyId = (fx.keys[user] ?? shouted[user])![0]!;
    const action = overrides.action ?? 'deactivate-access-key';
    return {
      id: `${accountId}/${action}/${keyId}`,
      action,
      accountId,
      principalType: 'user',
      principalName: user,
      arn: `arn:aws:iam::${accountId}:user/${user}`,
      credential: 'access_key_1',
      accessKeyId: keyId,
      reversible: true,
      reason: 'forged',
      expected: { status: 'Active', lastUsed: accountId === ACCOUNT ? await lastUsed(keyId) : null },
      ...overrides,
    };
  }
  function passwordStep(user: string, overrides: Partial<PlanStep> = {}): PlanStep {
    return {
      id: `${ACCOUNT}/delete-login-profile/${user}`,
      action: 'delete-login-profile',
      accountId: ACCOUNT,
      principalType: 'user',
      principalName: user,
      arn: `arn:aws:iam::${ACCOUNT}:user/${user}`,
      credential: 'password',
      reversible: false,
      reason: 'forged',
      expected: { lastUsed: null },
      ...overrides,
    };
  }
  /** A role step an attacker writes (`linked`: the service-linked role). */
  function roleStep(name: string, overrides: Partial<PlanStep> = {}): PlanStep {
    const action = overrides.action ?? 'quarantine-role';
    const principalName = name === 'linked' ? roles.linkedName : name;
    return {
      id: `${ACCOUNT}/${action}/${principalName}`,
      action,
      accountId: ACCOUNT,
      principalType: 'role',
      principalName,
      arn: roles.arns[name]!,
      credential: 'role',
      reversible: action !== 'delete-role',
      reason: 'forged',
      expected: action === 'delete-role' ? { lastUsed: null } : { status: 'Active', lastUsed: null },
      ...overrides,
    };
  }
  async function roleLastUsed(name: string): Promise<string | null> {
    const d = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role?.RoleLastUsed?.LastUsedDate;
    return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
  }
  /** A quarantine-user step with `expected` matching moto (its keys' latest use). */
  async function userStep(user: string, overrides: Partial<PlanStep> = {}): Promise<PlanStep> {
    const uses = await Promise.all((fx.keys[user] ?? []).map(lastUsed));
    const latest =
      uses
        .filter((u): u is string => u !== null)
        .sort()
        .at(-1) ?? null;
    return {
      id: `${ACCOUNT}/quarantine-user/${user}`,
      action: 'quarantine-user',
      accountId: ACCOUNT,
      principalType: 'user',
      principalName: user,
      arn: `arn:aws:iam::${ACCOUNT}:user/${user}`,
      credential: 'none',
      reversible: true,
      reason: 'forged',
      expected: { status: 'Active', lastUsed: latest },
      ...overrides,
    };
  }
  /** The valid plan with only `steps` (re-sealed), and --allow-irreversible in it when `irreversible`. */
  const only = (steps: PlanStep[], irreversible = false) =>
    tamper((p) => {
      p.steps = steps;
      if (irreversible) p.options.allowIrreversible = true;
    });
  const withFlag = { allowIrreversible: true };
  const EXEMPTION = { owner: 'sec', expires: '2099-12-31' };
  const validStep = (user: string) => fx.plan.steps.find((s) => s.principalName === user)!;

  /** The valid plan with `edit` applied, its digest recomputed (as anyone can without a key) unless told not to. */
  function tamper(edit: (p: RemediationPlan) => void, options: { reseal?: boolean; key?: PlanKey } = {}) {
    const copy = structuredClone(fx.plan);
    edit(copy);
    if (options.reseal === false) return copy;
    const { digest: _, ...content } = copy;
    return sealPlan(content, options.key);
  }

  /**
   * The journal in which credsweep deactivated each key of `dates` (and quarantined each role, by
   * RoleId) at its date, as a case sees it (with `key`, sealed and chained).
   */
  function journalShowing(dates: ReadonlyMap<string, number>, key?: PlanKey): DeactivationJournal {
    const entries: JournalEntry[] = [];
    const chain = { lastMac: () => entries.at(-1)?.mac ?? '' };
    const users = Object.entries({ ...fx.keys, ...shouted });
    for (const [id, at] of dates) {
      const line = journalEntries('apply', 'earlier', () => at, {
        planDigest: 'e'.repeat(64),
        key,
        journal: chain,
      });
      const user = users.find(([, ids]) => ids.includes(id))?.[0];
      const role = Object.entries(roles.roleIds).find(([, roleId]) => roleId === id)?.[0];
      const step: PlanStep = user
        ? {
            id: `${ACCOUNT}/deactivate-access-key/${id}`,
            action: 'deactivate-access-key',
            accountId: ACCOUNT,
            principalType: 'user',
            principalName: user,
            arn: `arn:aws:iam::${ACCOUNT}:user/${user}`,
            credential: 'access_key_1',
            accessKeyId: id,
            reversible: true,
            reason: 'journalled',
            expected: { status: 'Active', lastUsed: null },
          }
        : roleStep(role!);
      const before = { exists: true, status: 'Active', lastUsed: null, targetId: id };
      entries.push(line({ type: 'intent', step, before }));
      entries.push(line({ type: 'done', step, before }));
    }
    return { file: 'credsweep-earlier.jsonl', entries };
  }

  async function run(plan: RemediationPlan, options: RunOptions = {}): Promise<Outcome> {
    try {
      verifyPlan(plan, 'plan.json', options.key);
      checkPlanNotFromFuture(plan, 'plan.json', Date.now());
      for (const step of plan.steps) exercised.add(step.action);
    } catch (e) {
      return { refused: e as Error };
    }
    const journal = new JournalWriter(join(dir, `run-${++runs}.jsonl`));
    const clients = motoRemediationClients(moto, iam);
    try {
      const result = await applyPlan(plan, {
        clients,
        journal,
        history: [],
        now: Date.now,
        runId: `run-${runs}`,
        planFile: 'plan.json',
        key: options.key,
        callerAccessKeyId: fx.ops.accessKeyId,
        ...(options.callerArn ? { callerArn: options.callerArn } : {}),
        ...(options.memberRoleNames ? { memberRoleNames: options.memberRoleNames } : {}),
        allowIrreversible: options.allowIrreversible ?? false,
        includeServiceRoles: options.includeServiceRoles ?? false,
        exemptions: exemptionCheck(options.exemptions ?? PLAN_CONFIG.exemptions, Date.now()),
        ...(options.journals
          ? {
              deactivationJournals: readDeactivationJournals(
                options.journals.files.map((f) => join(dir, f)),
                options.key,
              ),
              trustUnsignedJournal: options.journals.trust,
            }
          : {
              // credsweep's journal as the case sees it: sealed with the case's key, else trusted
              deactivationJournals: options.deactivatedAt
                ? [journalShowing(options.deactivatedAt, options.key)]
                : [],
              trustUnsignedJournal: options.key === undefined,
            }),
        ...(options.judging ? { judging: options.judging } : {}),
      });
      return { results: result.results };
    } finally {
      journal.close();
      clients.destroy();
    }
  }

  it('the plan from a credential report lists exempt principals (tag and configuration) and plans no deletion', () => {
    const skipped = Object.fromEntries(fx.plan.skipped.map((s) => [`${s.principalName}:${s.credential}`, s]));
    assert.equal(skipped['carol:access_key_1']?.reason, 'exempt');
    assert.match(skipped['carol:access_key_1']!.detail, /exempt by tag credsweep:exempt=true/);
    assert.equal(skipped['erin:access_key_1']?.reason, 'exempt');
    assert.match(skipped['erin:access_key_1']!.detail, /vendor integration/);
    assert.equal(skipped['frank:access_key_1']?.reason, 'deactivation_unknown');
    assert.equal(skipped['alice:password']?.reason, 'irreversible');
    assert.equal(skipped['ops:access_key_1']?.reason, 'caller_key');
    assert.deepEqual(fx.plan.steps.map((s) => `${s.principalName}:${s.action}`).sort(), [
      'alice:deactivate-access-key',
      'dave:deactivate-access-key',
      'gina:deactivate-signing-certificate',
    ]);
    assert.deepEqual(fx.plan.audit.accounts, [ACCOUNT]);
  });

  const KEY = Buffer.from('k'.repeat(32));
  const cases: {
    name: string;
    plan: () => Promise<RemediationPlan>;
    options?: RunOptions;
    /**
     * What ListServiceSpecificCredentials answers for the case: moto lacks it, so aws-sdk-client-mock
     * answers it on the moto client (every other call goes through to moto); without it, the tests'
     * launcher answers an empty list (docs/aws-behaviour.md §9).
     */
    serviceSpecificCredentials?: () => ServiceSpecificCredentialMetadata[];
    /**
     * Answers moto never gives (a credential with no date, or in a status this version does not know),
     * set by aws-sdk-client-mock on the moto client for the case's user only; every other call goes
     * through to moto.
     */
    mockIam?: (mock: AwsClientStub<IAMClient>) => void;
    expect: RegExp | { skipped: string; detail: RegExp };
  }[] = [
    {
      name: 'any edit without recomputing the digest',
      plan: async () =>
        tamper((p) => (p.dataCollectedAt = new Date().toISOString().slice(0, 19) + 'Z'), { reseal: false }),
      expect: /does not match its digest/,
    },
    {
      name: 'a plan key is set, the edited plan re-sealed with plain SHA-256',
      plan: async () => tamper((p) => p.steps.push(passwordStep('alice'))),
      options: { key: KEY },
      expect: /not sealed with the plan key/,
    },
    {
      name: 'a plan key is set, the edited plan re-sealed with a guessed key',
      plan: async () =>
        tamper((p) => p.steps.push(passwordStep('alice')), { key: Buffer.from('g'.repeat(32)) }),
      options: { key: KEY },
      expect: /does not match its digest \(hmac-sha256\)/,
    },
    {
      name: 'exempt by tag: a step for carol (the credential report had no tags)',
      plan: async () => {
        const carol = await keyStep('carol');
        return tamper((p) => (p.steps = [carol]));
      },
      expect: { skipped: 'exempt', detail: /exempt by tag credsweep:exempt=true/ },
    },
    {
      name: 'deactivate-ssh-public-key for carol (exempt by tag): the exemption is read live',
      plan: async () => {
        const carol = await keyStep('carol');
        const { accessKeyId: _, ...rest } = carol;
        const ssh: PlanStep = {
          ...rest,
          id: `${ACCOUNT}/deactivate-ssh-public-key/APKAFORGED0000000001`,
          action: 'deactivate-ssh-public-key',
          credential: 'ssh_public_key',
          sshPublicKeyId: 'APKAFORGED0000000001',
        };
        return tamper((p) => (p.steps = [ssh]));
      },
      expect: { skipped: 'exempt', detail: /exempt by tag credsweep:exempt=true/ },
    },
    {
      name: 'deactivate-ssh-public-key for a key id alice does not have',
      plan: async () => {
        const alice = validStep('alice');
        const { accessKeyId: _, ...rest } = alice;
        const ssh: PlanStep = {
          ...rest,
          id: `${ACCOUNT}/deactivate-ssh-public-key/APKAFORGED0000000002`,
          action: 'deactivate-ssh-public-key',
          credential: 'ssh_public_key',
          sshPublicKeyId: 'APKAFORGED0000000002',
        };
        return tamper((p) => (p.steps = [ssh]));
      },
      expect: { skipped: 'changed_since_plan', detail: /no longer exists/ },
    },
    {
      name: 'exempt by the configuration: an exemption added after planning wins (dave)',
      plan: async () => tamper((p) => (p.steps = [validStep('dave')])),
      options: { exemptions: [...PLAN_CONFIG.exemptions, LATE_EXEMPTION] },
      expect: { skipped: 'exempt', detail: /incident 42/ },
    },
    {
      name: 'delete-access-key on a key in use, reversible: true, expected.lastUsed in 2099',
      plan: async () => {
        const bob = await keyStep('bob', { action: 'delete-access-key', reversible: true });
        return tamper(
          (p) => (p.steps = [{ ...bob, expected: { status: 'Active', lastUsed: '2099-01-01T00:00:00Z' } }]),
        );
      },
      expect: /expected\.lastUsed 2099-01-01T00:00:00Z is later than dataCollectedAt/,
    },
    {
      name: 'a key used today, the plan dated 2099 with that use (so nothing reads as used since the plan)',
      plan: async () => {
        const bob = await keyStep('bob');
        return tamper((p) => {
          p.dataCollectedAt = '2099-01-01T00:00:00Z';
          p.steps = [{ ...bob, expected: { status: 'Active', lastUsed: '2099-01-01T00:00:00Z' } }];
        });
      },
      expect: /dataCollectedAt 2099-01-01T00:00:00Z is later than now/,
    },
    {
      name: 'delete-access-key on a key in use, reversible: true, both --allow-irreversible',
      plan: async () => {
        const bob = await keyStep('bob', { action: 'delete-access-key', reversible: true });
        return tamper((p) => {
          p.steps = [bob];
          p.options.allowIrreversible = true;
        });
      },
      options: { allowIrreversible: true },
      expect: { skipped: 'changed_since_plan', detail: /is Active, not Inactive/ },
    },
    {
      name: 'a key in use, expected edited to its real last use (the threshold re-applied)',
      plan: async () => {
        const bob = await keyStep('bob');
        return tamper((p) => (p.steps = [bob]));
      },
      expect: {
        skipped: 'changed_since_plan',
        detail: /last used 5 days ago: not unused now \(threshold 90\)/,
      },
    },
    // A plan not sealed with the plan key: anyone can recompute its digest, so its thresholds and
    // --delete-after are judged with apply's own where those are larger (src/remediation/apply-thresholds.ts).
    {
      name: 'an unsealed plan with thresholds 0 (digest recomputed): a key used 5 days ago is judged with 90 days',
      plan: async () => {
        const bob = await keyStep('bob');
        return tamper((p) => {
          p.audit.thresholdDays = 0;
          p.audit.thresholds = { access_key: 0 };
          p.steps = [bob];
        });
      },
      expect: {
        skipped: 'changed_since_plan',
        detail: /last used 5 days ago: not unused now \(threshold 90\)/,
      },
    },
    {
      name: "an unsealed plan with thresholds 0, apply's configuration judging access keys with 60 days",
      plan: async () => {
        const bob = await keyStep('bob');
        return tamper((p) => {
          p.audit.thresholdDays = 0;
          p.steps = [bob];
        });
      },
      options: { judging: { config: { days: 100, thresholds: { access_key: 60 } } } },
      expect: {
        skipped: 'changed_since_plan',
        detail: /last used 5 days ago: not unused now \(threshold 60\)/,
      },
    },
    {
      name: "an unsealed plan judging access keys with 90 days, apply's configuration with 180, apply --days 30: alice's key (used 120 days ago) is judged with 180",
      plan: async () => {
        const alice = validStep('alice');
        return tamper((p) => {
          p.audit.thresholdDays = 90;
          p.audit.thresholds = { access_key: 90 };
          p.steps = [alice];
        });
      },
      options: { judging: { days: 30, config: { thresholds: { access_key: 180 } } } },
      expect: {
        skipped: 'changed_since_plan',
        detail: /last used 120 days ago: not unused now \(threshold 180\)/,
      },
    },
    {
      name: 'an unsealed plan with --delete-after 0: deleted only 30 days after credsweep deactivated it',
      plan: async () => {
        const frank = await keyStep('frank', { action: 'delete-access-key', reversible: false });
        return tamper((p) => {
          p.steps = [{ ...frank, expected: { status: 'Inactive', lastUsed: frank.expected.lastUsed } }];
          p.options.allowIrreversible = true;
          p.options.deleteAfterDays = 0;
        });
      },
      options: { ...withFlag, deactivatedAt: frankTenDaysAgo },
      expect: {
        skipped: 'inactive_too_recent',
        detail: /deactivated by credsweep 10 days ago, deleted after 30/,
      },
    },
    {
      name: 'a plan sealed with the key, threshold 30, apply --days 60: a key used 40 days ago is judged with 60',
      plan: async () => {
        const olga = await keyStep('olga');
        return tamper(
          (p) => {
            p.audit.thresholdDays = 30;
            p.steps = [olga];
          },
          { key: KEY },
        );
      },
      options: { key: KEY, judging: { days: 60 } },
      expect: {
        skipped: 'changed_since_plan',
        detail: /last used 40 days ago: not unused now \(threshold 60\)/,
      },
    },
    {
      name: "a plan sealed with the key, threshold 30, apply --days 0: a sealed plan's threshold is never lowered",
      plan: async () => {
        const bob = await keyStep('bob');
        return tamper(
          (p) => {
            p.audit.thresholdDays = 30;
            p.steps = [bob];
          },
          { key: KEY },
        );
      },
      options: { key: KEY, judging: { days: 0 } },
      expect: {
        skipped: 'changed_since_plan',
        detail: /last used 5 days ago: not unused now \(threshold 30\)/,
      },
    },
    {
      name: 'a step in an account the audit never covered',
      plan: async () => {
        const mia = await keyStep('mia', { accountId: MEMBER });
        return tamper((p) => (p.steps = [mia]));
      },
      expect: { skipped: 'account_not_audited', detail: new RegExp(`account ${MEMBER} is not one`) },
    },
    {
      // plan --from refuses such a finding (test/cli/plan-from-account-ids.test.ts); a plan edited to
      // hold one was acted on: AWS was asked for the user in "account" 12345 (failed, exit 3)
      name: 'a step in account 12345 (no AWS account id), the audit edited to cover it',
      plan: async () => {
        const mia = await keyStep('mia', { accountId: '12345' });
        return tamper((p) => {
          p.steps = [mia];
          p.audit.accounts.push('12345');
        });
      },
      expect: {
        skipped: 'principal_mismatch',
        detail: /account "12345" is not an AWS account id \(12 digits\)/,
      },
    },
    {
      name: "a step whose ARN names another account than the step's",
      plan: async () =>
        tamper((p) => (p.steps = [{ ...validStep('dave'), arn: 'arn:aws:iam::210987654321:user/dave' }])),
      expect: { skipped: 'principal_mismatch', detail: /its ARN does not name the step's account \d{12}/ },
    },
    {
      name: 'an irreversible step in a plan not made with --allow-irreversible (apply given it)',
      plan: async () => tamper((p) => (p.steps = [passwordStep('alice')])),
      options: { allowIrreversible: true },
      expect: { skipped: 'irreversible', detail: /the plan was not made with --allow-irreversible/ },
    },
    {
      name: 'options edited: allowIrreversible set in the plan, apply not given it',
      plan: async () =>
        tamper((p) => {
          p.steps = [passwordStep('alice')];
          p.options.allowIrreversible = true;
        }),
      expect: { skipped: 'irreversible', detail: /apply was not given --allow-irreversible/ },
    },
    {
      name: 'reversible flipped on an irreversible step',
      plan: async () => tamper((p) => (p.steps = [passwordStep('alice', { reversible: true })])),
      expect: { skipped: 'irreversible', detail: /delete-login-profile cannot be undone/ },
    },
    {
      name: 'action swapped: deactivate → delete-access-key on an Active key, both flags',
      plan: async () =>
        tamper((p) => {
          p.steps = [{ ...validStep('alice'), action: 'delete-access-key', reversible: false }];
          p.options.allowIrreversible = true;
        }),
      options: { allowIrreversible: true },
      expect: { skipped: 'changed_since_plan', detail: /is Active, not Inactive/ },
    },
    {
      name: 'action swapped to one for another kind of credential',
      plan: async () =>
        tamper((p) => (p.steps = [{ ...validStep('alice'), action: 'deactivate-signing-certificate' }])),
      expect: { skipped: 'action_mismatch', detail: /not an action for a user's access_key_1/ },
    },
    {
      name: "a key id of another user (alice's step, bob's key)",
      plan: async () => tamper((p) => (p.steps = [{ ...validStep('alice'), accessKeyId: fx.keys.bob![0]! }])),
      expect: { skipped: 'changed_since_plan', detail: /no longer exists/ },
    },
    {
      name: "another principal's ARN on a step",
      plan: async () =>
        tamper((p) => (p.steps = [{ ...validStep('dave'), arn: `arn:aws:iam::${ACCOUNT}:user/bob` }])),
      expect: { skipped: 'principal_mismatch', detail: /ARN is arn:aws:iam::\d+:user\/dave/ },
    },
    {
      name: 'a step whose ARN is in another partition (arn:aws-cn:…:user/dave)',
      plan: async () => only([{ ...validStep('dave'), arn: `arn:aws-cn:iam::${ACCOUNT}:user/dave` }]),
      expect: { skipped: 'principal_mismatch', detail: /ARN is arn:aws:iam::\d+:user\/dave/ },
    },
    {
      name: 'a role step whose ARN is in another partition (arn:aws-us-gov:…:role/victim)',
      plan: async () => only([roleStep('victim', { arn: `arn:aws-us-gov:iam::${ACCOUNT}:role/victim` })]),
      expect: { skipped: 'principal_mismatch', detail: /ARN is arn:aws:iam::\d+:role\/victim/ },
    },
    {
      name: 'a duplicated step',
      plan: async () => tamper((p) => p.steps.push(structuredClone(validStep('dave')))),
      expect: /appears twice: the plan is invalid/,
    },
    {
      name: 'the same key twice under different ids',
      plan: async () => tamper((p) => p.steps.push({ ...validStep('dave'), id: 'other' })),
      expect: /appears twice/,
    },
    {
      name: "the caller's own key",
      plan: async () => {
        // (`plan` itself used this key after the audit: its expected last use is the audit's view, none.)
        const ops = await keyStep('ops', { expected: { status: 'Active', lastUsed: null } });
        return tamper((p) => (p.steps = [ops]));
      },
      expect: { skipped: 'caller_key', detail: /credsweep is calling AWS with this access key/ },
    },
    {
      name: 'dataCollectedAt rewritten to before the last use the plan holds',
      plan: async () =>
        tamper(
          (p) =>
            (p.dataCollectedAt = new Date(Date.now() - 200 * 86_400_000).toISOString().slice(0, 19) + 'Z'),
        ),
      expect: /is later than dataCollectedAt/,
    },
    {
      name: 'an Inactive key whose deactivation date is unknown, deleted with both flags',
      plan: async () => {
        const frank = await keyStep('frank', { action: 'delete-access-key', reversible: false });
        return tamper((p) => {
          p.steps = [{ ...frank, expected: { status: 'Inactive', lastUsed: frank.expected.lastUsed } }];
          p.options.allowIrreversible = true;
          p.options.deleteAfterDays = 0;
        });
      },
      options: { allowIrreversible: true },
      expect: { skipped: 'deactivation_unknown', detail: /journals do not show credsweep deactivating it/ },
    },
    {
      name: 'delete-access-key of an Inactive key a forged unsealed journal dates 100 days back, without --trust-unsigned-journal',
      plan: async () => {
        const frank = await keyStep('frank', { action: 'delete-access-key', reversible: false });
        return tamper((p) => {
          p.steps = [{ ...frank, expected: { status: 'Inactive', lastUsed: frank.expected.lastUsed } }];
          p.options.allowIrreversible = true;
          p.options.journals = [FORGED_JOURNAL];
        });
      },
      options: { allowIrreversible: true, journals: { files: [FORGED_JOURNAL], trust: false } },
      expect: { skipped: 'deactivation_unknown', detail: /journals do not show credsweep deactivating it/ },
    },
    {
      // (the control, without deleting: taken as written, the forged date is read, and only apply's
      // own --delete-after 200 holds the deletion back)
      name: 'the same with --trust-unsigned-journal: the forged date counts (held back here by apply --delete-after 200)',
      plan: async () => {
        const frank = await keyStep('frank', { action: 'delete-access-key', reversible: false });
        return tamper((p) => {
          p.steps = [{ ...frank, expected: { status: 'Inactive', lastUsed: frank.expected.lastUsed } }];
          p.options.allowIrreversible = true;
          p.options.journals = [FORGED_JOURNAL];
        });
      },
      options: {
        allowIrreversible: true,
        journals: { files: [FORGED_JOURNAL], trust: true },
        judging: { deleteAfterDays: 200 },
      },
      expect: {
        skipped: 'inactive_too_recent',
        detail: /deactivated by credsweep 100 days ago, deleted after 200/,
      },
    },
    {
      name: 'a root-user step naming a user key',
      plan: async () => tamper((p) => (p.steps = [{ ...validStep('alice'), principalType: 'root' }])),
      expect: { skipped: 'action_mismatch', detail: /not an action for a root's access_key_1/ },
    },
    // Tag keys of users and roles are one key in IAM whatever their case (IAM-UG id_tags.html, "Case
    // sensitivity"): an exemption by tag holds in any case.
    {
      name: 'a user tagged Credsweep:Exempt=TRUE (the exempt tag, its key in other case)',
      plan: async () => only([await keyStep('kim')]),
      expect: { skipped: 'exempt', detail: /exempt by tag credsweep:exempt=TRUE/ },
    },
    {
      name: 'quarantine-role of a role tagged CREDSWEEP:EXEMPT=true',
      plan: async () => only([roleStep('kept-too')]),
      expect: { skipped: 'exempt', detail: /exempt by tag credsweep:exempt=true/ },
    },
    {
      name: 'a user tagged Team=platform, exempt by the configuration tag team=platform',
      plan: async () => only([await keyStep('lee')]),
      options: {
        exemptions: [
          ...PLAN_CONFIG.exemptions,
          { tag: { key: 'team', value: 'platform' }, reason: 'platform team', ...EXEMPTION },
        ],
      },
      expect: { skipped: 'exempt', detail: /platform team/ },
    },
    {
      name: 'a user exempt by a configuration ARN that spells the name in other case (user/DAVE)',
      plan: async () => only([validStep('dave')]),
      options: {
        exemptions: [
          ...PLAN_CONFIG.exemptions,
          { arn: `arn:aws:iam::${ACCOUNT}:user/DAVE`, reason: 'dave, as the ticket spells it', ...EXEMPTION },
        ],
      },
      expect: { skipped: 'exempt', detail: /as the ticket spells it/ },
    },
    // plan --exempt-tag: the tag the plan records only adds protection, so apply honours it; a plan
    // edited to drop it cannot drop the default tag or the configuration's exemptions with it.
    {
      name: 'a user tagged team:keep=yes, the exempt tag the plan recorded (plan --exempt-tag team:keep=yes)',
      plan: async () => {
        const nina = await keyStep('nina');
        return tamper((p) => {
          p.steps = [nina];
          p.options.exemptTags = [{ tagKey: 'team:keep', tagValue: 'yes' }];
        });
      },
      expect: { skipped: 'exempt', detail: /exempt by tag team:keep=yes/ },
    },
    // A tag key may be any text IAM allows, the names of properties every object inherits included.
    {
      name: 'a user tagged __proto__=keep, the exempt tag the plan recorded (plan --exempt-tag __proto__=keep)',
      plan: async () => {
        const pia = await keyStep('pia');
        return tamper((p) => {
          p.steps = [pia];
          p.options.exemptTags = [{ tagKey: '__proto__', tagValue: 'keep' }];
        });
      },
      expect: { skipped: 'exempt', detail: /exempt by tag __proto__=keep/ },
    },
    {
      name: 'a plan recording the exempt tag constructor=true, a user without it: judged as any other (apply does not stop)',
      plan: async () => {
        const bob = await keyStep('bob');
        return tamper((p) => {
          p.steps = [bob];
          p.options.exemptTags = [{ tagKey: 'constructor', tagValue: 'true' }];
        });
      },
      expect: {
        skipped: 'changed_since_plan',
        detail: /last used 5 days ago: not unused now \(threshold 90\)/,
      },
    },
    {
      name: 'a plan that recorded another exempt tag, edited to record none: the default tag and the configuration still hold',
      plan: async () => {
        const steps = [await keyStep('carol'), await keyStep('lee')];
        return tamper((p) => {
          p.steps = steps;
          p.options.exemptTags = [];
        });
      },
      options: {
        exemptions: [
          ...PLAN_CONFIG.exemptions,
          { tag: { key: 'team', value: 'platform' }, reason: 'platform team', ...EXEMPTION },
        ],
      },
      expect: { skipped: 'exempt', detail: /exempt by tag credsweep:exempt=true|platform team/ },
    },
    // Each action's exemption by the configuration (the tag cases are above and below).
    {
      name: "delete-access-key of frank's Inactive key, exempt by a configuration exemption for access keys, both flags",
      plan: async () => {
        const frank = await keyStep('frank', { action: 'delete-access-key', reversible: false });
        return tamper((p) => {
          p.steps = [{ ...frank, expected: { status: 'Inactive', lastUsed: frank.expected.lastUsed } }];
          p.options.allowIrreversible = true;
          p.options.deleteAfterDays = 0;
        });
      },
      options: {
        ...withFlag,
        deactivatedAt: longAgo,
        exemptions: [
          ...PLAN_CONFIG.exemptions,
          { principal: 'frank', credentials: ['access_key'], reason: 'forensics hold', ...EXEMPTION },
        ],
      },
      expect: { skipped: 'exempt', detail: /forensics hold/ },
    },
    {
      name: 'deactivate-ssh-public-key for dave, exempt by a configuration exemption for SSH keys only',
      plan: async () => {
        const { accessKeyId: _, ...rest } = validStep('dave');
        const ssh: PlanStep = {
          ...rest,
          id: `${ACCOUNT}/deactivate-ssh-public-key/APKAFORGED0000000003`,
          action: 'deactivate-ssh-public-key',
          credential: 'ssh_public_key',
          sshPublicKeyId: 'APKAFORGED0000000003',
        };
        return only([ssh]);
      },
      options: {
        exemptions: [
          ...PLAN_CONFIG.exemptions,
          { principal: 'dave', credentials: ['ssh_public_key'], reason: 'CodeCommit mirror', ...EXEMPTION },
        ],
      },
      expect: { skipped: 'exempt', detail: /CodeCommit mirror/ },
    },
    {
      name: 'delete-role of parked, exempt by a configuration ARN glob, both flags, past --delete-after',
      plan: async () => only([roleStep('parked', { action: 'delete-role' })], true),
      options: {
        ...withFlag,
        deactivatedAt: longAgo,
        exemptions: [
          ...PLAN_CONFIG.exemptions,
          { arn: 'arn:aws:iam::*:role/park*', reason: 'parked for audit', ...EXEMPTION },
        ],
      },
      expect: { skipped: 'exempt', detail: /parked for audit/ },
    },
    {
      name: 'delete-role of a role tagged credsweep:exempt=true, both flags',
      plan: async () => only([roleStep('kept', { action: 'delete-role' })], true),
      options: withFlag,
      expect: { skipped: 'exempt', detail: /exempt by tag credsweep:exempt=true/ },
    },
    // delete-login-profile with both flags, and deactivate-signing-certificate: what stops each live.
    {
      name: 'delete-login-profile of a password set 3 days ago (ivy), both --allow-irreversible',
      plan: async () => only([passwordStep('ivy')], true),
      options: withFlag,
      expect: {
        skipped: 'changed_since_plan',
        detail: /the password created 3 days ago: not unused now \(threshold 90\)/,
      },
    },
    {
      name: 'delete-login-profile of a user with no password (dave), both --allow-irreversible',
      plan: async () => only([passwordStep('dave')], true),
      options: withFlag,
      expect: { skipped: 'changed_since_plan', detail: /no longer exists/ },
    },
    {
      name: 'delete-login-profile of alice, exempt for her password only by an exemption that expires today',
      plan: async () => only([passwordStep('alice')], true),
      options: {
        ...withFlag,
        exemptions: [
          ...PLAN_CONFIG.exemptions,
          {
            principal: 'alice',
            credentials: ['password'],
            owner: 'sec',
            reason: 'console break-glass',
            expires: new Date().toISOString().slice(0, 10),
          },
        ],
      },
      expect: { skipped: 'exempt', detail: /console break-glass/ },
    },
    {
      name: 'delete-login-profile of erin (exempt by an ARN glob), both --allow-irreversible',
      plan: async () => only([passwordStep('erin')], true),
      options: withFlag,
      expect: { skipped: 'exempt', detail: /vendor integration/ },
    },
    {
      name: 'delete-login-profile of carol (tagged credsweep:exempt=true), both --allow-irreversible',
      plan: async () => only([passwordStep('carol')], true),
      options: withFlag,
      expect: { skipped: 'exempt', detail: /exempt by tag credsweep:exempt=true/ },
    },
    {
      name: 'deactivate-signing-certificate of gina, exempt for certificates only by an exemption that expires today',
      plan: async () => only([validStep('gina')]),
      options: {
        exemptions: [
          ...PLAN_CONFIG.exemptions,
          {
            principal: 'gina',
            credentials: ['cert'],
            owner: 'sec',
            reason: 'SOAP signing',
            expires: new Date().toISOString().slice(0, 10),
          },
        ],
      },
      expect: { skipped: 'exempt', detail: /SOAP signing/ },
    },
    {
      name: "deactivate-signing-certificate with gina's certificate id on alice's step",
      plan: async () => {
        const gina = validStep('gina');
        return only([
          {
            ...gina,
            id: `${ACCOUNT}/deactivate-signing-certificate/forged`,
            principalName: 'alice',
            arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
          },
        ]);
      },
      expect: { skipped: 'changed_since_plan', detail: /no longer exists/ },
    },
    // Role steps (issue 14): each never case, at apply, whatever the plan says.
    {
      name: 'quarantine-role of a service-linked role',
      plan: async () => only([roleStep('linked')]),
      expect: { skipped: 'service_linked', detail: /managed by its AWS service/ },
    },
    {
      name: "quarantine-role of a service's role, the plan made without --include-service-roles",
      plan: async () => only([roleStep('lambda-fn')]),
      expect: { skipped: 'service_role', detail: /trust policy names lambda\.amazonaws\.com/ },
    },
    {
      name: "quarantine-role of a service's role, includeServiceRoles edited into the plan (apply not given it)",
      plan: async () =>
        tamper((p) => {
          p.steps = [roleStep('lambda-fn')];
          p.options.includeServiceRoles = true;
        }),
      expect: { skipped: 'service_role', detail: /at plan and at apply/ },
    },
    {
      name: "quarantine-role of a service's role, apply given --include-service-roles but the plan not",
      plan: async () => only([roleStep('lambda-fn')]),
      options: { includeServiceRoles: true },
      expect: { skipped: 'service_role', detail: /trust policy names lambda\.amazonaws\.com/ },
    },
    {
      name: 'quarantine-role of the role credsweep runs as',
      plan: async () => only([roleStep('credsweep-ops')]),
      options: { callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/credsweep-ops/run` },
      expect: { skipped: 'caller_role', detail: /credsweep is calling AWS as this role/ },
    },
    {
      name: 'quarantine-role of the --role-name role in the member account apply assumes it in (audit edited to cover it)',
      plan: async () =>
        tamper((p) => {
          p.audit.accounts = [ACCOUNT, MEMBER];
          p.steps = [
            roleStep('member:Remediator', {
              id: `${MEMBER}/quarantine-role/Remediator`,
              accountId: MEMBER,
              principalName: 'Remediator',
            }),
          ];
        }),
      options: { memberRoleNames: ['Remediator'] },
      expect: { skipped: 'caller_role', detail: /runs as this role in account 111111111111/ },
    },
    {
      name: 'quarantine-role of a role tagged credsweep:exempt=true',
      plan: async () => only([roleStep('kept')]),
      expect: { skipped: 'exempt', detail: /exempt by tag credsweep:exempt=true/ },
    },
    {
      name: 'quarantine-role of a role exempt by the configuration',
      plan: async () => only([roleStep('vendor-role')]),
      options: {
        exemptions: [
          ...PLAN_CONFIG.exemptions,
          { arn: 'arn:aws:iam::*:role/vendor-*', reason: 'vendor role', ...EXEMPTION },
        ],
      },
      expect: { skipped: 'exempt', detail: /vendor role/ },
    },
    {
      name: 'quarantine-role of a role used since the plan',
      plan: async () => only([roleStep('busy-role')]),
      expect: { skipped: 'changed_since_plan', detail: /used at .*, after the plan's data was taken/ },
    },
    {
      name: 'quarantine-role of a role in use, expected edited to its real last use (the threshold re-applied)',
      plan: async () =>
        only([
          roleStep('busy-role', {
            expected: { status: 'Active', lastUsed: await roleLastUsed('busy-role') },
          }),
        ]),
      expect: {
        skipped: 'changed_since_plan',
        detail: /the role last used 5 days ago: not unused now \(threshold 90\)/,
      },
    },
    {
      name: 'delete-role, the plan made with --allow-irreversible, apply not given it',
      plan: async () => only([roleStep('parked', { action: 'delete-role' })], true),
      options: { deactivatedAt: new Map() },
      expect: { skipped: 'irreversible', detail: /delete-role cannot be undone and apply was not given/ },
    },
    {
      name: 'delete-role before --delete-after days since credsweep quarantined it',
      plan: async () => only([roleStep('parked', { action: 'delete-role' })], true),
      options: {
        ...withFlag,
        deactivatedAt: parkedTenDaysAgo,
      },
      expect: {
        skipped: 'quarantine_too_recent',
        detail: /quarantined by credsweep 10 days ago, deleted after 30/,
      },
    },
    {
      name: 'delete-role of a role quarantined by hand (no credsweep journal shows it), 100 days later',
      plan: async () => only([roleStep('by-hand', { action: 'delete-role' })], true),
      options: withFlag,
      expect: {
        skipped: 'quarantine_unknown',
        detail: /journals do not show credsweep quarantining this role/,
      },
    },
    {
      name: 'delete-role of a role never quarantined, reversible: true',
      plan: async () => only([roleStep('victim', { action: 'delete-role', reversible: true })], true),
      options: withFlag,
      expect: { skipped: 'not_quarantined', detail: /does not carry credsweep's quarantine policy/ },
    },
    {
      name: 'quarantine-role aimed at a user',
      plan: async () =>
        only([roleStep('victim', { principalType: 'user', principalName: 'bob', credential: 'none' })]),
      expect: { skipped: 'action_mismatch', detail: /quarantine-role is not an action for a user's none/ },
    },
    {
      name: 'quarantine-role in an account the audit never covered',
      plan: async () => only([roleStep('victim', { accountId: MEMBER })]),
      expect: { skipped: 'account_not_audited', detail: new RegExp(`account ${MEMBER} is not one`) },
    },
    {
      name: "quarantine-role whose ARN names another path than the role's",
      plan: async () => only([roleStep('victim', { arn: `arn:aws:iam::${ACCOUNT}:role/apps/victim` })]),
      expect: { skipped: 'principal_mismatch', detail: /ARN is arn:aws:iam::\d+:role\/victim/ },
    },
    {
      name: 'a role step with expected.lastUsed in 2099',
      plan: async () =>
        only([roleStep('victim', { expected: { status: 'Active', lastUsed: '2099-01-01T00:00:00Z' } })]),
      expect: /expected\.lastUsed 2099-01-01T00:00:00Z is later than dataCollectedAt/,
    },
    // quarantine-user: the whole user, so every credential of it counts.
    {
      name: 'quarantine-user on a user with a credential in use (bob, key used 5 days ago)',
      plan: async () => only([await userStep('bob')]),
      expect: {
        skipped: 'changed_since_plan',
        detail: /the user's access key AKIA\w+ last used 5 days ago: not unused now \(threshold 90\)/,
      },
    },
    {
      name: 'quarantine-user on a user with a key created since (hank, 2 days ago, never used)',
      plan: async () => only([await userStep('hank')]),
      expect: {
        skipped: 'changed_since_plan',
        detail: /the user's access key AKIA\w+ created 2 days ago: not unused now \(threshold 90\)/,
      },
    },
    {
      name: 'quarantine-user on a user whose only live use is an Active service-specific credential created 5 days ago (gina)',
      // gina's certificate is 300 days old (the control below quarantines her): only the credential
      // keeps her out, and IAM records no use of it, so its creation is the evidence.
      plan: async () => only([await userStep('gina')]),
      serviceSpecificCredentials: () => [
        {
          UserName: 'gina',
          Status: 'Active',
          ServiceName: 'codecommit.amazonaws.com',
          ServiceSpecificCredentialId: 'ACCAGINACODECOMMIT001',
          ServiceUserName: 'gina-at-123456789012',
          CreateDate: new Date(Date.now() - 5 * MS_PER_DAY),
        },
      ],
      expect: {
        skipped: 'changed_since_plan',
        detail:
          /the user's service-specific credential ACCAGINACODECOMMIT001 \(codecommit\.amazonaws\.com\) created 5 days ago: not unused now \(threshold 90\)/,
      },
    },
    // What credsweep cannot judge keeps the user out: gina's only other credential is her 300-day-old
    // certificate (the control quarantines her), and the mocked list adds or changes one.
    {
      name: 'quarantine-user on a user with an Active SSH key AWS lists with no UploadDate (gina)',
      plan: async () => only([await userStep('gina')]),
      mockIam: (mock) =>
        mock.on(ListSSHPublicKeysCommand, { UserName: 'gina' }).resolves({
          SSHPublicKeys: [{ UserName: 'gina', SSHPublicKeyId: 'APKAGINANODATE000001', Status: 'Active' }],
          IsTruncated: false,
        } as never),
      expect: {
        skipped: 'changed_since_plan',
        detail:
          /the user's SSH key APKAGINANODATE000001 with no upload date: AWS gave no date, so it may be in use/,
      },
    },
    {
      name: 'quarantine-user on a user whose old signing certificate is in a status this version does not know (gina)',
      plan: async () => only([await userStep('gina')]),
      mockIam: (mock) =>
        mock.on(ListSigningCertificatesCommand, { UserName: 'gina' }).resolves({
          Certificates: [
            {
              UserName: 'gina',
              CertificateId: 'GINACERTREVOKED00001',
              CertificateBody: '-----BEGIN CERTIFICATE-----',
              Status: 'Revoked' as 'Active',
              UploadDate: new Date(Date.now() - 300 * MS_PER_DAY),
            },
          ],
          IsTruncated: false,
        }),
      expect: {
        skipped: 'changed_since_plan',
        detail:
          /signing certificate GINACERTREVOKED00001 with status Revoked, which this version does not know, so it may be in use/,
      },
    },
    {
      name: 'quarantine-user on a user with an access key AWS lists with no status, created 300 days ago (gina)',
      plan: async () => only([await userStep('gina')]),
      mockIam: (mock) => {
        mock.on(ListAccessKeysCommand, { UserName: 'gina' }).resolves({
          AccessKeyMetadata: [
            {
              UserName: 'gina',
              AccessKeyId: 'AKIAGINANOSTATUS0001',
              CreateDate: new Date(Date.now() - 300 * MS_PER_DAY),
            },
          ],
          IsTruncated: false,
        });
        mock
          .on(GetAccessKeyLastUsedCommand, { AccessKeyId: 'AKIAGINANOSTATUS0001' })
          .resolves({ UserName: 'gina' });
      },
      expect: {
        skipped: 'changed_since_plan',
        detail: /access key AKIAGINANOSTATUS0001 with no status from AWS, so it may be in use/,
      },
    },
    {
      name: 'quarantine-user on a user with an old service-specific credential in a status this version does not know (gina)',
      plan: async () => only([await userStep('gina')]),
      serviceSpecificCredentials: () => [
        {
          UserName: 'gina',
          Status: 'Suspended' as 'Active',
          ServiceName: 'codecommit.amazonaws.com',
          ServiceSpecificCredentialId: 'ACCAGINASUSPENDED0001',
          ServiceUserName: 'gina-at-123456789012',
          CreateDate: new Date(Date.now() - 400 * MS_PER_DAY),
        },
      ],
      expect: {
        skipped: 'changed_since_plan',
        detail:
          /ACCAGINASUSPENDED0001 \(codecommit\.amazonaws\.com\) with status Suspended, which this version does not know/,
      },
    },
    {
      name: 'quarantine-user on the user credsweep calls AWS as',
      // (`plan` signed with ops' key after the audit: the forger moves dataCollectedAt past that use.)
      plan: async () => {
        const ops = await userStep('ops');
        return tamper((p) => {
          p.steps = [ops];
          p.dataCollectedAt = new Date(Date.now() + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        });
      },
      expect: { skipped: 'caller_user', detail: /credsweep is calling AWS as this user/ },
    },
    // The never cases come first: whatever else differs from the plan (a use since, an edited
    // status), the reason reported is the most fundamental one.
    {
      name: 'quarantine-user on the user credsweep calls AWS as, its key used since the plan (by credsweep itself)',
      plan: async () => only([await userStep('ops', { expected: { status: 'Active', lastUsed: null } })]),
      expect: { skipped: 'caller_user', detail: /credsweep is calling AWS as this user/ },
    },
    {
      name: 'quarantine-role of the role credsweep runs as, used since the plan (by its own session)',
      plan: async () => only([roleStep('busy-role')]),
      options: { callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/busy-role/run` },
      expect: { skipped: 'caller_role', detail: /credsweep is calling AWS as this role/ },
    },
    {
      name: 'delete-role of the role credsweep runs as, its expected status edited',
      plan: async () =>
        only(
          [roleStep('parked', { action: 'delete-role', expected: { status: 'Active', lastUsed: null } })],
          true,
        ),
      options: {
        ...withFlag,
        deactivatedAt: parkedTenDaysAgo,
        callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/parked/run`,
      },
      expect: { skipped: 'caller_role', detail: /credsweep is calling AWS as this role/ },
    },
    {
      name: 'quarantine-role of a service-linked role, its expected status edited',
      plan: async () => only([roleStep('linked', { expected: { status: 'Inactive', lastUsed: null } })]),
      expect: { skipped: 'service_linked', detail: /managed by its AWS service/ },
    },
    {
      name: 'quarantine-user on a user tagged credsweep:exempt=true',
      plan: async () => only([await userStep('carol')]),
      expect: { skipped: 'exempt', detail: /exempt by tag credsweep:exempt=true/ },
    },
    {
      name: 'quarantine-user on a user only whose access keys a configuration exemption covers',
      plan: async () => only([await userStep('alice')]),
      options: {
        exemptions: [
          ...PLAN_CONFIG.exemptions,
          { principal: 'alice', credentials: ['access_key'], reason: 'CI key', ...EXEMPTION },
        ],
      },
      expect: { skipped: 'exempt', detail: /CI key/ },
    },
    {
      name: 'quarantine-user with its credential swapped to a key slot',
      plan: async () => only([await userStep('alice', { credential: 'access_key_1' })]),
      expect: {
        skipped: 'action_mismatch',
        detail: /quarantine-user is not an action for a user's access_key_1/,
      },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const listed = c.serviceSpecificCredentials?.();
      const mock = listed || c.mockIam ? mockClient(iam) : undefined;
      if (mock) {
        mock.send.callThrough();
        if (listed) {
          mock.on(ListServiceSpecificCredentialsCommand).callsFake((input) => ({
            ServiceSpecificCredentials: listed.filter((x) => x.UserName === input.UserName),
            IsTruncated: false,
          }));
        }
        c.mockIam?.(mock);
      }
      let outcome: Outcome;
      try {
        outcome = await run(await c.plan(), c.options);
      } finally {
        mock?.restore();
      }
      if (c.expect instanceof RegExp) {
        assert.ok('refused' in outcome, 'the plan is refused as a whole');
        assert.match(outcome.refused.message, c.expect);
      } else {
        assert.ok('results' in outcome, `refused: ${'refused' in outcome ? outcome.refused.message : ''}`);
        assert.deepEqual(
          outcome.results.map((r) => [r.outcome, r.reason]),
          outcome.results.map(() => ['skipped', (c.expect as { skipped: string }).skipped]),
        );
        for (const r of outcome.results) assert.match(r.detail ?? '', c.expect.detail);
      }
      assert.deepEqual(await snapshotCredentials(moto, iam), baseline, 'nothing changed in moto');
    });
  }

  // The library path: applyPlan handed a plan object straight from code, nothing checked before it
  // (no readRemediationPlan, verifyPlan or checkPlanNotFromFuture, as the CLI runs them). It checks
  // the plan and options.history itself: each case is refused as a whole, with a typed error, before
  // its run line, so nothing is journalled and nothing changes in moto.
  interface FromCode {
    key?: PlanKey;
    /** apply's injected clock (default: the machine's). */
    now?: () => number;
    history?: unknown[];
    /** Lines appended to the journal file first (and the history, unless `history` is given). */
    written?: JournalEntry[];
    /** ApplyOptions.maxPlanAgeMs (default: the CLI's --max-plan-age default, 24 hours). */
    maxPlanAgeMs?: number;
    /** Other options, as a caller from plain JavaScript (no type checks) could pass them. */
    extra?: Record<string, unknown>;
  }
  async function applyFromCode(plan: unknown, options: FromCode = {}) {
    const file = join(dir, `library-${++runs}.jsonl`);
    const journal = new JournalWriter(file);
    for (const line of options.written ?? []) journal.append(line);
    const clients = motoRemediationClients(moto, iam);
    try {
      const result = await applyPlan(plan as RemediationPlan, {
        clients,
        journal,
        history: (options.history ?? options.written ?? []) as JournalEntry[],
        now: options.now ?? Date.now,
        runId: `library-${runs}`,
        planFile: 'plan.json',
        key: options.key,
        callerAccessKeyId: fx.ops.accessKeyId,
        allowIrreversible: true,
        exemptions: exemptionCheck(PLAN_CONFIG.exemptions, Date.now()),
        ...(options.maxPlanAgeMs !== undefined ? { maxPlanAgeMs: options.maxPlanAgeMs } : {}),
        ...options.extra,
      });
      return { results: result.results, journalled: readFileSync(file, 'utf8') };
    } catch (e) {
      return { refused: e as Error, journalled: readFileSync(file, 'utf8') };
    } finally {
      journal.close();
      clients.destroy();
    }
  }
  /**
   * A journal line credsweep itself would write for `plan`; with `key`, sealed as the first line of a
   * journal (`prev` '').
   */
  const lineOf = (
    plan: RemediationPlan,
    fields: Parameters<ReturnType<typeof journalEntries>>[0],
    key?: PlanKey,
  ) =>
    journalEntries('apply', 'earlier', Date.now, {
      planDigest: plan.digest.value,
      key,
      journal: { lastMac: () => '' },
    })(fields);
  const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString().slice(0, 19) + 'Z';
  const sealedWithKey = () => tamper(() => {}, { key: KEY });
  const libraryCases: {
    name: string;
    plan: () => Promise<unknown>;
    options?: () => FromCode;
    expect: RegExp;
  }[] = [
    {
      name: "a step edited after sealing (dave's swapped for bob's key), the digest left as it was",
      plan: async () => {
        const bob = await keyStep('bob');
        return tamper((p) => (p.steps[1] = bob), { reseal: false });
      },
      expect: /does not match its digest \(sha256\)/,
    },
    {
      name: "an unsealed plan with a step added (alice's password), the digest left as it was",
      plan: async () => tamper((p) => p.steps.push(passwordStep('alice')), { reseal: false }),
      expect: /does not match its digest \(sha256\)/,
    },
    {
      name: 'a plan key given, a step added and the plan re-sealed with plain SHA-256',
      plan: async () => tamper((p) => p.steps.push(passwordStep('alice'))),
      options: () => ({ key: KEY }),
      expect: /not sealed with the plan key/,
    },
    {
      name: 'a plan sealed with a plan key, given no key',
      plan: async () => sealedWithKey(),
      expect: /sealed with a plan key/,
    },
    {
      name: 'dataCollectedAt an hour from now (re-sealed)',
      plan: async () => tamper((p) => (p.dataCollectedAt = inAnHour())),
      expect: /dataCollectedAt \S+ is later than now/,
    },
    {
      name: "the plan made later than apply's injected clock (now: two days ago), not the machine's",
      plan: async () => fx.plan,
      options: () => ({ now: () => Date.now() - 2 * MS_PER_DAY }),
      expect: /dataCollectedAt \S+ is later than now/,
    },
    {
      name: "the plan's data 25 hours old by apply's injected clock: past the default --max-plan-age (24h)",
      plan: async () => fx.plan,
      options: () => ({ now: () => Date.parse(fx.plan.dataCollectedAt) + 25 * 3_600_000 }),
      expect: /collected 25h ago .*more than --max-plan-age 24h$/,
    },
    {
      name: "the plan's data 2 minutes old, maxPlanAgeMs one minute",
      plan: async () => fx.plan,
      options: () => ({ now: () => Date.parse(fx.plan.dataCollectedAt) + 120_000, maxPlanAgeMs: 60_000 }),
      expect: /collected 2m ago .*more than --max-plan-age 1m$/,
    },
    {
      name: 'a step with an action credsweep does not have (re-sealed)',
      plan: async () => tamper((p) => ((p.steps[0] as { action: string }).action = 'delete-user')),
      expect: /not a credsweep plan: steps\.0\.action:/,
    },
    {
      name: 'a step without its arn (re-sealed)',
      plan: async () => tamper((p) => delete (p.steps[0] as { arn?: string }).arn),
      expect: /not a credsweep plan: steps\.0\.arn:/,
    },
    {
      name: 'a plan without its audit (re-sealed)',
      plan: async () => tamper((p) => delete (p as { audit?: unknown }).audit),
      expect: /not a credsweep plan: audit:/,
    },
    {
      name: 'sealed with the key, then a field credsweep does not know added to a step (dropped unseen before)',
      plan: async () => {
        const plan = structuredClone(sealedWithKey()) as unknown as { steps: Record<string, unknown>[] };
        plan.steps[0]!.force = true;
        return plan;
      },
      options: () => ({ key: KEY }),
      expect: /not a credsweep plan: steps\.0: Unrecognized key: "force"/,
    },
    {
      name: 'sealed with the key, then a field added to its options (as a newer credsweep might write one)',
      plan: async () => {
        const plan = structuredClone(sealedWithKey()) as unknown as { options: Record<string, unknown> };
        plan.options.requireApproval = true;
        return plan;
      },
      options: () => ({ key: KEY }),
      expect: /not a credsweep plan: options: Unrecognized key: "requireApproval".*newer credsweep/,
    },
    {
      name: 'null for a plan',
      plan: async () => null,
      expect: /not a credsweep plan: \(top level\):/,
    },
    {
      name: "history: a done line for alice's step written by hand, without v, at or runId",
      plan: async () => fx.plan,
      options: () => ({
        history: [
          { phase: 'apply', type: 'done', planDigest: fx.plan.digest.value, step: validStep('alice') },
        ],
      }),
      expect: /not a credsweep journal line: v:/,
    },
    {
      name: 'history: a line whose step names an action credsweep does not have',
      plan: async () => fx.plan,
      options: () => ({
        history: [
          lineOf(fx.plan, { type: 'run' }),
          {
            ...lineOf(fx.plan, { type: 'done', step: validStep('dave') }),
            step: { ...validStep('dave'), action: 'keep-forever' },
          },
        ],
      }),
      expect: /not a credsweep journal line: step\.action:/,
    },
    {
      name: "history: a line of another plan's digest",
      plan: async () => fx.plan,
      options: () => ({
        history: [
          journalEntries('apply', 'other', Date.now, { planDigest: 'f'.repeat(64) })({
            type: 'done',
            step: validStep('alice'),
          }),
        ],
      }),
      expect: /belongs to another plan/,
    },
    {
      name: 'history with the plan key: a done line without its HMAC',
      plan: async () => sealedWithKey(),
      options: () => ({
        key: KEY,
        history: [lineOf(sealedWithKey(), { type: 'done', step: validStep('alice') })],
      }),
      expect: /HMAC mismatch/,
    },
    {
      name: 'history with the plan key: a sealed line that does not follow the one before it',
      plan: async () => sealedWithKey(),
      options: () => {
        const plan = sealedWithKey();
        // each line sealed as the first of a journal: the second does not name the first
        const run = lineOf(plan, { type: 'run' }, KEY);
        const done = lineOf(plan, { type: 'done', step: validStep('alice') }, KEY);
        return { key: KEY, history: [run, done] };
      },
      expect: /does not follow the line before it/,
    },
    {
      name: 'a plan key given, a deactivation journal with a line not written with it',
      plan: async () => sealedWithKey(),
      options: () => ({
        key: KEY,
        extra: {
          deactivationJournals: [
            { file: 'earlier.jsonl', entries: [lineOf(fx.plan, { type: 'done', step: validStep('alice') })] },
          ],
        },
      }),
      expect: /HMAC mismatch/,
    },
    {
      name: 'deactivation journals that are not a list',
      plan: async () => fx.plan,
      options: () => ({ extra: { deactivationJournals: { file: 'earlier.jsonl', entries: [] } } }),
      expect: /deactivationJournals: expected a list/,
    },
  ];
  for (const c of libraryCases) {
    it(`from code: ${c.name}: refused, nothing journalled`, async () => {
      const { refused, results, journalled } = await applyFromCode(await c.plan(), c.options?.());
      assert.ok(refused, `acted: ${JSON.stringify(results)}`);
      assert.ok(isCredsweepError(refused), `a typed error, not ${refused.stack}`);
      assert.match(refused.message, c.expect);
      assert.equal(journalled, '', 'nothing journalled');
      assert.deepEqual(await snapshotCredentials(moto, iam), baseline, 'nothing changed in moto');
    });
  }

  // options.history is what apply resumes from, the journal where it writes: before, nothing held
  // one to the other, and a history read earlier (or another journal's) showing dave's deactivation
  // in flight, with the key deactivated since by an administrator, made apply write a `done`
  // (completed_before_interruption) into this journal: an undo of it then reactivated the key.
  it("from code: a history that is not what the journal holds (dave's deactivation in flight there, the key deactivated by hand since): refused, nothing journalled", async () => {
    const dave = validStep('dave');
    const plan = only([dave]);
    const before = { exists: true, status: 'Active', lastUsed: dave.expected.lastUsed ?? null };
    await iam.send(
      new UpdateAccessKeyCommand({ UserName: 'dave', AccessKeyId: dave.accessKeyId!, Status: 'Inactive' }),
    );
    try {
      const { refused, results, journalled } = await applyFromCode(plan, {
        history: [lineOf(plan, { type: 'run' }), lineOf(plan, { type: 'intent', step: dave, before })],
      });
      assert.ok(refused, `acted: ${JSON.stringify(results)}`);
      assert.ok(isCredsweepError(refused), `a typed error, not ${refused.stack}`);
      assert.match(refused.message, /not what the journal holds/);
      assert.equal(journalled, '', 'nothing journalled');
    } finally {
      await iam.send(
        new UpdateAccessKeyCommand({ UserName: 'dave', AccessKeyId: dave.accessKeyId!, Status: 'Active' }),
      );
    }
    assert.deepEqual(await snapshotCredentials(moto, iam), baseline, 'nothing changed in moto');
  });

  // After an undo, `credsweep apply` refuses the plan unless --reapply; applyPlan did not, so a
  // library caller re-running it (a retry loop, a scheduled job) deactivated again the key the user
  // had just reactivated with undo.
  it("from code: a journal in which an undo reversed dave's deactivation: refused unless reapply, nothing journalled", async () => {
    const dave = validStep('dave');
    const plan = only([dave]);
    const before = { exists: true, status: 'Active', lastUsed: dave.expected.lastUsed ?? null };
    const undoLine = journalEntries('undo', 'undo-earlier', Date.now, { planDigest: plan.digest.value });
    const written = [
      lineOf(plan, { type: 'run' }),
      lineOf(plan, { type: 'intent', step: dave, before }),
      lineOf(plan, { type: 'done', step: dave, before }),
      undoLine({ type: 'run' }),
      undoLine({ type: 'intent', step: dave, before: { ...before, status: 'Inactive' } }),
      undoLine({ type: 'done', step: dave, before: { ...before, status: 'Inactive' } }),
    ];
    try {
      const { refused, results, journalled } = await applyFromCode(plan, { written });
      assert.ok(refused, `acted: ${JSON.stringify(results)}`);
      assert.ok(isCredsweepError(refused), `a typed error, not ${refused.stack}`);
      assert.match(refused.message, /an undo has reversed this plan/);
      assert.equal(journalled.trimEnd().split('\n').length, written.length, 'nothing journalled');
      assert.deepEqual(await snapshotCredentials(moto, iam), baseline, 'nothing changed in moto');
      const again = await applyFromCode(plan, { written, extra: { reapply: true } });
      assert.deepEqual(
        again.results?.map((r) => r.outcome),
        ['done'],
        'reapply: the plan is applied again',
      );
    } finally {
      await iam.send(
        new UpdateAccessKeyCommand({ UserName: 'dave', AccessKeyId: dave.accessKeyId!, Status: 'Active' }),
      );
    }
  });

  // Deletions count from when credsweep's own journals say it deactivated a key: applyPlan derives
  // those dates itself from journals it checks, never from a map its caller hands it.
  const frankDeletion = async () => {
    const frank = await keyStep('frank', { action: 'delete-access-key', reversible: false });
    return only([{ ...frank, expected: { status: 'Inactive', lastUsed: frank.expected.lastUsed } }], true);
  };
  it("from code: a caller's map saying credsweep deactivated frank's key 100 days ago, no journal showing it: not deleted", async () => {
    const { refused, results, journalled } = await applyFromCode(await frankDeletion(), {
      extra: { deactivatedAt: longAgo },
    });
    assert.equal(refused, undefined);
    assert.deepEqual(
      results?.map((r) => `${r.outcome}:${r.reason}`),
      ['skipped:deactivation_unknown'],
    );
    assert.match(journalled, /"reason":"deactivation_unknown"/);
    assert.deepEqual(await snapshotCredentials(moto, iam), baseline, 'nothing changed in moto');
  });

  it("from code: an unsealed resume journal whose forged intent records `released` whole, the plan's journals trusted: its deletion is not resumed on that word", async () => {
    const step = roleStep('released', { action: 'delete-role' });
    const plan = only([step], true);
    const clients = motoRemediationClients(moto, iam);
    let before: Awaited<ReturnType<(typeof ACTIONS)['delete-role']['readState']>>;
    try {
      before = await ACTIONS['delete-role'].readState(clients, step, { now: Date.now() });
    } finally {
      clients.destroy();
    }
    const quarantined = new Map([[roles.roleIds.released!, Date.now() - 100 * MS_PER_DAY]]);
    const { refused, results } = await applyFromCode(plan, {
      written: [lineOf(plan, { type: 'run' }), lineOf(plan, { type: 'intent', step, before })],
      extra: { deactivationJournals: [journalShowing(quarantined)], trustUnsignedJournal: true },
    });
    assert.equal(refused, undefined, refused?.message);
    assert.deepEqual(
      results?.map((r) => `${r.outcome}:${r.reason}`),
      ['skipped:not_quarantined'],
    );
    assert.deepEqual(await snapshotCredentials(moto, iam), baseline, 'nothing changed in moto');
  });

  // An inline policy named CredsweepQuarantine that credsweep did not write (another team's, or a
  // hand-edited copy): reading it as "not quarantined" made apply overwrite it with the deny-all (and
  // undo then delete it). The principal is left as it is; the policy put for the case is removed after.
  const OWN_POLICY = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'TeamsOwn', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
  });
  const foreignPolicyCases = [
    {
      principal: 'user gina',
      step: () => userStep('gina'),
      put: () =>
        iam.send(
          new PutUserPolicyCommand({
            UserName: 'gina',
            PolicyName: 'CredsweepQuarantine',
            PolicyDocument: OWN_POLICY,
          }),
        ),
      remove: () =>
        iam.send(new DeleteUserPolicyCommand({ UserName: 'gina', PolicyName: 'CredsweepQuarantine' })),
    },
    {
      principal: 'role victim',
      step: async () => roleStep('victim'),
      put: () =>
        iam.send(
          new PutRolePolicyCommand({
            RoleName: 'victim',
            PolicyName: 'CredsweepQuarantine',
            PolicyDocument: OWN_POLICY,
          }),
        ),
      remove: () =>
        iam.send(new DeleteRolePolicyCommand({ RoleName: 'victim', PolicyName: 'CredsweepQuarantine' })),
    },
  ];
  for (const c of foreignPolicyCases) {
    it(`quarantine of ${c.principal}, which holds a CredsweepQuarantine policy credsweep did not write: left as it is`, async () => {
      await c.put();
      try {
        const withPolicy = await snapshotCredentials(moto, iam);
        const outcome = await run(only([await c.step()]));
        assert.ok('results' in outcome, `refused: ${'refused' in outcome ? outcome.refused.message : ''}`);
        assert.deepEqual(
          outcome.results.map((r) => [r.outcome, r.reason]),
          [['skipped', 'changed_since_plan']],
        );
        assert.match(
          outcome.results[0]!.detail ?? '',
          /an inline policy named CredsweepQuarantine that is not credsweep's deny-all: left as it is/,
        );
        assert.deepEqual(
          await snapshotCredentials(moto, iam),
          withPolicy,
          'its own policy kept, nothing changed',
        );
      } finally {
        await c.remove();
      }
      assert.deepEqual(await snapshotCredentials(moto, iam), baseline);
    });
  }

  it('from code: the plan object changed by its caller once applyPlan started: the plan as given is acted on', async () => {
    // carol's step (exempt: skipped once her tags are read) keeps the first step awaiting AWS while
    // the caller turns on --allow-irreversible in the plan, so alice's password step would pass the
    // gate. applyPlan acts on the copy it checked: alice's password is not deleted.
    const plan = only([await keyStep('carol'), passwordStep('alice')]);
    const file = join(dir, `library-${++runs}.jsonl`);
    const journal = new JournalWriter(file);
    const clients = motoRemediationClients(moto, iam);
    let results: StepResult[];
    try {
      const applying = applyPlan(plan, {
        clients,
        journal,
        history: [],
        now: Date.now,
        runId: `library-${runs}`,
        planFile: 'plan.json',
        callerAccessKeyId: fx.ops.accessKeyId,
        allowIrreversible: true,
        exemptions: exemptionCheck(PLAN_CONFIG.exemptions, Date.now()),
      });
      plan.options.allowIrreversible = true;
      plan.steps[1]!.reversible = true;
      ({ results } = await applying);
    } finally {
      journal.close();
      clients.destroy();
    }
    assert.deepEqual(
      results.map((r) => `${r.step.principalName}:${r.outcome}:${r.reason}`),
      ['carol:skipped:exempt', 'alice:skipped:irreversible'],
    );
    assert.match(results[1]!.detail ?? '', /the plan was not made with --allow-irreversible/);
    assert.deepEqual(
      readJournal(file).map((e) => `${e.type}:${e.reason ?? ''}`),
      ['run:', 'skipped:exempt', 'skipped:irreversible'],
      'the run line and the two skips: what the contract allows',
    );
    assert.deepEqual(await snapshotCredentials(moto, iam), baseline, 'nothing changed in moto');
  });

  it('control: the untampered plan does act (so the snapshot would have seen a change)', async () => {
    const outcome = await run(fx.plan);
    assert.ok('results' in outcome);
    assert.deepEqual(
      outcome.results.map((r) => `${r.step.principalName}:${r.outcome}`),
      ['alice:done', 'dave:done', 'gina:done'],
    );
    assert.notDeepEqual(await snapshotCredentials(moto, iam), baseline);
  });

  // What the floor lets act: apply's own --days (the human's word at apply), and a sealed plan's own
  // recorded threshold. (After the controls: these change moto.)
  it("an unsealed plan with thresholds 0 applied with apply --days 0 acts (the floor is apply's own word)", async () => {
    const bob = await keyStep('bob');
    const plan = tamper((p) => {
      p.audit.thresholdDays = 0;
      p.audit.thresholds = {};
      p.steps = [bob];
    });
    const outcome = await run(plan, { judging: { days: 0 } });
    assert.ok('results' in outcome);
    assert.deepEqual(
      outcome.results.map((r) => `${r.step.principalName}:${r.outcome}`),
      ['bob:done'],
    );
    const keys = (await iam.send(new ListAccessKeysCommand({ UserName: 'bob' }))).AccessKeyMetadata ?? [];
    assert.deepEqual(
      keys.map((k) => k.Status),
      ['Inactive'],
    );
  });

  it("a plan sealed with the key, threshold 30: a key used 40 days ago is acted on (the key holder's threshold, not 90)", async () => {
    const olga = await keyStep('olga');
    const plan = tamper(
      (p) => {
        p.audit.thresholdDays = 30;
        p.steps = [olga];
      },
      { key: KEY },
    );
    const outcome = await run(plan, { key: KEY });
    assert.ok('results' in outcome, 'refused' in outcome ? outcome.refused.message : '');
    assert.deepEqual(
      outcome.results.map((r) => `${r.step.principalName}:${r.outcome}`),
      ['olga:done'],
    );
  });

  it('control: valid role and user steps do act (so the snapshot would have seen them)', async () => {
    const before = await snapshotCredentials(moto, iam);
    const outcome = await run(only([roleStep('victim'), await userStep('gina')]));
    assert.ok('results' in outcome);
    assert.deepEqual(
      outcome.results.map((r) => `${r.step.principalName}:${r.outcome}`),
      ['victim:done', 'gina:done'],
    );
    const after = await snapshotCredentials(moto, iam);
    assert.notDeepEqual(after['role/victim'], before['role/victim']);
    assert.notDeepEqual(after[`${ACCOUNT}/gina`], before[`${ACCOUNT}/gina`]);
  });
});

/**
 * restrict-permissions in the battery: a valid `plan --permissions` (test/helpers/restrict-fixture.ts;
 * Access Advisor and user boundaries client-mocked there, IAM Access Analyzer in
 * test/helpers/analyzer-stubs.ts: moto has none of them) is tampered with, or the
 * world changes after planning; apply derives the boundary again from live state each time and skips
 * with the named reason, and no boundary or policy changes.
 */
describe('hostile plans: restrict-permissions steps are re-derived live (moto)', () => {
  let moto: MotoServer;
  let stubs: RestrictStubs;
  let iam: IAMClient;
  let dir: string;
  let now: number;
  let valid: RemediationPlan;
  let arns: string[];
  let runs = 0;
  let analyzer: AnalyzerStubs;
  const principals = { roles: ['worker', 'guarded', 'credsweep-ops'], users: ['deploy'] };

  before(async () => {
    moto = await startMoto();
    dir = mkdtempSync(join(tmpdir(), 'credsweep-hostile-restrict-'));
  });
  after(async () => {
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await moto.reset();
    stubs = restrictStubs(moto);
    analyzer = analyzerStubs();
    iam = stubs.iam;
    now = Date.now();
    ({ arns } = await seedRestrictPrincipals(moto, iam, {
      roles: [
        { name: 'worker', path: '/apps/' },
        { name: 'guarded', boundary: true },
        { name: 'credsweep-ops' },
      ],
      users: [{ name: 'deploy' }],
    }));
    usualServices(stubs, arns, now);
    valid = await planPermissions(iam, now);
  });
  afterEach(() => {
    stubs.restore();
    analyzer.restore();
  });

  const stepOf = (p: RemediationPlan, name: string) => p.steps.find((s) => s.principalName === name)!;
  function forged(edit: (p: RemediationPlan) => void): RemediationPlan {
    const copy = structuredClone(valid);
    edit(copy);
    const { digest: _, ...content } = copy;
    return sealPlan(content, undefined);
  }
  async function run(
    p: RemediationPlan,
    exemptTag = false,
    exemptions: Exemption[] = [],
  ): Promise<StepResult[]> {
    verifyPlan(p, 'plan.json', undefined);
    for (const step of p.steps) exercised.add(step.action);
    // credsweep's own analyzer (apply's auto lookup), whatever the plan names
    const accessAnalyzer = await resolveLiveAccessAnalyzer(analyzer.client, 'auto');
    if (exemptTag) {
      await iam.send(
        new TagRoleCommand({ RoleName: 'worker', Tags: [{ Key: 'credsweep:exempt', Value: 'true' }] }),
      );
    }
    const journal = new JournalWriter(join(dir, `restrict-${++runs}.jsonl`));
    try {
      const { results } = await applyPlan(p, {
        clients: stubbedClients(iam),
        journal,
        history: [],
        now: () => now,
        runId: `restrict-${runs}`,
        planFile: 'plan.json',
        callerAccessKeyId: null,
        callerArn: RESTRICT_CALLER.arn,
        allowIrreversible: false,
        exemptions: exemptionCheck(exemptions, now),
        accessAnalyzer,
      });
      return results;
    } finally {
      journal.close();
    }
  }

  it('the valid plan restricts worker, guarded and deploy, and never the role credsweep runs as', () => {
    assert.deepEqual(
      valid.steps.map((s) => `${s.principalType}/${s.principalName}`),
      ['role/worker', 'role/guarded', 'user/deploy'],
    );
    assert.deepEqual(
      valid.skipped.map((s) => [s.principalName, s.reason]),
      [['credsweep-ops', 'caller_role']],
    );
  });

  const cases: {
    name: string;
    plan: () => Promise<RemediationPlan> | RemediationPlan;
    exemptTag?: boolean;
    exemptions?: Exemption[];
    expect: { skipped: string; detail: RegExp };
  }[] = [
    {
      name: 'a role exempt by a configuration exemption by path (role/apps/*) for its permissions',
      plan: () => forged((p) => (p.steps = [stepOf(p, 'worker')])),
      exemptions: [
        {
          arn: 'arn:aws:iam::*:role/apps/*',
          credentials: ['permission'],
          owner: 'sec',
          reason: 'apps keep their grants',
          expires: '2099-12-31',
        },
      ],
      expect: { skipped: 'exempt', detail: /apps keep their grants/ },
    },
    {
      name: 'a fenced-off service used since the plan (Access Advisor now says ec2 was used yesterday)',
      plan: () => {
        stubs.services.set(arns[0]!, [
          aService('s3', 3, now),
          aService('ec2', 1, now),
          aService('sqs', 200, now),
        ]);
        return forged((p) => (p.steps = [stepOf(p, 'worker')]));
      },
      expect: { skipped: 'changed_since_plan', detail: /used at .*after the plan|in use now: ec2, s3/ },
    },
    {
      name: 'the boundary changed since the plan (someone set another one)',
      plan: async () => {
        const other = await iam.send(
          new CreatePolicyCommand({
            PolicyName: 'late-boundary',
            PolicyDocument: JSON.stringify(ORG_BOUNDARY),
          }),
        );
        await iam.send(
          new PutRolePermissionsBoundaryCommand({
            RoleName: 'worker',
            PermissionsBoundary: other.Policy!.Arn!,
          }),
        );
        return forged((p) => (p.steps = [stepOf(p, 'worker')]));
      },
      expect: {
        skipped: 'changed_since_plan',
        detail: /its boundary is .*late-boundary now, the plan was made with none/,
      },
    },
    {
      name: 'an exempt tag added after planning',
      plan: () => forged((p) => (p.steps = [stepOf(p, 'worker')])),
      exemptTag: true,
      expect: { skipped: 'exempt', detail: /credsweep:exempt/ },
    },
    {
      name: 'a forged step for the role credsweep runs as',
      plan: () =>
        forged((p) => {
          const w = stepOf(p, 'worker');
          p.steps = [
            {
              ...w,
              id: `${ACCOUNT}/restrict-permissions/role/credsweep-ops`,
              principalName: 'credsweep-ops',
              arn: arns[2]!,
            },
          ];
        }),
      expect: { skipped: 'caller_role', detail: /calling AWS as this role/ },
    },
    {
      name: 'a forged step for the role credsweep runs as, its expected status edited (the never case is the reason)',
      plan: () =>
        forged((p) => {
          const w = stepOf(p, 'worker');
          p.steps = [
            {
              ...w,
              id: `${ACCOUNT}/restrict-permissions/role/credsweep-ops`,
              principalName: 'credsweep-ops',
              arn: arns[2]!,
              expected: { ...w.expected, status: 'Inactive' },
            },
          ];
        }),
      expect: { skipped: 'caller_role', detail: /calling AWS as this role/ },
    },
    {
      name: 'a forged step for a service-linked role',
      plan: async () => {
        const linked = await iam.send(
          new CreateServiceLinkedRoleCommand({ AWSServiceName: 'elasticbeanstalk.amazonaws.com' }),
        );
        const { RoleName, Arn } = linked.Role!;
        return forged((p) => {
          const w = stepOf(p, 'worker');
          p.steps = [
            {
              ...w,
              id: `${ACCOUNT}/restrict-permissions/role/${RoleName}`,
              principalName: RoleName!,
              arn: Arn!,
            },
          ];
        });
      },
      expect: { skipped: 'service_linked', detail: /managed by its AWS service/ },
    },
    {
      name: 'a step in an account the audit did not cover',
      plan: () =>
        forged((p) => {
          const w = stepOf(p, 'worker');
          p.steps = [{ ...w, accountId: MEMBER, arn: w.arn.replace(ACCOUNT, MEMBER) }];
        }),
      expect: { skipped: 'account_not_audited', detail: /not one the plan's audit covered/ },
    },
    {
      name: 'a forged restriction that fences off a service in use (s3 removed from the services in use)',
      plan: () =>
        forged((p) => {
          const w = stepOf(p, 'worker');
          p.steps = [{ ...w, restriction: { ...w.restriction!, servicesInUse: ['sqs'] } }];
        }),
      expect: { skipped: 'changed_since_plan', detail: /in use now: s3 \(the plan: sqs\)/ },
    },
    {
      name: 'a forged previous boundary (the plan claims one the role does not have)',
      plan: () =>
        forged((p) => {
          const w = stepOf(p, 'worker');
          const g = stepOf(p, 'guarded');
          p.steps = [
            {
              ...w,
              restriction: { ...w.restriction!, previousBoundaryArn: g.restriction!.previousBoundaryArn },
            },
          ];
        }),
      expect: {
        skipped: 'changed_since_plan',
        detail: /its boundary is none now, the plan was made with .*org-guardrail/,
      },
    },
    {
      // IAM Access Analyzer client-mocked (test/helpers/analyzer-stubs.ts): credsweep's analyzer is
      // ANALYZER_ARN; the edit names another one, whose findings could fence off more
      name: 'an edited plan naming another IAM Access Analyzer analyzer than the one credsweep resolves',
      plan: () =>
        forged((p) => {
          const w = stepOf(p, 'worker');
          p.steps = [
            {
              ...w,
              restriction: {
                ...w.restriction!,
                accessAnalyzer: { trackingDays: 90, analyzerArn: OTHER_ANALYZER_ARN },
              },
            },
          ];
        }),
      expect: {
        skipped: 'changed_since_plan',
        detail: /evidence from .*someone-elses, but credsweep reads .*credsweep-unused/,
      },
    },
    {
      name: 'a step with no restriction',
      plan: () =>
        forged((p) => {
          const { restriction: _, ...w } = stepOf(p, 'worker');
          p.steps = [w];
        }),
      expect: { skipped: 'action_mismatch', detail: /names no restriction/ },
    },
    {
      name: "restrict-permissions edited onto a user's password",
      plan: () => forged((p) => (p.steps = [{ ...stepOf(p, 'deploy'), credential: 'password' }])),
      expect: { skipped: 'action_mismatch', detail: /not an action for a user's password/ },
    },
    {
      name: 'a policy squatting on the planned boundary name with another document',
      plan: async () => {
        const w = stepOf(valid, 'worker');
        await iam.send(
          new CreatePolicyCommand({
            PolicyName: w.restriction!.policyName,
            Path: '/credsweep/',
            PolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
            }),
          }),
        );
        return forged((p) => (p.steps = [stepOf(p, 'worker')]));
      },
      expect: { skipped: 'changed_since_plan', detail: /exists with another document/ },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const p = await c.plan();
      const baseline = await snapshotBoundaries(iam, principals);
      const results = await run(p, c.exemptTag, c.exemptions);
      assert.deepEqual(
        results.map((r) => [r.outcome, r.reason]),
        results.map(() => ['skipped', c.expect.skipped]),
      );
      for (const r of results) assert.match(r.detail ?? '', c.expect.detail);
      assert.deepEqual(await snapshotBoundaries(iam, principals), baseline, 'no boundary or policy changed');
    });
  }

  it('control: the untampered plan does act', async () => {
    const baseline = await snapshotBoundaries(iam, principals);
    const results = await run(valid);
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['done', 'done', 'done'],
    );
    assert.notDeepEqual(await snapshotBoundaries(iam, principals), baseline);
  });
});

/**
 * The two actions moto cannot carry out, in the battery all the same: moto 5.2.1 has no sts:AssumeRoot
 * (delete-root-access-key) and no service-specific credential APIs
 * (deactivate-service-specific-credential), so for this block only IAM and STS are aws-sdk-client-mock
 * fakes holding their state in the IAM API reference's shapes (root keys per member account, listed
 * in an AssumeRoot session with no UserName; service-specific credentials per user; users, their tags).
 * The clients are credsweep's own (remediationClients), so the AssumeRoot session is real code.
 */
describe('hostile plans: delete-root-access-key and deactivate-service-specific-credential (aws-sdk-client-mock: moto lacks them)', () => {
  const MANAGEMENT = '111122223333';
  const MEMBER_A = '222233334444';
  const MEMBER_USED = '333344445555';
  const OUTSIDE = '444455556666';
  const NOW = Date.UTC(2026, 11, 1);
  const DAY = 86_400_000;
  const ROOT = '<root_account>';
  type RootKey = { AccessKeyId: string; Status: 'Active' | 'Inactive'; CreateDate: Date; used?: Date };
  let rootKeys: Map<string, RootKey[]>;
  let sscs: ServiceSpecificCredentialMetadata[];
  let iamMock: AwsClientStub<IAMClient>;
  let stsMock: AwsClientStub<STSClient>;
  let dir: string;
  let runs = 0;
  const userTags: Record<string, Record<string, string>> = { carol: { 'credsweep:exempt': 'true' } };

  /** The account an IAM client works in: its AssumeRoot session's key names it, else the caller's. */
  async function accountOf(client: { config: { credentials: () => Promise<{ accessKeyId: string }> } }) {
    const { accessKeyId } = await client.config.credentials();
    return accessKeyId.startsWith('ASIAROOT') ? accessKeyId.slice('ASIAROOT'.length) : MANAGEMENT;
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'credsweep-hostile-mocked-'));
    iamMock = mockClient(IAMClient);
    stsMock = mockClient(STSClient);
  });
  after(() => {
    iamMock.restore();
    stsMock.restore();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    iamMock.reset();
    stsMock.reset();
    const key = (id: string, createdDaysAgo: number, usedDaysAgo?: number): RootKey => ({
      AccessKeyId: id,
      Status: 'Active',
      CreateDate: new Date(NOW - createdDaysAgo * DAY),
      ...(usedDaysAgo === undefined ? {} : { used: new Date(NOW - usedDaysAgo * DAY) }),
    });
    rootKeys = new Map([
      [MEMBER_A, [key('AKIAROOTMEMBERA00001', 900, 400)]],
      [MEMBER_USED, [key('AKIAROOTINUSE0000001', 900, 5)]],
      [OUTSIDE, [key('AKIAROOTOUTSIDE00001', 900, 400)]],
    ]);
    const ssc = (id: string, user: string, overrides: Partial<ServiceSpecificCredentialMetadata> = {}) => ({
      UserName: user,
      Status: 'Active' as const,
      ServiceName: 'bedrock.amazonaws.com',
      ServiceSpecificCredentialId: id,
      CreateDate: new Date(NOW - 200 * DAY),
      ...overrides,
    });
    sscs = [
      ssc('ACCAOLDBEDROCKKEY0001', 'alice'),
      ssc('ACCARECENTBEDROCKKEY1', 'alice', { CreateDate: new Date(NOW - 5 * DAY) }),
      ssc('ACCAEXPIREDBEDROCKK01', 'alice', { Status: 'Expired', ExpirationDate: new Date(NOW - DAY) }),
      ssc('ACCABOBSCODECOMMIT001', 'bob', { ServiceName: 'codecommit.amazonaws.com' }),
      ssc('ACCACAROLBEDROCKKEY01', 'carol'),
    ];
    stsMock.on(AssumeRootCommand).callsFake((input) => ({
      Credentials: {
        AccessKeyId: `ASIAROOT${input.TargetPrincipal}`,
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(NOW + 900_000),
      },
    }));
    const noSuch = (what: string) =>
      Object.assign(new Error(`${what} cannot be found`), { name: 'NoSuchEntityException', $metadata: {} });
    iamMock.on(ListAccessKeysCommand).callsFake(async (input, getClient) => {
      if (input.UserName !== undefined) return { AccessKeyMetadata: [], IsTruncated: false };
      const keys = rootKeys.get(await accountOf(getClient())) ?? [];
      return {
        AccessKeyMetadata: keys.map(({ used: _, ...k }) => ({ ...k })),
        IsTruncated: false,
      };
    });
    iamMock.on(GetAccessKeyLastUsedCommand).callsFake((input) => {
      const used = [...rootKeys.values()].flat().find((k) => k.AccessKeyId === input.AccessKeyId)?.used;
      return {
        AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A', ...(used ? { LastUsedDate: used } : {}) },
      };
    });
    iamMock.on(DeleteAccessKeyCommand).callsFake(async (input, getClient) => {
      const keys = rootKeys.get(await accountOf(getClient())) ?? [];
      const i = keys.findIndex((k) => k.AccessKeyId === input.AccessKeyId);
      if (i === -1) throw noSuch('the access key');
      keys.splice(i, 1);
      return {};
    });
    iamMock.on(ListServiceSpecificCredentialsCommand).callsFake((input) => ({
      ServiceSpecificCredentials: sscs.filter((c) => c.UserName === input.UserName).map((c) => ({ ...c })),
      IsTruncated: false,
    }));
    iamMock.on(UpdateServiceSpecificCredentialCommand).callsFake((input) => {
      const c = sscs.find(
        (x) =>
          x.UserName === input.UserName &&
          x.ServiceSpecificCredentialId === input.ServiceSpecificCredentialId,
      );
      if (!c) throw noSuch('the service-specific credential');
      c.Status = input.Status;
      return {};
    });
    iamMock.on(GetUserCommand).callsFake((input) => {
      if (!['alice', 'bob', 'carol'].includes(input.UserName)) throw noSuch(`the user ${input.UserName}`);
      return {
        User: {
          UserName: input.UserName,
          UserId: `AIDA${input.UserName.toUpperCase()}`,
          Path: '/',
          Arn: `arn:aws:iam::${MANAGEMENT}:user/${input.UserName}`,
          CreateDate: new Date(NOW - 1000 * DAY),
        },
      };
    });
    iamMock.on(ListUserTagsCommand).callsFake((input) => ({
      Tags: Object.entries(userTags[input.UserName] ?? {}).map(([Key, Value]) => ({ Key, Value })),
      IsTruncated: false,
    }));
  });

  /** Everything the fakes hold, to show a case changed nothing. */
  const snapshot = () => JSON.stringify({ root: [...rootKeys.entries()], sscs });

  /** A root step with `expected` matching the fake (so only live checks can stop it). */
  function rootStep(accountId: string, overrides: Partial<PlanStep> = {}): PlanStep {
    const key = rootKeys.get(accountId)?.[0];
    const keyId = key?.AccessKeyId ?? 'AKIAROOTNONE00000001';
    const lastUsed = key?.used ? key.used.toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
    return {
      id: `${accountId}/delete-root-access-key/${keyId}`,
      action: 'delete-root-access-key',
      accountId,
      principalType: 'root',
      principalName: ROOT,
      arn: `arn:aws:iam::${accountId}:root`,
      credential: 'access_key_1',
      accessKeyId: keyId,
      reversible: false,
      reason: 'forged',
      expected: { status: 'Active', lastUsed },
      ...overrides,
    };
  }
  function sscStep(user: string, id: string, overrides: Partial<PlanStep> = {}): PlanStep {
    return {
      id: `${MANAGEMENT}/deactivate-service-specific-credential/${id}`,
      action: 'deactivate-service-specific-credential',
      accountId: MANAGEMENT,
      principalType: 'user',
      principalName: user,
      arn: `arn:aws:iam::${MANAGEMENT}:user/${user}`,
      credential: 'service_specific_credential',
      serviceSpecificCredentialId: id,
      reversible: true,
      reason: 'forged',
      expected: { status: 'Active', lastUsed: null },
      ...overrides,
    };
  }
  /** A plan as a forger writes it (re-sealed with SHA-256): audited accounts, --allow-irreversible, steps. */
  function planOf(steps: PlanStep[], options: { irreversible?: boolean } = {}): RemediationPlan {
    const iso = new Date(NOW - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const irreversible = steps.filter((s) => !s.reversible).length;
    return sealPlan(
      {
        schemaVersion: 2,
        createdAt: iso,
        dataCollectedAt: iso,
        asOf: iso,
        audit: { accounts: [MANAGEMENT, MEMBER_A, MEMBER_USED], thresholdDays: 90, thresholds: {} },
        options: {
          deleteAfterDays: 30,
          allowIrreversible: options.irreversible ?? true,
          includeRoot: true,
          include: [],
          exclude: [],
          journals: [],
        },
        caller: { accountId: MANAGEMENT, arn: `arn:aws:iam::${MANAGEMENT}:user/ops`, accessKeyId: 'AKIAOPS' },
        summary: { steps: steps.length, reversible: steps.length - irreversible, irreversible, skipped: 0 },
        steps,
        skipped: [],
      },
      undefined,
    );
  }

  async function run(
    plan: RemediationPlan,
    options: { allowIrreversible?: boolean; exemptions?: Exemption[]; callerAccessKeyId?: string } = {},
  ): Promise<StepResult[]> {
    verifyPlan(plan, 'plan.json', undefined);
    for (const step of plan.steps) exercised.add(step.action);
    const sts = new STSClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAOPS', secretAccessKey: 'x' },
    });
    const clients = remediationClients({
      connection: { region: 'us-east-1', credentials: { accessKeyId: 'AKIAOPS', secretAccessKey: 'x' } },
      sts,
      callerAccountId: MANAGEMENT,
      partition: 'aws',
    });
    const journal = new JournalWriter(join(dir, `mocked-${++runs}.jsonl`));
    try {
      const { results } = await applyPlan(plan, {
        clients,
        journal,
        history: [],
        now: () => NOW,
        runId: `mocked-${runs}`,
        planFile: 'plan.json',
        callerAccessKeyId: options.callerAccessKeyId ?? 'AKIAOPS',
        callerArn: `arn:aws:iam::${MANAGEMENT}:user/ops`,
        allowIrreversible: options.allowIrreversible ?? true,
        exemptions: exemptionCheck(options.exemptions ?? [], NOW),
      });
      return results;
    } finally {
      journal.close();
      clients.destroy();
      sts.destroy();
    }
  }

  const EXEMPT = { owner: 'sec', reason: 'break-glass root', expires: '2099-12-31' };
  const cases: {
    name: string;
    plan: () => RemediationPlan;
    options?: Parameters<typeof run>[1];
    expect: { skipped: string; detail: RegExp };
  }[] = [
    {
      name: 'delete-root-access-key of a root key used 5 days ago',
      plan: () => planOf([rootStep(MEMBER_USED)]),
      expect: { skipped: 'changed_since_plan', detail: /the root key last used 5 days ago: not unused now/ },
    },
    {
      name: 'delete-root-access-key, the plan not made with --allow-irreversible (apply given it)',
      plan: () => planOf([rootStep(MEMBER_A)], { irreversible: false }),
      expect: { skipped: 'irreversible', detail: /the plan was not made with --allow-irreversible/ },
    },
    {
      name: 'delete-root-access-key, apply not given --allow-irreversible',
      plan: () => planOf([rootStep(MEMBER_A)]),
      options: { allowIrreversible: false },
      expect: { skipped: 'irreversible', detail: /apply was not given --allow-irreversible/ },
    },
    {
      name: 'delete-root-access-key, reversible flipped to true, apply not given --allow-irreversible',
      plan: () => planOf([rootStep(MEMBER_A, { reversible: true })]),
      options: { allowIrreversible: false },
      expect: { skipped: 'irreversible', detail: /delete-root-access-key cannot be undone/ },
    },
    {
      name: 'delete-root-access-key of a key id the root user does not have (another account’s root key)',
      plan: () =>
        planOf([rootStep(MEMBER_A, { accessKeyId: 'AKIAROOTINUSE0000001', id: 'forged-root-key' })]),
      expect: { skipped: 'changed_since_plan', detail: /no longer exists/ },
    },
    {
      name: 'delete-root-access-key in an account the audit never covered',
      plan: () => planOf([rootStep(OUTSIDE)]),
      expect: { skipped: 'account_not_audited', detail: new RegExp(`account ${OUTSIDE} is not one`) },
    },
    {
      name: 'delete-root-access-key of the key credsweep signs with',
      plan: () => planOf([rootStep(MEMBER_A)]),
      options: { callerAccessKeyId: 'AKIAROOTMEMBERA00001' },
      expect: { skipped: 'caller_key', detail: /credsweep is calling AWS with this access key/ },
    },
    {
      name: 'delete-root-access-key aimed at a user (principal type edited)',
      plan: () => planOf([rootStep(MEMBER_A, { principalType: 'user', principalName: 'alice' })]),
      expect: { skipped: 'action_mismatch', detail: /not an action for a user's access_key_1/ },
    },
    {
      name: 'delete-root-access-key of a root exempt by the configuration (ARN)',
      plan: () => planOf([rootStep(MEMBER_A)]),
      options: { exemptions: [{ arn: `arn:aws:iam::${MEMBER_A}:root`, ...EXEMPT }] },
      expect: { skipped: 'exempt', detail: /break-glass root/ },
    },
    {
      name: "delete-root-access-key of a root exempt by ARN, the step's ARN in another partition",
      plan: () => planOf([rootStep(MEMBER_A, { arn: `arn:aws-cn:iam::${MEMBER_A}:root` })]),
      options: { exemptions: [{ arn: 'arn:aws:iam::*:root', ...EXEMPT }] },
      expect: { skipped: 'principal_mismatch', detail: /the root's ARN is arn:aws:iam::222233334444:root/ },
    },
    {
      name: "delete-root-access-key of a root exempt by name (<root_account>), the step's name edited",
      plan: () => planOf([rootStep(MEMBER_A, { principalName: 'nobody' })]),
      options: { exemptions: [{ principal: ROOT, ...EXEMPT }] },
      expect: { skipped: 'principal_mismatch', detail: /the root user is <root_account>, not nobody/ },
    },
    {
      name: 'deactivate-service-specific-credential created 5 days ago',
      plan: () => planOf([sscStep('alice', 'ACCARECENTBEDROCKKEY1')]),
      expect: {
        skipped: 'changed_since_plan',
        detail: /created 5 days ago: not unused now \(threshold 90\)/,
      },
    },
    {
      name: 'deactivate-service-specific-credential of an Expired credential',
      plan: () => planOf([sscStep('alice', 'ACCAEXPIREDBEDROCKK01')]),
      expect: { skipped: 'changed_since_plan', detail: /status is Expired, the plan expected Active/ },
    },
    {
      name: "deactivate-service-specific-credential of another user's credential id",
      plan: () => planOf([sscStep('alice', 'ACCABOBSCODECOMMIT001')]),
      expect: { skipped: 'changed_since_plan', detail: /no longer exists/ },
    },
    {
      name: 'deactivate-service-specific-credential of a user tagged credsweep:exempt=true',
      plan: () => planOf([sscStep('carol', 'ACCACAROLBEDROCKKEY01')]),
      expect: { skipped: 'exempt', detail: /exempt by tag credsweep:exempt=true/ },
    },
    {
      name: 'deactivate-service-specific-credential exempt by the configuration for that kind only',
      plan: () => planOf([sscStep('alice', 'ACCAOLDBEDROCKKEY0001')]),
      options: {
        exemptions: [
          {
            principal: 'alice',
            credentials: ['service_specific_credential'],
            ...EXEMPT,
            reason: 'Bedrock CI',
          },
        ],
      },
      expect: { skipped: 'exempt', detail: /Bedrock CI/ },
    },
    {
      name: 'deactivate-service-specific-credential in an account the audit never covered',
      plan: () =>
        planOf([
          sscStep('alice', 'ACCAOLDBEDROCKKEY0001', {
            accountId: OUTSIDE,
            arn: `arn:aws:iam::${OUTSIDE}:user/alice`,
          }),
        ]),
      expect: { skipped: 'account_not_audited', detail: new RegExp(`account ${OUTSIDE} is not one`) },
    },
    {
      name: 'deactivate-service-specific-credential aimed at an access key slot',
      plan: () => planOf([sscStep('alice', 'ACCAOLDBEDROCKKEY0001', { credential: 'access_key_1' })]),
      expect: { skipped: 'action_mismatch', detail: /not an action for a user's access_key_1/ },
    },
    {
      name: 'deactivate-service-specific-credential whose ARN names another user',
      plan: () =>
        planOf([sscStep('alice', 'ACCAOLDBEDROCKKEY0001', { arn: `arn:aws:iam::${MANAGEMENT}:user/bob` })]),
      expect: { skipped: 'principal_mismatch', detail: /ARN is arn:aws:iam::\d+:user\/alice/ },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const baseline = snapshot();
      const results = await run(c.plan(), c.options);
      assert.deepEqual(
        results.map((r) => [r.outcome, r.reason]),
        results.map(() => ['skipped', c.expect.skipped]),
        JSON.stringify(results.map((r) => r.detail)),
      );
      for (const r of results) assert.match(r.detail ?? '', c.expect.detail);
      assert.equal(snapshot(), baseline, 'nothing changed');
      assert.equal(iamMock.commandCalls(DeleteAccessKeyCommand).length, 0);
      assert.equal(iamMock.commandCalls(UpdateServiceSpecificCredentialCommand).length, 0);
    });
  }

  it('control: the valid steps do act (the root key deleted in its AssumeRoot session, the credential made Inactive)', async () => {
    const results = await run(planOf([rootStep(MEMBER_A), sscStep('alice', 'ACCAOLDBEDROCKKEY0001')]));
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['done', 'done'],
      JSON.stringify(results),
    );
    assert.deepEqual(rootKeys.get(MEMBER_A), []);
    assert.equal(sscs[0]?.Status, 'Inactive');
  });
});

describe('the battery covers the registry', () => {
  it('every action of the registry was handed to apply by a case above (an action added needs its cases)', () => {
    assert.deepEqual(
      Object.keys(ACTIONS).filter((a) => !exercised.has(a)),
      [],
    );
  });
});
