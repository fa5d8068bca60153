/**
 * `credsweep permissions` end to end, in process (runCli) so the IAM client can be mocked:
 * aws-sdk-client-mock because moto 5.2.1 has no Access Advisor (docs/aws-behaviour.md §7.3). Responses are
 * shaped like the IAM API reference's examples (test/sources/access-advisor/api-examples.ts).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  GenerateServiceLastAccessedDetailsCommand,
  GetRoleCommand,
  GetServiceLastAccessedDetailsCommand,
  IAMClient,
  ListRolesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from '../../src/cli/program.ts';
import { auditReportSchema } from '../../src/model/finding.ts';
import {
  ACTION_LEVEL_EXAMPLE,
  GENERATE_EXAMPLE,
  GET_EXAMPLE,
} from '../sources/access-advisor/api-examples.ts';
import { capturingContext } from '../helpers/cli.ts';

const iamMock = mockClient(IAMClient);
const AS_OF = '2018-12-01';
const USER_ARN = 'arn:aws:iam::123456789012:user/AWSExampleUser01';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/app';
const LINKED_ARN =
  'arn:aws:iam::123456789012:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport';

const context = () => capturingContext(Date.UTC(2018, 11, 1));

function mockAccount() {
  iamMock.on(ListUsersCommand).resolves({
    Users: [
      {
        UserName: 'AWSExampleUser01',
        Arn: USER_ARN,
        UserId: 'AIDAEXAMPLE',
        Path: '/',
        CreateDate: new Date('2018-01-01T00:00:00Z'),
      },
    ],
    IsTruncated: false,
  });
  iamMock.on(ListRolesCommand).resolves({
    Roles: [
      {
        RoleName: 'app',
        Arn: ROLE_ARN,
        RoleId: 'AROAEXAMPLE',
        Path: '/',
        CreateDate: new Date('2017-01-01T00:00:00Z'),
      },
      {
        RoleName: 'AWSServiceRoleForSupport',
        Arn: LINKED_ARN,
        RoleId: 'AROALINKED',
        Path: '/aws-service-role/support.amazonaws.com/',
        CreateDate: new Date('2017-01-01T00:00:00Z'),
      },
    ],
    IsTruncated: false,
  });
  iamMock.on(GenerateServiceLastAccessedDetailsCommand).resolves(GENERATE_EXAMPLE);
}

describe('credsweep permissions', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credsweep-permissions-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  afterEach(() => iamMock.reset());

  it('lists users and roles (not service-linked ones) and writes one finding per granted service', async () => {
    mockAccount();
    iamMock.on(GetServiceLastAccessedDetailsCommand).resolves(GET_EXAMPLE);
    const { ctx } = context();
    const out = join(dir, 'all.json');
    const code = await runCli(['permissions', '--as-of', AS_OF, '--format', 'json', '--output', out], ctx);
    assert.equal(code, 0);
    const report = auditReportSchema.parse(JSON.parse(await readFile(out, 'utf8')));
    assert.deepEqual(
      report.findings.map((f) => [f.arn, f.service, f.status, f.credential]),
      [
        [ROLE_ARN, 'iam', 'in_use', 'permission'],
        [ROLE_ARN, 's3', 'unused', 'permission'],
        [USER_ARN, 'iam', 'in_use', 'permission'],
        [USER_ARN, 's3', 'unused', 'permission'],
      ],
    );
    assert.equal(report.summary.unused, 2);
    const arns = iamMock
      .commandCalls(GenerateServiceLastAccessedDetailsCommand)
      .map((c) => c.args[0].input.Arn);
    assert.deepEqual(arns.sort(), [ROLE_ARN, USER_ARN]);
  });

  it('the configuration file: thresholds.permission judges the permissions, and its exemptions apply', async () => {
    mockAccount();
    iamMock.on(GetServiceLastAccessedDetailsCommand).resolves(GET_EXAMPLE);
    const config = join(dir, 'permission-threshold.json');
    await writeFile(
      config,
      JSON.stringify({
        days: 90,
        // iam was last used 38 days before AS_OF: in use at 90 days, unused at 30
        thresholds: { permission: 30, access_key: 365 },
        exemptions: [{ principal: 'app', owner: 'platform', reason: 'deploy role', expires: '2019-06-30' }],
      }),
    );
    const { ctx } = context();
    const out = join(dir, 'threshold.json');
    const args = ['permissions', '--as-of', AS_OF, '--config', config, '--format', 'json', '--output', out];
    assert.equal(await runCli(args, ctx), 0);
    const report = auditReportSchema.parse(JSON.parse(await readFile(out, 'utf8')));
    assert.deepEqual(
      report.findings.map((f) => [f.arn, f.service, f.status]),
      [
        [ROLE_ARN, 'iam', 'exempt'],
        [ROLE_ARN, 's3', 'exempt'],
        [USER_ARN, 'iam', 'unused'],
        [USER_ARN, 's3', 'unused'],
      ],
    );
    assert.match(report.findings[2]!.reason, /\(threshold 30\)/);
    assert.deepEqual(report.thresholds, { permission: 30, access_key: 365 });
    assert.equal(report.exemptions?.applied, 2);
    // --days is the default threshold; the per-kind one still decides permissions
    const withDays = join(dir, 'threshold-days.json');
    const { ctx: again } = context();
    assert.equal(await runCli([...args.slice(0, -1), withDays, '--days', '365'], again), 0);
    const judged = auditReportSchema.parse(JSON.parse(await readFile(withDays, 'utf8')));
    assert.equal(judged.thresholdDays, 365);
    assert.equal(judged.findings.find((f) => f.arn === USER_ARN && f.service === 'iam')?.status, 'unused');
  });

  it('--fail-on unused exits 1 when a service is unused; the table names the service', async () => {
    mockAccount();
    iamMock.on(GetServiceLastAccessedDetailsCommand).resolves(GET_EXAMPLE);
    const { ctx } = context();
    const out = join(dir, 't.txt');
    const code = await runCli(['permissions', '--as-of', AS_OF, '--fail-on', 'unused', '--output', out], ctx);
    assert.equal(code, 1);
    const table = await readFile(out, 'utf8');
    // permissions, not credentials: the column names the service, the count says permissions of principals
    assert.match(table, /^STATUS\s+SEVERITY\s+ACCOUNT\s+PRINCIPAL\s+PERMISSION\s+AGE\s/);
    assert.match(table, /^unused\s+medium\s+123456789012\s+AWSExampleUser01\s+s3\s/m);
    assert.match(table, /^in_use\s+info\s+123456789012\s+app \(role\)\s+iam\s/m);
    assert.match(
      table,
      /^4 permissions of 2 principals: 2 unused, 2 in use \(threshold 90 days, as of 2018-12-01\)$/m,
    );
    assert.doesNotMatch(table, /credential/);
  });

  it('--principal evaluates only the ARNs given, at action granularity', async () => {
    iamMock.on(GetRoleCommand).resolves({
      Role: {
        RoleName: 'app',
        Arn: ROLE_ARN,
        RoleId: 'AROAEXAMPLE',
        Path: '/',
        CreateDate: new Date('2017-01-01'),
      },
    });
    iamMock.on(GenerateServiceLastAccessedDetailsCommand).resolves(GENERATE_EXAMPLE);
    iamMock.on(GetServiceLastAccessedDetailsCommand).resolves(ACTION_LEVEL_EXAMPLE);
    const { ctx } = context();
    const out = join(dir, 'action.json');
    const code = await runCli(
      [
        'permissions',
        '--principal',
        ROLE_ARN,
        '--granularity',
        'action',
        '--as-of',
        AS_OF,
        '--format',
        'json',
        '--output',
        out,
      ],
      ctx,
    );
    assert.equal(code, 0);
    const report = auditReportSchema.parse(JSON.parse(await readFile(out, 'utf8')));
    assert.deepEqual(
      report.findings.map((f) => [f.service, f.action ?? null, f.status]),
      [
        ['ec2', null, 'unused'],
        ['s3', null, 'in_use'],
        ['s3', 's3:DeleteBucket', 'unused'],
        ['s3', 's3:GetObject', 'in_use'],
      ],
    );
    assert.equal(iamMock.commandCalls(ListUsersCommand).length, 0);
    assert.equal(
      iamMock.commandCalls(GenerateServiceLastAccessedDetailsCommand)[0]!.args[0].input.Granularity,
      'ACTION_LEVEL',
    );
  });

  it('--suggest-policy prints reduced policies and never calls a write API', async () => {
    iamMock.on(GetRoleCommand).resolves({
      Role: {
        RoleName: 'app',
        Arn: ROLE_ARN,
        RoleId: 'AROAEXAMPLE',
        Path: '/',
        CreateDate: new Date('2017-01-01'),
      },
    });
    iamMock.on(GenerateServiceLastAccessedDetailsCommand).resolves(GENERATE_EXAMPLE);
    iamMock.on(GetServiceLastAccessedDetailsCommand).resolves(ACTION_LEVEL_EXAMPLE);
    const { ctx } = context();
    const out = join(dir, 'policy.json');
    const code = await runCli(
      [
        'permissions',
        '--principal',
        ROLE_ARN,
        '--granularity',
        'action',
        '--suggest-policy',
        '--as-of',
        AS_OF,
        '--output',
        out,
      ],
      ctx,
    );
    assert.equal(code, 0);
    const { suggestions } = JSON.parse(await readFile(out, 'utf8'));
    assert.deepEqual(suggestions[0].policy.Statement, [
      { Sid: 'KeepServicesInUse', Effect: 'Allow', Action: ['s3:*'], Resource: '*' },
      { Sid: 'DropUnusedTrackedActions', Effect: 'Deny', Action: ['s3:DeleteBucket'], Resource: '*' },
    ]);
    const called = iamMock.calls().map((c) => c.args[0].constructor.name);
    assert.deepEqual([...new Set(called)].sort(), [
      'GenerateServiceLastAccessedDetailsCommand',
      'GetRoleCommand',
      'GetServiceLastAccessedDetailsCommand',
    ]);
  });

  it('a principal whose job fails is reported (account failed, exit 3) while the others are evaluated', async () => {
    mockAccount();
    iamMock
      .on(GenerateServiceLastAccessedDetailsCommand, { Arn: ROLE_ARN })
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' }));
    iamMock.on(GetServiceLastAccessedDetailsCommand).resolves(GET_EXAMPLE);
    const { ctx, stderr } = context();
    const out = join(dir, 'partial.json');
    const code = await runCli(['permissions', '--as-of', AS_OF, '--format', 'json', '--output', out], ctx);
    assert.equal(code, 3);
    const report = auditReportSchema.parse(JSON.parse(await readFile(out, 'utf8')));
    assert.deepEqual([...new Set(report.findings.map((f) => f.arn))], [USER_ARN]);
    const account = report.accounts.find((a) => a.accountId === '123456789012')!;
    assert.equal(account.status, 'failed');
    assert.deepEqual(account.error, {
      code: 'AccessDenied',
      message: `${ROLE_ARN}: User is not authorized`,
      principals: [{ arn: ROLE_ARN, code: 'AccessDenied', message: 'User is not authorized' }],
    });
    assert.equal(
      stderr(),
      `credsweep: account 123456789012: AccessDenied: ${ROLE_ARN}: User is not authorized\n`,
    );
  });

  it('an account whose principals fail is one line naming the account and the AWS error code, at 80 columns and wide', async () => {
    const denied = (arn: string) =>
      Object.assign(
        new Error(
          `User: arn:aws:sts::123456789012:assumed-role/audit/x is not authorized to perform: iam:GenerateServiceLastAccessedDetails on resource: ${arn}\u001b[2J`,
        ),
        {
          name: 'AccessDenied',
        },
      );
    mockAccount();
    iamMock.on(GenerateServiceLastAccessedDetailsCommand, { Arn: ROLE_ARN }).rejects(denied(ROLE_ARN));
    iamMock
      .on(GenerateServiceLastAccessedDetailsCommand, { Arn: USER_ARN })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $retryable: {} }));
    for (const width of [80, undefined]) {
      const { ctx, stdout, stderr } = context();
      if (width !== undefined) ctx.tableWidth = width;
      const code = await runCli(['permissions', '--as-of', AS_OF], ctx);
      assert.equal(code, 3, stderr());
      // standard error: one line for the account, whatever the number of principals that failed
      const lines = stderr().trimEnd().split('\n');
      assert.equal(lines.length, 1, stderr());
      assert.match(
        lines[0]!,
        new RegExp(
          `^credsweep: account 123456789012: (AccessDenied|Throttling): 2 of 2 principals not evaluated \\(1 AccessDenied, 1 Throttling\\); ${ROLE_ARN}: AccessDenied: User: .* is not authorized to perform: iam:GenerateServiceLastAccessedDetails on resource: ${ROLE_ARN}\\\\u001b\\[2J$`,
        ),
      );
      // the table: the account's failure once, not one principal's error after another
      const out = stdout();
      assert.equal(out.match(/FAILED/g)?.length, 1, out);
      assert.equal(out.match(/not authorized/g)?.length, 1, out);
      assert.doesNotMatch(out, /\u001b/);
      assert.match(out, /^0 permissions of 0 principals \(threshold 90 days, as of 2018-12-01\)$/m);
      if (width !== undefined)
        assert.ok(
          out.split('\n').every((l) => l.length <= width),
          out,
        );
    }
  });

  it('a malformed --principal is a usage error (exit 2, one line, no AWS call)', async () => {
    const { ctx, stderr } = context();
    const code = await runCli(['permissions', '--principal', 'arn:aws:iam::123456789012:group/admins'], ctx);
    assert.equal(code, 2);
    assert.match(
      stderr(),
      /^credsweep: --principal: 'arn:aws:iam::123456789012:group\/admins' is not an IAM user or role ARN/,
    );
    assert.equal(stderr().trim().split('\n').length, 1);
    assert.equal(iamMock.calls().length, 0);
  });

  it('listing users and roles failing is an AWS failure (exit 3)', async () => {
    iamMock.on(ListUsersCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const { ctx, stderr } = context();
    const code = await runCli(['permissions', '--output', join(dir, 'x.json')], ctx);
    assert.equal(code, 3);
    assert.match(stderr(), /^credsweep: listing users and roles: denied/);
  });
});
