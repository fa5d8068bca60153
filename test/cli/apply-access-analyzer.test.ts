/**
 * `plan --permissions --access-analyzer auto` → `apply --yes` → `undo --yes` through the CLI, in
 * process (runCli) against moto_server: the live plan records the analyzer it read on the step, apply
 * (no flag: `auto`) resolves the analyzer itself, re-reads its findings for the role and sets the
 * boundary that denies the action only the analyzer reported unused; undo removes it. apply given
 * `--access-analyzer` naming an analyzer that does not exist says so in one line and skips the step;
 * an analyzer AWS refuses to list: one line, the step skipped, exit 3.
 *
 * aws-sdk-client-mock for what moto 5 lacks only: Access Advisor on every IAMClient (every other IAM
 * call goes through to moto, sinon's callThrough) and IAM Access Analyzer on every
 * AccessAnalyzerClient (test/helpers/analyzer-stubs.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  type ServiceLastAccessed,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from '../../src/cli/program.ts';
import { remediationPlanSchema } from '../../src/model/remediation-plan.ts';
import {
  ANALYZER_ARN,
  type AnalyzerStubs,
  analyzerStubs,
  OTHER_ANALYZER_ARN,
} from '../helpers/analyzer-stubs.ts';
import { cliOnMoto } from '../helpers/cli.ts';
import { seedRestrictPrincipals } from '../helpers/restrict-fixture.ts';
import { aService, stubAccessAdvisor } from '../helpers/restrict-stubs.ts';

const iamMock = mockClient(IAMClient);

describe('credsweep apply: restrict-permissions planned with IAM Access Analyzer (moto, in process)', () => {
  let analyzer: AnalyzerStubs;
  const services = new Map<string, ServiceLastAccessed[]>();

  const aws = cliOnMoto({ runCli, dir: 'credsweep-apply-analyzer-', fresh: 'each test' });
  const { cli } = aws;
  after(() => iamMock.restore());
  beforeEach(() => {
    iamMock.reset();
    iamMock.send.callThrough();
    stubAccessAdvisor(iamMock, services);
    analyzer = analyzerStubs({ everyClient: true });
  });
  afterEach(() => analyzer.restore());

  const boundaryOf = async (name: string) =>
    (await aws.iam.send(new GetRoleCommand({ RoleName: name }))).Role?.PermissionsBoundary
      ?.PermissionsBoundaryArn ?? null;

  async function livePlan(): Promise<string> {
    const { arns } = await seedRestrictPrincipals(aws.moto, aws.iam, { roles: [{ name: 'worker' }] });
    const now = Date.now();
    services.set(arns[0]!, [aService('s3', 3, now), aService('ec2', null, now)]);
    analyzer.unusedPermissions.set(arns[0]!, { s3: ['DeleteObject'] });
    const planFile = join(aws.dir, 'plan.json');
    const planned = await cli([
      'plan',
      '--permissions',
      '--granularity',
      'action',
      '--access-analyzer',
      'auto',
      '--output',
      planFile,
    ]);
    assert.equal(planned.code, 0, planned.stderr);
    const plan = remediationPlanSchema.parse(JSON.parse(readFileSync(planFile, 'utf8')));
    assert.deepEqual(
      plan.steps.map((s) => [s.principalName, s.restriction?.unusedActions, s.restriction?.accessAnalyzer]),
      [['worker', ['s3:DeleteObject'], { trackingDays: 90, analyzerArn: ANALYZER_ARN }]],
    );
    return planFile;
  }

  it('live plan → apply --yes (auto) → undo --yes: the analyzer-only unused action is denied, then the role is as before', async () => {
    const planFile = await livePlan();
    const journal = join(aws.dir, 'journal.jsonl');
    const listedBefore = analyzer.listed.length;
    const applied = await cli(['apply', planFile, '--yes', '--journal', journal]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /done/);
    assert.deepEqual(
      analyzer.listed.slice(listedBefore).map((i) => [i.analyzerArn, i.filter?.resource?.eq?.length]),
      [[ANALYZER_ARN, 1]],
    );
    const set = (await boundaryOf('worker'))!;
    const policy = (await aws.iam.send(new GetPolicyCommand({ PolicyArn: set }))).Policy!;
    const version = await aws.iam.send(
      new GetPolicyVersionCommand({ PolicyArn: set, VersionId: policy.DefaultVersionId! }),
    );
    assert.deepEqual(JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!)).Statement, [
      { Sid: 'CredsweepServicesInUse', Effect: 'Allow', Action: ['s3:*'], Resource: '*' },
      { Sid: 'CredsweepUnusedActions', Effect: 'Deny', Action: ['s3:DeleteObject'], Resource: '*' },
    ]);

    const undone = await cli(['undo', journal, '--yes', '--trust-unsigned-journal']);
    assert.equal(undone.code, 0, undone.stderr);
    assert.equal(await boundaryOf('worker'), null);
    await assert.rejects(aws.iam.send(new GetPolicyCommand({ PolicyArn: set })), {
      name: 'NoSuchEntityException',
    });
  });

  it('apply --access-analyzer naming an analyzer that does not exist: one line, the step skipped, nothing set', async () => {
    const planFile = await livePlan();
    const applied = await cli([
      'apply',
      planFile,
      '--yes',
      '--journal',
      join(aws.dir, 'j.jsonl'),
      '--access-analyzer',
      OTHER_ANALYZER_ARN,
    ]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(applied.stderr.trim().split('\n').length, 1, applied.stderr);
    assert.match(
      applied.stderr,
      /no active unused-access analyzer .*someone-elses: steps planned with its findings are skipped/,
    );
    assert.match(applied.stdout, /changed_since_plan/);
    assert.equal(await boundaryOf('worker'), null);
  });

  it('IAM Access Analyzer unreadable at apply (AccessDenied): one line, the step skipped, exit 3', async () => {
    const planFile = await livePlan();
    analyzer.listAnalyzersError = Object.assign(new Error('not authorized to perform ListAnalyzers'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    });
    const applied = await cli(['apply', planFile, '--yes', '--journal', join(aws.dir, 'j.jsonl')]);
    assert.equal(applied.code, 3, applied.stderr);
    assert.equal(applied.stderr.trim().split('\n').length, 1, applied.stderr);
    assert.match(applied.stderr, /IAM Access Analyzer could not be read: AccessDenied/);
    assert.doesNotMatch(applied.stderr, /\n\s+at /, 'no stack trace');
    assert.match(applied.stdout, /changed_since_plan/);
    assert.equal(await boundaryOf('worker'), null);
  });
});
