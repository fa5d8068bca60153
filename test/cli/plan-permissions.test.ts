/**
 * `plan --permissions` through the CLI, in process (runCli) against moto_server: `permissions
 * --format json` → `plan --permissions --from` → `apply --yes` → `undo --yes` sets a role's boundary
 * to credsweep's and restores it; live `plan --permissions` runs the permissions audit itself; a file
 * that is not a permissions audit, and the live-only flags
 * without --permissions or with --from, are usage errors (exit 2, one line).
 *
 * aws-sdk-client-mock on every IAMClient, for Access Advisor only (moto 5.2.1 has none,
 * docs/aws-behaviour.md §7.3): every other call goes through to moto (sinon's callThrough).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import {
  GenerateServiceLastAccessedDetailsCommand,
  GetPolicyCommand,
  GetRoleCommand,
  IAMClient,
  type ServiceLastAccessed,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from '../../src/cli/program.ts';
import { remediationPlanSchema } from '../../src/model/remediation-plan.ts';
import { cliOnMoto } from '../helpers/cli.ts';
import { seedRestrictPrincipals } from '../helpers/restrict-fixture.ts';
import { aService, stubAccessAdvisor } from '../helpers/restrict-stubs.ts';

const iamMock = mockClient(IAMClient);

describe('credsweep plan --permissions (moto, in process)', () => {
  const services = new Map<string, ServiceLastAccessed[]>();

  const aws = cliOnMoto({ runCli, dir: 'credsweep-plan-permissions-', fresh: 'each test' });
  const { cli } = aws;
  after(() => iamMock.restore());
  beforeEach(() => {
    iamMock.reset();
    iamMock.send.callThrough();
    stubAccessAdvisor(iamMock, services);
  });
  const boundaryOf = async (name: string) =>
    (await aws.iam.send(new GetRoleCommand({ RoleName: name }))).Role?.PermissionsBoundary
      ?.PermissionsBoundaryArn ?? null;

  it('permissions JSON → plan --permissions --from → apply → undo: the boundary is set, then exactly what it was', async () => {
    const { arns, boundaryArn } = await seedRestrictPrincipals(aws.moto, aws.iam, {
      roles: [{ name: 'worker', boundary: true }],
    });
    const now = Date.now();
    services.set(arns[0]!, [aService('s3', 3, now), aService('ec2', null, now), aService('sqs', 200, now)]);

    const perms = join(aws.dir, 'permissions.json');
    const audited = await cli(['permissions', '--format', 'json', '--output', perms]);
    assert.equal(audited.code, 0, audited.stderr);

    const planFile = join(aws.dir, 'plan.json');
    const planned = await cli(['plan', '--permissions', '--from', perms, '--output', planFile]);
    assert.equal(planned.code, 0, planned.stderr);
    assert.match(planned.stdout, /restrict-permissions/);
    const plan = remediationPlanSchema.parse(JSON.parse(readFileSync(planFile, 'utf8')));
    assert.equal(plan.options.permissions, true);
    assert.deepEqual(
      plan.steps.map((s) => [
        s.action,
        s.principalName,
        s.restriction?.servicesInUse,
        s.restriction?.previousBoundaryArn,
      ]),
      [['restrict-permissions', 'worker', ['s3'], boundaryArn]],
    );

    const journal = join(aws.dir, 'journal.jsonl');
    const applied = await cli(['apply', planFile, '--yes', '--journal', journal]);
    assert.equal(applied.code, 0, applied.stderr);
    const set = await boundaryOf('worker');
    assert.match(set ?? '', /:policy\/credsweep\/CredsweepBoundary-[0-9a-f]{16}$/);

    const undone = await cli(['undo', journal, '--yes', '--trust-unsigned-journal']);
    assert.equal(undone.code, 0, undone.stderr);
    assert.equal(await boundaryOf('worker'), boundaryArn, 'the previous boundary is back');
    await assert.rejects(aws.iam.send(new GetPolicyCommand({ PolicyArn: set! })), {
      name: 'NoSuchEntityException',
    });
  });

  it('live: plan --permissions runs the permissions audit itself (--granularity action)', async () => {
    const { arns } = await seedRestrictPrincipals(aws.moto, aws.iam, { roles: [{ name: 'worker' }] });
    const now = Date.now();
    services.set(arns[0]!, [aService('s3', 3, now), aService('ec2', null, now)]);
    const planFile = join(aws.dir, 'live-plan.json');
    const planned = await cli(['plan', '--permissions', '--granularity', 'action', '--output', planFile]);
    assert.equal(planned.code, 0, planned.stderr);
    const plan = remediationPlanSchema.parse(JSON.parse(readFileSync(planFile, 'utf8')));
    assert.deepEqual(
      plan.steps.map((s) => [
        s.action,
        s.principalName,
        s.restriction?.granularity,
        s.restriction?.servicesInUse,
      ]),
      [['restrict-permissions', 'worker', 'action', ['s3']]],
    );
    assert.deepEqual(plan.audit.accounts, ['123456789012']);
    const generated = iamMock
      .commandCalls(GenerateServiceLastAccessedDetailsCommand)
      .map((c) => c.args[0].input);
    assert.deepEqual(generated, [{ Arn: arns[0], Granularity: 'ACTION_LEVEL' }]);
  });

  it('a file that is not a permissions audit, and live-only flags misused, are usage errors (exit 2, one line)', async () => {
    const audit = join(aws.dir, 'audit.json');
    writeFileSync(
      audit,
      JSON.stringify({
        schemaVersion: 1,
        generatedAt: '2026-11-01T00:00:00Z',
        asOf: '2026-11-01T00:00:00Z',
        thresholdDays: 90,
        accounts: [{ accountId: '123456789012', status: 'ok', source: 'credential-report' }],
        summary: { total: 0, unused: 0, inUse: 0, exempt: 0 },
        findings: [],
      }),
    );
    const cases: [string[], RegExp][] = [
      [['plan', '--permissions', '--from', audit], /not a permissions audit/],
      [['plan', '--granularity', 'action'], /--granularity and --access-analyzer are for --permissions/],
      [['plan', '--permissions', '--from', audit, '--access-analyzer', 'auto'], /not with --from/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
