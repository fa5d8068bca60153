/**
 * `credsweep audit` live, as a user runs it (the built binary) against a real moto_server: a whole
 * Organization of 20 member accounts via --org, --accounts with --role-name/--external-id, and the
 * live flags' usage errors.
 *
 * How an account really fails through moto: moto does not evaluate trust policies for cross-account
 * AssumeRole (docs/aws-behaviour.md §7.5), but with IAM enforcement on (`moto.setIamEnforcement(true)`,
 * §7.3) it evaluates the *caller's* identity policies, with the role ARN as the resource. The
 * auditor's policy is the shipped policies/audit-policy.json plus one explicit Deny of
 * sts:AssumeRole on one member's role, so that member's AssumeRole is refused (AccessDenied) exactly
 * as an SCP or a trust policy would refuse it on AWS. Member roles get the same shipped policy
 * (moto's OrganizationAccountAccessRole has none), so the run also proves the policy is enough.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  DetachRolePolicyCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { AuditReport } from '../../src/model/finding.ts';
import { CLI, runCredsweep } from '../helpers/cli.ts';
import { inAccount, MOTO_DEFAULT_ACCOUNT, type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedUser } from '../helpers/seed-iam.ts';

const AUDIT_POLICY = readFileSync(new URL('../../policies/audit-policy.json', import.meta.url), 'utf8');
const ROLE = 'OrganizationAccountAccessRole';
const MANAGEMENT = MOTO_DEFAULT_ACCOUNT;

describe('credsweep audit --org / --accounts (moto, IAM enforcement on)', () => {
  let moto: MotoServer;
  let members: string[];
  let blocked: string;
  let env: NodeJS.ProcessEnv;
  let policyArnIn: (account: string) => string;

  before(async () => {
    moto = await startMoto();
    const organizations = new OrganizationsClient(moto.clientConfig());
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    members = [];
    for (let i = 0; i < 20; i++) {
      const { CreateAccountStatus } = await organizations.send(
        new CreateAccountCommand({ AccountName: `member-${i}`, Email: `member-${i}@example.com` }),
      );
      members.push(CreateAccountStatus!.AccountId!);
    }
    organizations.destroy();
    members.sort();
    blocked = members[7]!;

    policyArnIn = (account) => `arn:aws:iam::${account}:policy/CredsweepAudit`;
    for (const account of members) {
      const iam = inAccount(new IAMClient(moto.clientConfig()), account);
      await seedUser(moto, iam, { name: 'stale-key', createdDaysAgo: 200, keys: [{ createdDaysAgo: 200 }] });
      await seedUser(moto, iam, { name: 'newcomer', createdDaysAgo: 10 });
      await iam.send(new CreatePolicyCommand({ PolicyName: 'CredsweepAudit', PolicyDocument: AUDIT_POLICY }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: ROLE, PolicyArn: policyArnIn(account) }));
      iam.destroy();
    }

    const iam = new IAMClient(moto.clientConfig());
    await seedUser(moto, iam, { name: 'mgmt-admin', createdDaysAgo: 900, password: true });
    await iam.send(new CreateUserCommand({ UserName: 'auditor' }));
    await iam.send(
      new PutUserPolicyCommand({ UserName: 'auditor', PolicyName: 'audit', PolicyDocument: AUDIT_POLICY }),
    );
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'auditor',
        PolicyName: 'deny-one-member',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${blocked}:role/${ROLE}` },
          ],
        }),
      }),
    );
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'auditor' }));
    iam.destroy();
    env = {
      AWS_ACCESS_KEY_ID: AccessKey!.AccessKeyId!,
      AWS_SECRET_ACCESS_KEY: AccessKey!.SecretAccessKey!,
      AWS_REGION: 'us-east-1',
    };
    await moto.setIamEnforcement(true);
  });
  after(() => moto.stop());

  for (const source of ['report', 'api'] as const) {
    it(`--org --source ${source}: 20 members + the management account; the unassumable member fails, exit 3`, async () => {
      const run = await runCredsweep(
        ['audit', '--org', '--source', source, '--endpoint-url', moto.endpoint, '--format', 'json'],
        { env },
      );
      assert.equal(run.code, 3, run.stderr);
      const report = JSON.parse(run.stdout) as AuditReport;
      assert.equal(report.accounts.length, 21);
      const failed = report.accounts.filter((a) => a.status === 'failed');
      assert.deepEqual(
        failed.map((a) => a.accountId),
        [blocked],
      );
      assert.equal(failed[0]!.error?.code, 'AccessDenied');
      assert.match(failed[0]!.error!.message, /^AssumeRole: /);
      assert.match(run.stderr, new RegExp(`credsweep: account ${blocked}: AccessDenied: AssumeRole: `));
      assert.doesNotMatch(run.stderr, /accounts .*done/, 'no progress bar when stderr is not a terminal');

      const ok = new Set(report.accounts.filter((a) => a.status === 'ok').map((a) => a.accountId));
      assert.equal(ok.size, 20);
      assert.ok(ok.has(MANAGEMENT), 'the caller audits its own account without AssumeRole');
      for (const member of members.filter((m) => m !== blocked)) {
        const stale = report.findings.find((f) => f.accountId === member && f.principalName === 'stale-key');
        assert.equal(stale?.status, 'unused', member);
        assert.equal(stale?.ageDays, 200);
        const role = report.findings.find((f) => f.accountId === member && f.principalName === ROLE);
        assert.equal(role?.credential, 'role');
      }
      assert.equal(report.findings.filter((f) => f.accountId === blocked).length, 0);
      const mgmt = report.findings.find(
        (f) => f.accountId === MANAGEMENT && f.principalName === 'mgmt-admin',
      );
      assert.equal(mgmt?.credential, 'password');
      assert.equal(mgmt?.status, 'unused');
      assert.equal(report.summary.unused, report.findings.filter((f) => f.status === 'unused').length);
    });
  }

  it('--accounts with --role-name and --external-id; a role without the audit policy fails with AccessDenied', async () => {
    const [good, unprivileged] = members.filter((m) => m !== blocked);
    await moto.setIamEnforcement(false);
    const seeding = inAccount(new IAMClient(moto.clientConfig()), unprivileged!);
    await seeding.send(
      new DetachRolePolicyCommand({ RoleName: ROLE, PolicyArn: policyArnIn(unprivileged!) }),
    );
    seeding.destroy();
    await moto.setIamEnforcement(true);
    try {
      const run = await runCredsweep(
        [
          'audit',
          '--accounts',
          `${good},${unprivileged}`,
          '--role-name',
          ROLE,
          '--external-id',
          'ext-1234',
          '--concurrency',
          '1',
          '--endpoint-url',
          moto.endpoint,
          '--format',
          'json',
        ],
        { env },
      );
      assert.equal(run.code, 3, run.stderr);
      const report = JSON.parse(run.stdout) as AuditReport;
      assert.deepEqual(
        report.accounts.map((a) => [a.accountId, a.status, a.error?.code]),
        [
          [good, 'ok', undefined],
          [unprivileged, 'failed', 'AccessDenied'],
        ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
      assert.ok(report.findings.some((f) => f.accountId === good));
    } finally {
      await moto.setIamEnforcement(false);
      const restore = inAccount(new IAMClient(moto.clientConfig()), unprivileged!);
      await restore.send(
        new AttachRolePolicyCommand({ RoleName: ROLE, PolicyArn: policyArnIn(unprivileged!) }),
      );
      restore.destroy();
      await moto.setIamEnforcement(true);
    }
  });

  it('shows a progress bar of accounts done / failed when stderr is a terminal', async () => {
    // `script` runs the CLI on a real pseudo-terminal; the findings go to a file.
    const dir = mkdtempSync(join(tmpdir(), 'credsweep-tty-'));
    try {
      const out = join(dir, 'findings.json');
      const command = [
        process.execPath,
        CLI,
        'audit',
        '--org',
        '--endpoint-url',
        moto.endpoint,
        '--format',
        'json',
        '--output',
        out,
      ]
        .map((a) => `'${a}'`)
        .join(' ');
      const tty = spawnSync('script', ['-qec', command, '/dev/null'], {
        env: { ...process.env, ...env, NO_COLOR: '1', TERM: 'xterm' },
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(tty.status, 3, tty.stdout);
      assert.match(tty.stdout, /accounts .* 21\/21 done, 1 failed/);
      assert.equal((JSON.parse(readFileSync(out, 'utf8')) as AuditReport).accounts.length, 21);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a caller AWS does not know stops the run with exit 3 and one line', async () => {
    const run = await runCredsweep(['audit', '--org', '--endpoint-url', moto.endpoint], {
      env: { ...env, AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNUNKNOWN00', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) },
    });
    assert.equal(run.code, 3, run.stderr);
    assert.equal(run.stdout, '');
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('credsweep:'));
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /^credsweep: GetCallerIdentity failed: InvalidClientTokenId: /);
  });

  it('--profile reads credentials from the shared config files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'credsweep-profile-'));
    try {
      const credentials = join(dir, 'credentials');
      writeFileSync(
        credentials,
        `[auditor]\naws_access_key_id = ${env.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${env.AWS_SECRET_ACCESS_KEY}\n`,
      );
      const run = await runCredsweep(
        [
          'audit',
          '--profile',
          'auditor',
          '--region',
          'us-east-1',
          '--endpoint-url',
          moto.endpoint,
          '--format',
          'json',
        ],
        {
          env: {
            AWS_SHARED_CREDENTIALS_FILE: credentials,
            AWS_CONFIG_FILE: join(dir, 'config'),
            AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG0',
            AWS_SECRET_ACCESS_KEY: 'wrong',
          },
        },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.ok((JSON.parse(run.stdout) as AuditReport).findings.some((f) => f.principalName === 'auditor'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('AWS_ENDPOINT_URL is honoured like --endpoint-url', async () => {
    const run = await runCredsweep(['audit', '--format', 'json'], {
      env: { ...env, AWS_ENDPOINT_URL: moto.endpoint },
    });
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as AuditReport;
    assert.deepEqual(
      report.accounts.map((a) => a.accountId),
      [MANAGEMENT],
    );
  });
});

describe('credsweep audit live flags: usage errors exit 2 with one line', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['--report with a live flag', ['--report', 'x.csv', '--org'], /--org is for live audits/],
    [
      '--org with --accounts',
      ['--org', '--accounts', '111111111111'],
      /--org and --accounts cannot be combined/,
    ],
    ['a short account id', ['--accounts', '12345'], /12-digit account ids/],
    ['an unknown source', ['--source', 'cloudtrail'], /expected one of report, api/],
    ['an empty tag key', ['--exempt-tag', '=yes'], /KEY or KEY=VALUE/],
    ['a zero concurrency', ['--concurrency', '0'], /whole number from 1/],
    [
      'a non-http endpoint',
      ['--endpoint-url', 'ftp://example'],
      /--endpoint-url: 'ftp:\/\/example' is not an http\(s\) URL/,
    ],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const run = await runCredsweep(['audit', ...args], { env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
      assert.equal(run.code, 2, run.stderr);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, /^credsweep: /);
      assert.match(lines[0]!, message);
      assert.equal(run.stdout, '');
    });
  }
});
