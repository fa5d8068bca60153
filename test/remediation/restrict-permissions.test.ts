/**
 * restrict-permissions through plan → apply → journal → undo, in process against moto_server (issue
 * 14): a role and a user, each with and without a previous permissions boundary, are audited the way
 * `credsweep permissions` audits them (auditPermissions: Access Advisor + the permission rule), planned
 * with `--permissions`, applied (the boundary allows only the services in use; a previous boundary
 * stays in force inside it) and undone: GetRole / GetUser's PermissionsBoundary is what it was, and
 * credsweep's boundary policy is deleted when nothing else uses it and kept when something does.
 *
 * aws-sdk-client-mock (test/helpers/restrict-stubs.ts), for what moto 5.2.1 lacks only: Access
 * Advisor, and the user boundary calls (Put/DeleteUserPermissionsBoundary, GetUser's boundary and the
 * users ListEntitiesForPolicy names). Roles, policies and role boundaries are moto's own.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import {
  CreateRoleCommand,
  DeletePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserCommand,
  type IAMClient,
  PutRolePermissionsBoundaryCommand,
  TagRoleCommand,
} from '@aws-sdk/client-iam';
import type { RemediationPlan } from '../../src/model/remediation-plan.ts';
import { BOUNDARY_POLICY_DESCRIPTION } from '../../src/remediation/actions/restrict-permissions.ts';
import { applyPlan, type StepResult } from '../../src/remediation/apply.ts';
import { exemptionCheck } from '../../src/remediation/exemptions.ts';
import { JournalWriter, readJournal } from '../../src/remediation/journal.ts';
import { type UndoResult, undoJournal } from '../../src/remediation/undo.ts';
import { MOTO_DEFAULT_ACCOUNT as ACCOUNT, type MotoServer, startMoto } from '../helpers/moto.ts';
import {
  ASSUME_FROM_ACCOUNT,
  ORG_BOUNDARY,
  planPermissions,
  RESTRICT_CALLER,
  seedRestrictPrincipals,
  stubbedClients,
  usualServices,
} from '../helpers/restrict-fixture.ts';
import { aService, type RestrictStubs, restrictStubs } from '../helpers/restrict-stubs.ts';

describe('restrict-permissions: plan --permissions → apply → undo (moto)', () => {
  let moto: MotoServer;
  let stubs: RestrictStubs;
  let iam: IAMClient;
  let dir: string;
  let runs = 0;
  let now: number;

  before(async () => {
    moto = await startMoto();
  });
  after(() => moto.stop());
  beforeEach(async () => {
    await moto.reset();
    stubs = restrictStubs(moto);
    iam = stubs.iam;
    dir = mkdtempSync(join(tmpdir(), 'credsweep-restrict-'));
    now = Date.now();
  });
  afterEach(() => {
    stubs.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  const clients = () => stubbedClients(iam);

  async function seed(options: { role?: string; user?: string; boundary?: boolean } = {}) {
    const seeded = await seedRestrictPrincipals(moto, iam, {
      roles: options.role
        ? [{ name: options.role, path: '/apps/', boundary: options.boundary ?? false }]
        : [],
      users: options.user ? [{ name: options.user, boundary: options.boundary ?? false }] : [],
    });
    usualServices(stubs, seeded.arns, now);
    return seeded;
  }

  const plan = () => planPermissions(iam, now);

  async function apply(p: RemediationPlan): Promise<{ results: StepResult[]; journal: string }> {
    const file = join(dir, `run-${++runs}.jsonl`);
    const journal = new JournalWriter(file);
    try {
      const { results } = await applyPlan(p, {
        clients: clients(),
        journal,
        history: [],
        now: () => now,
        runId: `run-${runs}`,
        planFile: 'plan.json',
        callerAccessKeyId: null,
        callerArn: RESTRICT_CALLER.arn,
        allowIrreversible: false,
        exemptions: exemptionCheck([], now),
      });
      return { results, journal: file };
    } finally {
      journal.close();
    }
  }

  async function undo(p: RemediationPlan, file: string): Promise<UndoResult[]> {
    const entries = readJournal(file);
    const journal = new JournalWriter(file);
    try {
      return await undoJournal(entries, {
        clients: clients(),
        journal,
        now: () => now,
        runId: `undo-${runs}`,
        planDigest: p.digest.value,
        // a journal written without a plan key, taken as written (undo --trust-unsigned-journal)
        trustUnsignedJournal: true,
      });
    } finally {
      journal.close();
    }
  }

  const roleBoundary = async (name: string) =>
    (await iam.send(new GetRoleCommand({ RoleName: name }))).Role?.PermissionsBoundary
      ?.PermissionsBoundaryArn ?? null;
  const userBoundary = async (name: string) =>
    (await iam.send(new GetUserCommand({ UserName: name }))).User?.PermissionsBoundary
      ?.PermissionsBoundaryArn ?? null;

  async function policyDocument(arn: string): Promise<{ Statement: Record<string, unknown>[] } | null> {
    try {
      const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
      assert.equal(policy.Path, '/credsweep/');
      assert.equal(policy.Description, BOUNDARY_POLICY_DESCRIPTION);
      const version = await iam.send(
        new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.DefaultVersionId! }),
      );
      return JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!));
    } catch (e) {
      if ((e as Error).name === 'NoSuchEntityException') return null;
      throw e;
    }
  }

  for (const kind of ['role', 'user'] as const) {
    const read = (name: string) => (kind === 'role' ? roleBoundary(name) : userBoundary(name));
    for (const previous of [false, true]) {
      it(`a ${kind} ${previous ? 'with' : 'without'} a previous boundary: apply fences off ec2 and sqs, undo restores ${previous ? 'that boundary' : 'no boundary'} exactly and deletes the unused policy`, async () => {
        const { boundaryArn } = await seed({ [kind]: 'worker', boundary: previous });
        const before = await read('worker');
        assert.equal(before, boundaryArn ?? null);

        const p = await plan();
        assert.equal(p.options.permissions, true);
        assert.equal(p.steps.length, 1, JSON.stringify(p.skipped));
        const step = p.steps[0]!;
        assert.equal(step.action, 'restrict-permissions');
        assert.equal(step.principalType, kind);
        assert.equal(step.reversible, true);
        assert.deepEqual(step.restriction?.servicesInUse, ['s3']);
        assert.equal(step.restriction?.previousBoundaryArn, boundaryArn ?? null);
        assert.match(step.reason, /services ec2, sqs/);

        const { results, journal } = await apply(p);
        assert.deepEqual(
          results.map((r) => [r.outcome, r.reason]),
          [['done', undefined]],
        );
        const set = await read('worker');
        assert.equal(set, `arn:aws:iam::${ACCOUNT}:policy/credsweep/${step.restriction!.policyName}`);
        const doc = await policyDocument(set!);
        if (previous) {
          // The previous boundary's statement stays, and everything but s3 is denied on top of it.
          assert.deepEqual(doc?.Statement, [
            ORG_BOUNDARY.Statement[0],
            { Sid: 'CredsweepOnlyServicesInUse', Effect: 'Deny', NotAction: ['s3:*'], Resource: '*' },
          ]);
        } else {
          assert.deepEqual(doc?.Statement, [
            { Sid: 'CredsweepServicesInUse', Effect: 'Allow', Action: ['s3:*'], Resource: '*' },
          ]);
        }
        const intent = readJournal(journal).find((e) => e.type === 'intent');
        assert.equal(
          intent?.before?.boundary?.currentArn,
          boundaryArn ?? null,
          'the journal records the previous boundary',
        );
        assert.equal(intent?.before?.boundary?.target?.policyExisted, false);

        const undone = await undo(p, journal);
        assert.deepEqual(
          undone.map((u) => u.outcome),
          ['undone'],
        );
        assert.match(undone[0]!.detail ?? '', /deleted \(nothing else used it\)/);
        assert.equal(await read('worker'), before, 'the boundary is what it was');
        assert.equal(await policyDocument(set!), null, "credsweep's policy is deleted");
        if (boundaryArn) {
          const kept = await iam.send(new GetPolicyCommand({ PolicyArn: boundaryArn }));
          assert.equal(kept.Policy?.Arn, boundaryArn, 'the previous boundary policy is untouched');
        }
      });
    }
  }

  it('with action granularity the unused tracked actions of a service in use are denied too, and apply re-derives them', async () => {
    const { arns } = await seed({ role: 'worker' });
    const s3 = {
      ...aService('s3', 3, now),
      TrackedActionsLastAccessed: [
        {
          ActionName: 'GetObject',
          LastAccessedTime: new Date(now - 3 * 86_400_000),
          LastAccessedRegion: 'us-east-1',
        },
        { ActionName: 'PutObject' },
      ],
    };
    stubs.services.set(arns[0]!, [s3, aService('ec2', null, now)]);
    const p = await planPermissions(iam, now, { granularity: 'action' });
    assert.deepEqual(p.steps[0]?.restriction?.unusedActions, ['s3:PutObject']);
    assert.equal(p.steps[0]?.restriction?.granularity, 'action');
    const { results, journal } = await apply(p);
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['done'],
    );
    const doc = await policyDocument((await roleBoundary('worker'))!);
    assert.deepEqual(doc?.Statement, [
      { Sid: 'CredsweepServicesInUse', Effect: 'Allow', Action: ['s3:*'], Resource: '*' },
      { Sid: 'CredsweepUnusedActions', Effect: 'Deny', Action: ['s3:PutObject'], Resource: '*' },
    ]);
    assert.deepEqual(
      (await undo(p, journal)).map((u) => u.outcome),
      ['undone'],
    );
    assert.equal(await roleBoundary('worker'), null);
  });

  it("a verdict not marked as an analyzer's (no access_analyzer_<days>_days caveat, so the plan records no analyzer) is re-checked against Access Advisor alone: skipped (the analyzer path: restrict-permissions-analyzer.test.ts)", async () => {
    await seed({ role: 'worker' });
    const p = await planPermissions(iam, now, {
      granularity: 'action',
      editFindings: (findings) => {
        const s3 = findings.find((f) => f.service === 's3' && f.action === undefined)!;
        const analyzer = {
          ...s3,
          action: 's3:DeleteObject',
          status: 'unused' as const,
          lastUsed: null,
          lastActivitySource: 'access_analyzer' as const,
          reason: 'action s3:DeleteObject unused (IAM Access Analyzer)',
        };
        return [...findings, analyzer];
      },
    });
    assert.deepEqual(p.steps[0]?.restriction?.unusedActions, ['s3:DeleteObject']);
    const { results } = await apply(p);
    assert.deepEqual(
      results.map((r) => [r.outcome, r.reason]),
      [['skipped', 'changed_since_plan']],
    );
    assert.match(results[0]!.detail ?? '', /in use now: s3 \(the plan: s3; s3:DeleteObject\)/);
    assert.equal(await roleBoundary('worker'), null, 'nothing set');
  });

  it("undo keeps credsweep's boundary policy while another principal has it attached", async () => {
    await seed({ role: 'worker' });
    const p = await plan();
    const { journal } = await apply(p);
    const set = (await roleBoundary('worker'))!;
    await iam.send(
      new CreateRoleCommand({ RoleName: 'copycat', AssumeRolePolicyDocument: ASSUME_FROM_ACCOUNT }),
    );
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'copycat', PermissionsBoundary: set }));

    const undone = await undo(p, journal);
    assert.deepEqual(
      undone.map((u) => u.outcome),
      ['undone'],
    );
    assert.match(undone[0]!.detail ?? '', /kept \(attached to 1 other\)/);
    assert.equal(await roleBoundary('worker'), null);
    assert.ok(await policyDocument(set), 'the policy is kept');
    assert.equal(await roleBoundary('copycat'), set);
  });

  it('an undo that failed after restoring the boundary is finished by the next undo (the policy is not left behind)', async () => {
    await seed({ role: 'worker' });
    const p = await plan();
    const { journal } = await apply(p);
    const set = (await roleBoundary('worker'))!;
    let calls = 0;
    stubs.mock.on(DeletePolicyCommand).callsFake(async (input) => {
      calls += 1;
      if (calls === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
      return stubs.direct.send(new DeletePolicyCommand(input));
    });
    assert.deepEqual(
      (await undo(p, journal)).map((u) => u.outcome),
      ['failed'],
    );
    assert.equal(await roleBoundary('worker'), null, 'the boundary was restored before the failure');
    assert.ok(await policyDocument(set), 'the policy is still there');

    const again = await undo(p, journal);
    assert.deepEqual(
      again.map((u) => u.outcome),
      ['undone'],
    );
    assert.match(again[0]!.detail ?? '', /deleted/);
    assert.equal(await policyDocument(set), null);
  });

  it('two principals that use the same services share one boundary policy; undoing both deletes it', async () => {
    await seed({ role: 'worker', user: 'deploy' });
    const p = await plan();
    assert.equal(p.steps.length, 2);
    assert.equal(p.steps[0]!.restriction?.policyName, p.steps[1]!.restriction?.policyName);
    const { results, journal } = await apply(p);
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['done', 'done'],
    );
    const set = (await roleBoundary('worker'))!;
    assert.equal(await userBoundary('deploy'), set);

    const undone = await undo(p, journal);
    assert.deepEqual(
      undone.map((u) => u.outcome),
      ['undone', 'undone'],
    );
    assert.equal(await roleBoundary('worker'), null);
    assert.equal(await userBoundary('deploy'), null);
    assert.equal(await policyDocument(set), null, 'deleted once nothing uses it, whichever step created it');
  });

  it('plans nothing for a principal with every service in use, none in use, or an exempt tag, each with its reason', async () => {
    await seed({ role: 'busy' });
    await moto.setClockOffsetDays(-300);
    await iam.send(
      new CreateRoleCommand({ RoleName: 'idle', AssumeRolePolicyDocument: ASSUME_FROM_ACCOUNT }),
    );
    await iam.send(
      new CreateRoleCommand({ RoleName: 'special', AssumeRolePolicyDocument: ASSUME_FROM_ACCOUNT }),
    );
    await moto.setClockOffsetDays(0);
    await iam.send(
      new TagRoleCommand({ RoleName: 'special', Tags: [{ Key: 'credsweep:exempt', Value: 'true' }] }),
    );
    const arn = (name: string, path = '/') => `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
    stubs.services.set(arn('busy', '/apps/'), [aService('s3', 3, now)]);
    stubs.services.set(arn('idle'), [aService('s3', 200, now), aService('ec2', null, now)]);
    stubs.services.set(arn('special'), [aService('s3', 3, now), aService('ec2', null, now)]);
    const p = await plan();
    assert.deepEqual(p.steps, []);
    assert.deepEqual(
      p.skipped.map((s) => [s.principalName, s.reason]),
      [
        ['busy', 'all_in_use'],
        ['idle', 'no_service_in_use'],
        ['special', 'exempt'],
      ],
    );
  });
});
