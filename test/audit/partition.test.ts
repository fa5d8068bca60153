/**
 * The caller's partition reaches every role ARN credsweep builds: the live audit's fan-out (audit,
 * plan, the Lambda all run runAudit), the permissions fan-out, the Lambda's per-account item, and the
 * remediation clients (AssumeRole and AssumeRoot's task policy). moto answers every caller as
 * `arn:aws:` and cannot emulate aws-us-gov or aws-cn, so this file uses aws-sdk-client-mock for STS:
 * GetCallerIdentity names the partition, AssumeRole records the RoleArn it was asked for and refuses.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  AssumeRoleCommand,
  AssumeRootCommand,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { capturingContext } from '../helpers/cli.ts';
import { assembleAudit, runAudit } from '../../src/audit/run-audit.ts';
import { resolveSettings } from '../../src/audit/settings.ts';
import type { AwsClients } from '../../src/aws/clients.ts';
import { collectOneAccount, collectOrgAudit } from '../../src/lambda/scheduled-audit.ts';
import { openRemediationSession } from '../../src/cli/remediation-session.ts';
import { partitionOf } from '../../src/arn.ts';
import { remediationClients, rootTaskPolicyArn } from '../../src/remediation/clients.ts';

const CALLER = '111111111111';
const MEMBER = '222222222222';
const OFFLINE = { region: 'us-east-1', credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'x' } };

const stsMock = mockClient(STSClient);
afterEach(() => stsMock.reset());

/** STS answers as a caller in `partition`; AssumeRole is refused (the ARN asked for is what counts). */
function stsIn(partition: string) {
  stsMock.on(GetCallerIdentityCommand).resolves({
    Account: CALLER,
    Arn: `arn:${partition}:iam::${CALLER}:user/auditor`,
    UserId: 'AIDATEST',
  });
  stsMock
    .on(AssumeRoleCommand)
    .rejects(Object.assign(new Error('not authorised'), { name: 'AccessDenied', $metadata: {} }));
}

function assumedRoleArns(): string[] {
  return stsMock.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn!);
}

function callerClients(): AwsClients {
  return {
    iam: new IAMClient(OFFLINE),
    sts: new STSClient(OFFLINE),
    organizations: new OrganizationsClient(OFFLINE),
  };
}

function settings(flags: Parameters<typeof resolveSettings>[0]) {
  return resolveSettings(flags, {}, undefined, { now: Date.parse('2026-11-01T00:00:00Z') });
}

const PARTITIONS = ['aws-us-gov', 'aws-cn'] as const;

describe('the caller’s partition in every role ARN', () => {
  for (const partition of PARTITIONS) {
    const role = `arn:${partition}:iam::${MEMBER}:role/OrganizationAccountAccessRole`;

    it(`${partition}: runAudit's live fan-out (audit, live plan) assumes the member role in ${partition}`, async () => {
      stsIn(partition);
      const clients = callerClients();
      const run = await runAudit(settings({ source: 'api', accounts: [MEMBER] }), {
        clients,
        sleep: async () => {},
      });
      const report = await assembleAudit(run);
      assert.deepEqual(assumedRoleArns(), [role]);
      assert.equal(run.partition, partition);
      assert.deepEqual(
        report.accounts.map((a) => [a.accountId, a.status]),
        [[MEMBER, 'failed']],
      );
    });

    it(`${partition}: the permissions fan-out assumes the member role in ${partition}`, async () => {
      stsIn(partition);
      await runAudit(
        settings({
          accounts: [MEMBER],
          permissions: { granularity: 'service', principalConcurrency: 1 },
        }),
        { clients: callerClients(), sleep: async () => {} },
      );
      assert.deepEqual(assumedRoleArns(), [role]);
    });

    it(`${partition}: the Lambda (whole run and one Step Functions item) assumes in ${partition}`, async () => {
      stsIn(partition);
      const deps = {
        connection: OFFLINE,
        clients: callerClients(),
        s3: undefined as never,
        sns: undefined as never,
        postJson: async () => {},
        readSecret: async () => '',
        now: Date.parse('2026-11-01T00:00:00Z'),
        sleep: async () => {},
      };
      const lambda = {
        bucket: 'b',
        prefix: 'p/',
        config: { accounts: [MEMBER], exemptions: [] },
        thresholdDays: 90,
        roleName: 'OrganizationAccountAccessRole',
        concurrency: 1,
      };
      const whole = await collectOrgAudit(deps, lambda);
      const item = await collectOneAccount(deps, lambda, { accountId: MEMBER, assumeRole: true });
      assert.deepEqual(assumedRoleArns(), [role, role]);
      assert.equal(whole.accounts[0]?.status, 'failed');
      assert.equal(item.accounts[0]?.status, 'failed');
    });

    it(`${partition}: plan/apply/undo's remediation session takes the partition from the caller's ARN`, async () => {
      stsIn(partition);
      const saved = { ...process.env };
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: 'AKIATEST',
        AWS_SECRET_ACCESS_KEY: 'x',
        AWS_REGION: 'us-east-1',
      });
      delete process.env.AWS_PROFILE;
      try {
        const { ctx } = capturingContext(Date.now());
        const session = await openRemediationSession(ctx, { roleName: 'CredsweepRemediation' });
        await assert.rejects(session.clients.iam(MEMBER), /not authorised/);
        session.close();
      } finally {
        process.env = saved;
      }
      assert.deepEqual(assumedRoleArns(), [`arn:${partition}:iam::${MEMBER}:role/CredsweepRemediation`]);
    });

    it(`${partition}: remediation clients assume roles and AssumeRoot's task policy in ${partition}`, async () => {
      stsIn(partition);
      stsMock
        .on(AssumeRootCommand)
        .rejects(Object.assign(new Error('not authorised'), { name: 'AccessDenied', $metadata: {} }));
      const sts = new STSClient(OFFLINE);
      const callerArn = `arn:${partition}:iam::${CALLER}:user/ops`;
      const clients = remediationClients({
        connection: OFFLINE,
        sts,
        callerAccountId: CALLER,
        roleName: 'CredsweepRemediation',
        partition: partitionOf(callerArn),
      });
      await assert.rejects(clients.iam(MEMBER), /not authorised/);
      await assert.rejects(clients.rootIam(MEMBER), /not authorised/);
      clients.destroy();
      sts.destroy();
      assert.deepEqual(assumedRoleArns(), [`arn:${partition}:iam::${MEMBER}:role/CredsweepRemediation`]);
      const root = stsMock.commandCalls(AssumeRootCommand)[0]!.args[0].input;
      assert.equal(
        root.TaskPolicyArn?.arn,
        `arn:${partition}:iam::aws:policy/root-task/IAMDeleteRootUserCredentials`,
      );
    });
  }

  it('the root task policy follows the partition', () => {
    assert.equal(rootTaskPolicyArn(), 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials');
  });
});
