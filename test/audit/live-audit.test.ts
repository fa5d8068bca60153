/**
 * Live audit of one account against a real moto_server: the credential-report path and the IAM
 * API path give the same findings; roles, service-linked roles, exempt tags, report staleness,
 * report polling and more than 100 users and roles. The report path's calls, key ids and new
 * credential kinds: report-path-calls.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  CreateServiceLinkedRoleCommand,
  CreateUserCommand,
  IAMClient,
  CreateRoleCommand,
} from '@aws-sdk/client-iam';
import {
  ACCOUNT_AUDIT_PERMISSIONS,
  type AccountAuditOptions,
  auditAccount,
  type LiveSource,
} from '../../src/audit/audit-account.ts';
import { AwsCallCounter, countCalls } from '../../src/aws/call-counter.ts';
import type { Finding } from '../../src/model/finding.ts';
import { DEFAULT_EXEMPTION } from '../../src/rules/index.ts';
import { fetchCredentialReport } from '../../src/sources/credential-report/fetch.ts';
import { MOTO_DEFAULT_ACCOUNT, type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedRole, seedUser } from '../helpers/seed-iam.ts';

const ACCOUNT = MOTO_DEFAULT_ACCOUNT;

function options(source: LiveSource, overrides: Partial<AccountAuditOptions> = {}): AccountAuditOptions {
  return {
    source,
    // moto stamps real dates; "now" for the audit is the test's real now.
    asOf: Date.now(),
    thresholdDays: 90,
    exemption: DEFAULT_EXEMPTION,
    principalConcurrency: 4,
    poll: { sleep: async () => {} },
    ...overrides,
  };
}

/** What both sources must agree on (the report lacks key ids and, in moto, services/Regions). */
function essence(f: Finding) {
  return {
    principal: `${f.principalType}:${f.principalName}`,
    credential: f.credential,
    status: f.status,
    lastActivitySource: f.lastActivitySource,
    neverUsed: f.neverUsed,
    ageDays: f.ageDays,
  };
}

function byKey(findings: Finding[]) {
  return new Map(findings.map((f) => [`${f.principalName}/${f.credential}`, f]));
}

describe('live audit of one account (moto)', () => {
  let moto: MotoServer;
  let iam: IAMClient;
  before(async () => {
    moto = await startMoto();
    iam = new IAMClient(moto.clientConfig());
  });
  after(async () => {
    iam.destroy();
    await moto.stop();
  });
  beforeEach(() => moto.reset());

  async function seedVariedAccount(): Promise<{ aliceKeys: string[] }> {
    const { keyIds: aliceKeys } = await seedUser(moto, iam, {
      name: 'alice',
      createdDaysAgo: 300,
      password: true,
      keys: [{ createdDaysAgo: 300, usedDaysAgo: 120 }, { createdDaysAgo: 200 }],
    });
    await seedUser(moto, iam, {
      name: 'bob',
      createdDaysAgo: 400,
      keys: [
        { createdDaysAgo: 400, inactive: true },
        { createdDaysAgo: 50, usedDaysAgo: 10 },
      ],
    });
    await seedUser(moto, iam, { name: 'carol', createdDaysAgo: 30 });
    await seedUser(moto, iam, { name: 'dave', createdDaysAgo: 200, password: true, certificate: true });
    await seedRole(moto, iam, { name: 'deployer', createdDaysAgo: 500, usedDaysAgo: 50 });
    await seedRole(moto, iam, { name: 'legacy', createdDaysAgo: 500 });
    await seedRole(moto, iam, { name: 'nightly', createdDaysAgo: 300, usedDaysAgo: 200 });
    await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'autoscaling.amazonaws.com' }));
    return { aliceKeys };
  }

  it('report and api give the same findings (kind, status, source, neverUsed, age)', async () => {
    await seedVariedAccount();
    const viaReport = await auditAccount(iam, ACCOUNT, options('report'));
    const viaApi = await auditAccount(iam, ACCOUNT, options('api'));

    const sort = (fs: Finding[]) =>
      fs
        .map(essence)
        .sort((a, b) => `${a.principal}/${a.credential}`.localeCompare(`${b.principal}/${b.credential}`));
    // moto's report has cert_N_last_rotated always N/A (docs/aws-behaviour.md §7.2), so the report path falls
    // back to the user's creation date where the API knows the upload date: compare certificates
    // without their date source. On AWS both carry the upload date.
    const withoutCertDates = (fs: ReturnType<typeof sort>) =>
      fs.map((f) => (f.credential.startsWith('cert_') ? { ...f, lastActivitySource: '-', ageDays: -1 } : f));
    assert.deepEqual(withoutCertDates(sort(viaApi.findings)), withoutCertDates(sort(viaReport.findings)));

    const f = byKey(viaApi.findings);
    assert.equal(f.get('alice/password')?.status, 'unused');
    assert.equal(f.get('alice/password')?.lastActivitySource, 'last_changed');
    assert.equal(f.get('alice/access_key_1')?.status, 'unused');
    assert.equal(f.get('alice/access_key_1')?.ageDays, 120);
    assert.equal(f.get('alice/access_key_2')?.neverUsed, true);
    assert.equal(f.get('alice/access_key_2')?.lastActivitySource, 'last_rotated');
    assert.equal(f.get('bob/access_key_1')?.status, 'inactive');
    assert.equal(f.get('bob/access_key_2')?.status, 'in_use');
    assert.equal(f.get('carol/none')?.status, 'no_credentials');
    assert.equal(f.get('dave/cert_1')?.status, 'unverified');
    assert.equal(f.get('deployer/role')?.status, 'in_use');
    assert.equal(f.get('deployer/role')?.ageDays, 50);
    assert.equal(f.get('legacy/role')?.status, 'unused');
    assert.equal(f.get('legacy/role')?.lastActivitySource, 'created');
    assert.deepEqual(f.get('legacy/role')?.caveats, ['role_tracking_400_days']);
    assert.equal(f.get('nightly/role')?.status, 'unused');
    assert.deepEqual(f.get('nightly/role')?.caveats, []);
    const serviceLinked = viaApi.findings.find((x) =>
      x.principalName.startsWith('AWSServiceRoleForAutoScaling'),
    );
    assert.equal(serviceLinked?.status, 'service_linked');
  });

  it('the api path knows key ids and where a key was last used', async () => {
    const { aliceKeys } = await seedVariedAccount();
    const { findings } = await auditAccount(iam, ACCOUNT, options('api'));
    const key1 = byKey(findings).get('alice/access_key_1');
    assert.equal(key1?.accessKeyId, aliceKeys[0]);
    assert.equal(key1?.lastUsedService, 'sts'); // moto records its backend name (§7.1)
    assert.equal(key1?.lastUsedRegion, 'us-east-1');
    const key2 = byKey(findings).get('alice/access_key_2');
    assert.equal(key2?.accessKeyId, aliceKeys[1]);
    assert.equal(key2?.lastUsedService, null); // GetAccessKeyLastUsed says N/A
  });

  it('the report path reports GeneratedTime and marks a report older than 4 hours report_stale', async () => {
    await seedUser(moto, iam, { name: 'alice', createdDaysAgo: 10, keys: [{ createdDaysAgo: 10 }] });
    const { findings, result } = await auditAccount(iam, ACCOUNT, options('report'));
    // moto's GeneratedTime is fixed at 2015-02-02T20:02:02Z (§7.2): always stale at a real asOf.
    assert.equal(result.reportGeneratedAt, '2015-02-02T20:02:02Z');
    assert.ok(findings.every((x) => x.principalType !== 'user' || x.caveats.includes('report_stale')));
    const fresh = await auditAccount(
      iam,
      ACCOUNT,
      options('report', { asOf: Date.UTC(2015, 1, 2, 23, 0, 0) }),
    );
    assert.ok(fresh.findings.every((x) => !x.caveats.includes('report_stale')));
  });

  it('tagged users and roles are exempt on both sources; the tag key is configurable', async () => {
    await seedUser(moto, iam, {
      name: 'break-glass',
      createdDaysAgo: 300,
      password: true,
      keys: [{ createdDaysAgo: 300 }],
      tags: { 'credsweep:exempt': 'true' },
    });
    await seedUser(moto, iam, {
      name: 'not-exempt',
      createdDaysAgo: 300,
      keys: [{ createdDaysAgo: 300 }],
      tags: { 'credsweep:exempt': 'no' },
    });
    await seedRole(moto, iam, { name: 'dr-role', createdDaysAgo: 300, tags: { 'credsweep:exempt': 'TRUE' } });
    await seedRole(moto, iam, { name: 'team-role', createdDaysAgo: 300, tags: { owner: 'team-a' } });
    for (const source of ['report', 'api'] as const) {
      const f = byKey((await auditAccount(iam, ACCOUNT, options(source))).findings);
      assert.equal(f.get('break-glass/password')?.status, 'exempt', source);
      assert.equal(f.get('break-glass/access_key_1')?.status, 'exempt', source);
      assert.match(f.get('break-glass/access_key_1')!.reason, /exempt by tag credsweep:exempt=true/);
      assert.equal(f.get('break-glass/access_key_1')?.ageDays, 300, 'the rest stays as computed');
      assert.equal(f.get('not-exempt/access_key_1')?.status, 'unused', source);
      assert.equal(f.get('dr-role/role')?.status, 'exempt', source);
      assert.equal(f.get('team-role/role')?.status, 'unused', source);

      const custom = byKey(
        (
          await auditAccount(
            iam,
            ACCOUNT,
            options(source, { exemption: { tagKey: 'owner', tagValue: 'team-a' } }),
          )
        ).findings,
      );
      assert.equal(custom.get('team-role/role')?.status, 'exempt', source);
      assert.equal(custom.get('break-glass/access_key_1')?.status, 'unused', source);
    }
  });

  it('collects more than 100 users and roles (past one page of 100)', async () => {
    for (let i = 0; i < 120; i++) {
      const n = String(i).padStart(3, '0');
      await iam.send(new CreateUserCommand({ UserName: `user-${n}` }));
      await iam.send(new CreateRoleCommand({ RoleName: `role-${n}`, AssumeRolePolicyDocument: '{}' }));
    }
    for (const source of ['report', 'api'] as const) {
      const { findings } = await auditAccount(iam, ACCOUNT, options(source));
      assert.equal(findings.filter((x) => x.credential === 'none').length, 120, source);
      assert.equal(findings.filter((x) => x.credential === 'role').length, 120, source);
      assert.equal(new Set(findings.map((x) => x.arn)).size, 240, source);
    }
  });

  it('the api path makes the calls it declares, and no more', async () => {
    await seedUser(moto, iam, {
      name: 'a',
      createdDaysAgo: 5,
      keys: [{ createdDaysAgo: 5 }, { createdDaysAgo: 4 }],
    });
    await seedUser(moto, iam, { name: 'b', createdDaysAgo: 5 });
    const counter = new AwsCallCounter();
    const counted = countCalls(new IAMClient(moto.clientConfig()), counter);
    await auditAccount(counted, ACCOUNT, options('api'));
    counted.destroy();
    assert.deepEqual(Object.fromEntries([...counter.byOperation].sort()), {
      'IAM:GetAccessKeyLastUsed': 2,
      'IAM:GetAccountAuthorizationDetails': 1,
      'IAM:GetLoginProfile': 2,
      'IAM:ListAccessKeys': 2,
      'IAM:ListSSHPublicKeys': 2,
      'IAM:ListServiceSpecificCredentials': 1,
      'IAM:ListSigningCertificates': 2,
      'IAM:ListUsers': 1,
      'IAM:ListVirtualMFADevices': 1,
    });
    for (const operation of counter.byOperation.keys()) {
      const action = operation.replace(/^IAM:/, 'iam:');
      assert.ok(ACCOUNT_AUDIT_PERMISSIONS.api.includes(action), `${action} is declared`);
    }
  });
});

describe('fetchCredentialReport (moto)', () => {
  let moto: MotoServer;
  before(async () => {
    moto = await startMoto();
  });
  after(() => moto.stop());

  it('polls with backoff until the report is COMPLETE, then reads it', async () => {
    const iam = new IAMClient(moto.clientConfig());
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
    };
    // moto answers STARTED to the first Generate and COMPLETE afterwards (§7.2).
    const first = await fetchCredentialReport(iam, { sleep, initialDelayMs: 500 });
    assert.deepEqual(sleeps, [500]);
    assert.match(new TextDecoder().decode(first.content), /^user,arn,/);
    assert.match(new TextDecoder().decode(first.content), /alice/);
    await fetchCredentialReport(iam, { sleep, initialDelayMs: 500 });
    assert.deepEqual(sleeps, [500], 'no wait once a report exists');
    iam.destroy();
  });
});
