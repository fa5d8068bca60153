/**
 * `credsweep permissions --org / --accounts`: the Access Advisor audit in every account of an
 * Organization. STS (GetCallerIdentity, AssumeRole) and Organizations are a real moto_server; IAM is
 * aws-sdk-client-mock because moto 5.2.1 has no Access Advisor (docs/aws-behaviour.md §7.3). The IAM mock
 * tells the accounts apart the way AWS does: by the credentials the client signs with (it asks moto's
 * GetCallerIdentity whose they are), so a user listed in an account carries that account's ARN.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  GenerateServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsCommand,
  IAMClient,
  ListRolesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from '../../src/cli/program.ts';
import { auditReportSchema } from '../../src/model/finding.ts';
import { capturingContext } from '../helpers/cli.ts';
import { MOTO_DEFAULT_ACCOUNT, type MotoServer, startMoto } from '../helpers/moto.ts';
import { GENERATE_EXAMPLE, GET_EXAMPLE } from '../sources/access-advisor/api-examples.ts';

const iamMock = mockClient(IAMClient);

const context = () => capturingContext(Date.UTC(2018, 11, 1));

describe('credsweep permissions across accounts', () => {
  let moto: MotoServer;
  let dir: string;
  let members: string[];
  const saved = { ...process.env };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credsweep-permissions-org-'));
    moto = await startMoto();
    // The CLI uses the SDK's default credential chain; moto accepts any key.
    process.env.AWS_ACCESS_KEY_ID = 'testing';
    process.env.AWS_SECRET_ACCESS_KEY = 'testing';
    process.env.AWS_REGION = 'us-east-1';
    const org = new OrganizationsClient(moto.clientConfig());
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    members = [];
    for (const i of [0, 1]) {
      const created = await org.send(
        new CreateAccountCommand({ AccountName: `member-${i}`, Email: `member-${i}@example.com` }),
      );
      members.push(created.CreateAccountStatus!.AccountId!);
    }
    org.destroy();
  });
  after(async () => {
    process.env = saved;
    await moto.stop();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => iamMock.reset());

  /** The account whose credentials signed the IAM client's call, as moto's STS says. */
  async function accountOf(client: IAMClient): Promise<string> {
    const credentials = await client.config.credentials();
    const sts = new STSClient({ ...moto.clientConfig(), credentials });
    try {
      return (await sts.send(new GetCallerIdentityCommand({}))).Account!;
    } finally {
      sts.destroy();
    }
  }

  /** `credsweep permissions …` against moto, as of 2018-12-01, JSON to `out`. */
  const runPermissions = (args: string[], out: string, ctx = context().ctx) =>
    runCli(
      [
        'permissions',
        ...args,
        '--endpoint-url',
        moto.endpoint,
        '--as-of',
        '2018-12-01',
        '--format',
        'json',
        '--output',
        out,
      ],
      ctx,
    );

  /** Every account has one user; `denied` refuses Access Advisor jobs. */
  function mockAccounts(denied: string | undefined) {
    iamMock.on(ListUsersCommand).callsFake(async (_input, getClient) => {
      const account = await accountOf(getClient() as IAMClient);
      return {
        Users: [
          {
            UserName: 'dev',
            Arn: `arn:aws:iam::${account}:user/dev`,
            UserId: `AIDA${account}`,
            Path: '/',
            CreateDate: new Date('2018-01-01T00:00:00Z'),
          },
        ],
        IsTruncated: false,
      };
    });
    iamMock.on(ListRolesCommand).resolves({ Roles: [], IsTruncated: false });
    iamMock.on(GenerateServiceLastAccessedDetailsCommand).callsFake(async (input: { Arn: string }) => {
      if (denied !== undefined && input.Arn.includes(`::${denied}:`)) {
        throw Object.assign(new Error('not authorized to perform: iam:GenerateServiceLastAccessedDetails'), {
          name: 'AccessDenied',
          $metadata: { httpStatusCode: 403 },
          $fault: 'client',
        });
      }
      return GENERATE_EXAMPLE;
    });
    iamMock.on(GetServiceLastAccessedDetailsCommand).resolves(GET_EXAMPLE);
  }

  it('--org audits every account through AssumeRole; one refusing account fails alone (exit 3)', async () => {
    mockAccounts(members[1]);
    const { ctx, stderr } = context();
    const out = join(dir, 'org.json');
    const code = await runPermissions(['--org'], out, ctx);
    assert.equal(code, 3, stderr());
    const report = auditReportSchema.parse(JSON.parse(await readFile(out, 'utf8')));
    const byAccount = Object.fromEntries(report.accounts.map((a) => [a.accountId, a.status]));
    assert.deepEqual(byAccount, {
      [MOTO_DEFAULT_ACCOUNT]: 'ok',
      [members[0]!]: 'ok',
      [members[1]!]: 'failed',
    });
    assert.deepEqual(
      report.findings.map((f) => [f.arn, f.service, f.status]).sort(),
      [MOTO_DEFAULT_ACCOUNT, members[0]!]
        .flatMap((a) => [
          [`arn:aws:iam::${a}:user/dev`, 'iam', 'in_use'],
          [`arn:aws:iam::${a}:user/dev`, 's3', 'unused'],
        ])
        .sort(),
    );
    // one line for the failed account, with its AWS error code, not one per principal
    assert.deepEqual(
      stderr()
        .split('\n')
        .filter((l) => l.startsWith('credsweep: account')),
      [
        `credsweep: account ${members[1]}: AccessDenied: arn:aws:iam::${members[1]}:user/dev: not authorized to perform: iam:GenerateServiceLastAccessedDetails`,
      ],
    );
  });

  it('--accounts audits the accounts named (the caller’s own among them)', async () => {
    mockAccounts(undefined);
    const out = join(dir, 'accounts.json');
    const code = await runPermissions(['--accounts', `${members[0]},${MOTO_DEFAULT_ACCOUNT}`], out);
    assert.equal(code, 0);
    const report = auditReportSchema.parse(JSON.parse(await readFile(out, 'utf8')));
    assert.deepEqual(
      report.accounts.map((a) => [a.accountId, a.status]).sort(),
      [
        [members[0]!, 'ok'],
        [MOTO_DEFAULT_ACCOUNT, 'ok'],
      ].sort(),
    );
    assert.equal(report.summary.unused, 2);
  });

  it('usage errors: --org with --accounts, --principal with either', async () => {
    for (const argv of [
      ['--org', '--accounts', '111111111111'],
      ['--org', '--principal', 'arn:aws:iam::123456789012:user/dev'],
      ['--accounts', '111111111111', '--principal', 'arn:aws:iam::123456789012:user/dev'],
    ]) {
      const { ctx, stderr } = context();
      assert.equal(await runCli(['permissions', ...argv], ctx), 2, argv.join(' '));
      assert.match(stderr(), /^credsweep: .*(--org and --accounts|--principal)/);
    }
  });
});
