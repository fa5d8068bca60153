/**
 * restrict-permissions planned with IAM Access Analyzer's verdicts (`plan --permissions
 * --access-analyzer`), applied and undone in process against moto_server (issue 14): apply reads the
 * ACTIVE findings of the analyzer credsweep resolves itself for the one principal (ListFindingsV2
 * filtered by resource, GetFindingV2), merges them with live Access Advisor by the audit's own merge
 * (src/audit/judge.ts), and acts only when the boundary is the planned one.
 *
 * aws-sdk-client-mock for what moto 5 lacks only: IAM Access Analyzer (test/helpers/analyzer-stubs.ts),
 * Access Advisor and the user boundary calls (test/helpers/restrict-stubs.ts). Roles, policies and role
 * boundaries are moto's own.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { evaluatePermissionsWithAccessAnalyzer } from '../../src/audit/judge.ts';
import type { Finding } from '../../src/model/finding.ts';
import type { RemediationPlan } from '../../src/model/remediation-plan.ts';
import { applyPlan, type StepResult } from '../../src/remediation/apply.ts';
import { exemptionCheck } from '../../src/remediation/exemptions.ts';
import { JournalWriter, readJournal } from '../../src/remediation/journal.ts';
import {
  type LiveAccessAnalyzer,
  resolveLiveAccessAnalyzer,
} from '../../src/remediation/live-access-analyzer.ts';
import { sealPlan } from '../../src/remediation/plan-digest.ts';
import { type UndoResult, undoJournal } from '../../src/remediation/undo.ts';
import { fetchServiceLastAccessed } from '../../src/sources/access-advisor/last-accessed.ts';
import { indexAccessAnalyzerEvidence } from '../../src/sources/access-analyzer/to-evidence.ts';
import { listUnusedAccessFindings } from '../../src/sources/access-analyzer/unused-access-findings.ts';
import { verifyPlan } from '../../src/remediation/verify-plan.ts';
import {
  ANALYZER_ARN,
  type AnalyzerStubs,
  anAnalyzer,
  analyzerStubs,
  OTHER_ANALYZER_ARN,
} from '../helpers/analyzer-stubs.ts';
import { MOTO_DEFAULT_ACCOUNT as ACCOUNT, type MotoServer, startMoto } from '../helpers/moto.ts';
import {
  planPermissions,
  RESTRICT_CALLER,
  seedRestrictPrincipals,
  snapshotBoundaries,
  stubbedClients,
  usualServices,
} from '../helpers/restrict-fixture.ts';
import { type RestrictStubs, restrictStubs } from '../helpers/restrict-stubs.ts';

describe('restrict-permissions with IAM Access Analyzer at apply (moto)', () => {
  let moto: MotoServer;
  let stubs: RestrictStubs;
  let analyzer: AnalyzerStubs;
  let iam: IAMClient;
  let dir: string;
  let runs = 0;
  let now: number;
  let arns: string[];
  let boundaryArn: string | undefined;
  const principals = { roles: ['worker', 'guarded'], users: ['deploy'] };

  before(async () => {
    moto = await startMoto();
  });
  after(() => moto.stop());
  beforeEach(async () => {
    await moto.reset();
    stubs = restrictStubs(moto);
    analyzer = analyzerStubs();
    iam = stubs.iam;
    dir = mkdtempSync(join(tmpdir(), 'credsweep-restrict-analyzer-'));
    now = Date.now();
    ({ arns, boundaryArn } = await seedRestrictPrincipals(moto, iam, {
      roles: [
        { name: 'worker', path: '/apps/' },
        { name: 'guarded', boundary: true },
      ],
      users: [{ name: 'deploy' }],
    }));
    // Access Advisor: s3 used 3 days ago, ec2 never, sqs 200 days ago; tracks no s3 actions. The
    // analyzer: s3:DeleteObject unused (a verdict only it gives).
    usualServices(stubs, arns, now);
    for (const arn of arns) analyzer.unusedPermissions.set(arn, { s3: ['DeleteObject'], ec2: [] });
  });
  afterEach(() => {
    stubs.restore();
    analyzer.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What `permissions --granularity action --access-analyzer` finds: the audit's own merge. */
  async function analyzerFindings(): Promise<Finding[]> {
    const read = await listUnusedAccessFindings(analyzer.client, ANALYZER_ARN);
    const input = {
      trackingDays: 90,
      evidence: indexAccessAnalyzerEvidence(read, { arn: ANALYZER_ARN, trackingDays: 90 }),
      covers: () => true,
    };
    const findings: Finding[] = [];
    for (const arn of arns) {
      const name = arn.split('/').pop()!;
      const type = arn.includes(':role/') ? ('role' as const) : ('user' as const);
      const created =
        type === 'role'
          ? (await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.CreateDate!
          : (await iam.send(new GetUserCommand({ UserName: name }))).User!.CreateDate!;
      const services = await fetchServiceLastAccessed(iam, arn, 'action', { sleep: async () => {} });
      findings.push(
        ...evaluatePermissionsWithAccessAnalyzer(
          {
            kind: 'permissions',
            principal: { accountId: ACCOUNT, type, name, arn, createdAt: created.getTime() },
            services,
            granularity: 'action',
          },
          input,
          { asOf: now, thresholdDays: 90 },
        ),
      );
    }
    return findings;
  }

  async function plan(options: { analyzerArn?: string } = {}): Promise<RemediationPlan> {
    const findings = await analyzerFindings();
    return planPermissions(iam, now, {
      granularity: 'action',
      editFindings: () => findings,
      ...(options.analyzerArn ? { analyzerArn: options.analyzerArn } : {}),
    });
  }

  function forged(p: RemediationPlan, edit: (p: RemediationPlan) => void): RemediationPlan {
    const copy = structuredClone(p);
    edit(copy);
    const { digest: _, ...content } = copy;
    return sealPlan(content, undefined);
  }

  async function apply(
    p: RemediationPlan,
    spec: string | null = 'auto',
  ): Promise<{ results: StepResult[]; journal: string }> {
    verifyPlan(p, 'plan.json', undefined);
    const live: LiveAccessAnalyzer | undefined =
      spec === null ? undefined : await resolveLiveAccessAnalyzer(analyzer.client, spec);
    const file = join(dir, `run-${++runs}.jsonl`);
    const journal = new JournalWriter(file);
    try {
      const { results } = await applyPlan(p, {
        clients: stubbedClients(iam),
        journal,
        history: [],
        now: () => now,
        runId: `run-${runs}`,
        planFile: 'plan.json',
        callerAccessKeyId: null,
        callerArn: RESTRICT_CALLER.arn,
        allowIrreversible: false,
        exemptions: exemptionCheck([], now),
        ...(live ? { accessAnalyzer: live } : {}),
      });
      return { results, journal: file };
    } finally {
      journal.close();
    }
  }

  async function undo(p: RemediationPlan, file: string): Promise<UndoResult[]> {
    const journal = new JournalWriter(file);
    try {
      return await undoJournal(readJournal(file), {
        clients: stubbedClients(iam),
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

  async function boundaryStatements(arn: string): Promise<unknown> {
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
    const version = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.DefaultVersionId! }),
    );
    return JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!)).Statement;
  }

  const boundaryOf = async (kind: 'role' | 'user', name: string) =>
    kind === 'role'
      ? ((await iam.send(new GetRoleCommand({ RoleName: name }))).Role?.PermissionsBoundary
          ?.PermissionsBoundaryArn ?? null)
      : ((await iam.send(new GetUserCommand({ UserName: name }))).User?.PermissionsBoundary
          ?.PermissionsBoundaryArn ?? null);

  it('the plan records the analyzer: steps deny the unused action only the analyzer reported', async () => {
    const p = await plan({ analyzerArn: ANALYZER_ARN });
    assert.deepEqual(
      p.steps.map((s) => [s.principalName, s.restriction?.unusedActions, s.restriction?.accessAnalyzer]),
      [
        ['worker', ['s3:DeleteObject'], { trackingDays: 90, analyzerArn: ANALYZER_ARN }],
        ['guarded', ['s3:DeleteObject'], { trackingDays: 90, analyzerArn: ANALYZER_ARN }],
        ['deploy', ['s3:DeleteObject'], { trackingDays: 90, analyzerArn: ANALYZER_ARN }],
      ],
    );
  });

  it('apply re-reads the analyzer for each principal and acts; undo restores every previous boundary and deletes the policies', async () => {
    const p = await plan({ analyzerArn: ANALYZER_ARN });
    const baseline = await snapshotBoundaries(iam, principals);
    const { results, journal } = await apply(p);
    assert.deepEqual(
      results.map((r) => [r.step.principalName, r.outcome]),
      [
        ['worker', 'done'],
        ['guarded', 'done'],
        ['deploy', 'done'],
      ],
    );
    // one ListFindingsV2 per principal, filtered to it, on credsweep's analyzer
    const reads = analyzer.listed.slice(1); // the first is the plan's audit
    assert.deepEqual(
      reads.map((i) => [i.analyzerArn, i.filter?.resource?.eq]),
      arns.map((arn) => [ANALYZER_ARN, [arn]]),
    );
    const worker = (await boundaryOf('role', 'worker'))!;
    assert.deepEqual(await boundaryStatements(worker), [
      { Sid: 'CredsweepServicesInUse', Effect: 'Allow', Action: ['s3:*'], Resource: '*' },
      { Sid: 'CredsweepUnusedActions', Effect: 'Deny', Action: ['s3:DeleteObject'], Resource: '*' },
    ]);
    assert.match((await boundaryOf('user', 'deploy')) ?? '', /policy\/credsweep\/CredsweepBoundary-/);
    assert.notEqual(await boundaryOf('role', 'guarded'), boundaryArn);

    const undone = await undo(p, journal);
    assert.deepEqual(
      undone.map((u) => u.outcome),
      ['undone', 'undone', 'undone'],
    );
    assert.equal(await boundaryOf('role', 'guarded'), boundaryArn, 'the previous boundary is back');
    assert.deepEqual(
      await snapshotBoundaries(iam, principals),
      baseline,
      'boundaries as before, no policy left',
    );
  });

  it('a plan from a permissions JSON (no analyzer ARN recorded) is re-checked against the analyzer apply resolves', async () => {
    const p = await plan();
    assert.deepEqual(p.steps[0]?.restriction?.accessAnalyzer, { trackingDays: 90 });
    const { results } = await apply(
      forged(p, (x) => (x.steps = [x.steps[0]!])),
      ANALYZER_ARN,
    );
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['done'],
    );
  });

  it('the analyzer now says the action is used (no finding): skipped changed_since_plan, nothing changed', async () => {
    const p = await plan({ analyzerArn: ANALYZER_ARN });
    analyzer.unusedPermissions.set(arns[0]!, { ec2: [] });
    const baseline = await snapshotBoundaries(iam, principals);
    const { results } = await apply(forged(p, (x) => (x.steps = [x.steps[0]!])));
    assert.deepEqual(
      results.map((r) => [r.outcome, r.reason]),
      [['skipped', 'changed_since_plan']],
    );
    assert.match(results[0]!.detail ?? '', /in use now: s3 \(the plan: s3; s3:DeleteObject\)/);
    assert.deepEqual(await snapshotBoundaries(iam, principals), baseline);
  });

  const hostile: {
    name: string;
    edit?: (p: RemediationPlan) => void;
    spec?: string | null;
    detail: RegExp;
  }[] = [
    {
      name: 'an edited plan naming another analyzer (one that would report more unused)',
      edit: (p) => {
        p.steps = [
          {
            ...p.steps[0]!,
            restriction: {
              ...p.steps[0]!.restriction!,
              accessAnalyzer: { trackingDays: 90, analyzerArn: OTHER_ANALYZER_ARN },
            },
          },
        ];
      },
      detail:
        /planned with IAM Access Analyzer evidence from .*someone-elses, but credsweep reads .*credsweep-unused/,
    },
    {
      name: 'an edited plan claiming a shorter tracking period',
      edit: (p) => {
        p.steps = [
          {
            ...p.steps[0]!,
            restriction: { ...p.steps[0]!.restriction!, accessAnalyzer: { trackingDays: 7 } },
          },
        ];
      },
      detail: /over 7 days, but .* tracks 90 days/,
    },
    {
      name: "apply's --access-analyzer names an analyzer that does not exist",
      spec: OTHER_ANALYZER_ARN,
      detail: /no active unused-access analyzer .*someone-elses/,
    },
    {
      name: 'apply resolved no analyzer at all',
      spec: null,
      detail: /planned with IAM Access Analyzer evidence; apply read no analyzer/,
    },
  ];
  for (const c of hostile) {
    it(`hostile: ${c.name} → skipped changed_since_plan, nothing changed, no other analyzer read`, async () => {
      const p = await plan({ analyzerArn: ANALYZER_ARN });
      const baseline = await snapshotBoundaries(iam, principals);
      const listedBefore = analyzer.listed.length;
      const { results } = await apply(
        forged(p, c.edit ?? ((x) => (x.steps = [x.steps[0]!]))),
        c.spec === undefined ? 'auto' : c.spec,
      );
      assert.deepEqual(
        results.map((r) => [r.outcome, r.reason]),
        [['skipped', 'changed_since_plan']],
      );
      assert.match(results[0]!.detail ?? '', c.detail);
      assert.ok(
        analyzer.listed.slice(listedBefore).every((i) => i.analyzerArn === ANALYZER_ARN),
        'only the analyzer credsweep resolved is read',
      );
      assert.deepEqual(await snapshotBoundaries(iam, principals), baseline);
    });
  }

  it('an account analyzer of another account does not look at the principal: skipped', async () => {
    const p = await plan();
    const one = forged(p, (x) => (x.steps = [x.steps[0]!]));
    const foreign = ANALYZER_ARN.replace(ACCOUNT, '210987654321');
    analyzer.analyzers.splice(0, 1, anAnalyzer(foreign));
    const { results } = await apply(one, foreign);
    assert.deepEqual(
      results.map((r) => [r.outcome, r.reason]),
      [['skipped', 'changed_since_plan']],
    );
    assert.match(results[0]!.detail ?? '', /does not look at account/);
  });
});
