/**
 * The credential-report path (the default of `audit` and live `plan`, and the Lambda's) against a real
 * moto_server: it sees every credential kind the IAM API path sees, and it makes exactly the calls
 * docs/scaling.md's model predicts, counted by the call-counting middleware (src/aws/call-counter.ts):
 *
 *   per account = GenerateCredentialReport until COMPLETE (moto: 2 on a fresh account, 1 once a report
 *                 exists) + GetCredentialReport + GetAccountAuthorizationDetails (1 page per 100)
 *               + ListServiceSpecificCredentials AllUsers (1) + ListVirtualMFADevices Unassigned (1)
 *               + ListSSHPublicKeys per user (unless sshPublicKeys: false)
 *               + ListAccessKeys per user with an inactive, unused or soon-unused key
 *
 * moto has no ListServiceSpecificCredentials; test/helpers/moto_clock_server.py answers it with an
 * empty list (what AWS answers for an account without any); the credentials themselves on this path
 * are covered by complete-report-users.test.ts with aws-sdk-client-mock.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { IAMClient, paginateListAccessKeys } from '@aws-sdk/client-iam';
import {
  ACCOUNT_AUDIT_PERMISSIONS,
  type AccountAuditOptions,
  auditAccount,
  type LiveSource,
} from '../../src/audit/audit-account.ts';
import { auditAccounts, resolveAccountTargets } from '../../src/audit/audit-accounts.ts';
import { principalsByAccount } from '../../src/audit/audit-credential-report.ts';
import { assembleAudit, runAudit } from '../../src/audit/run-audit.ts';
import { resolveSettings } from '../../src/audit/settings.ts';
import { AwsCallCounter, countCalls } from '../../src/aws/call-counter.ts';
import { type AwsClients, createClients, destroyClients } from '../../src/aws/clients.ts';
import { configSchema } from '../../src/config/schema.ts';
import type { Finding } from '../../src/model/finding.ts';
import { DEFAULT_EXEMPTION } from '../../src/rules/index.ts';
import { fetchCredentialReport } from '../../src/sources/credential-report/fetch.ts';
import { MOTO_DEFAULT_ACCOUNT, MOTO_TEST_CREDENTIALS, type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedCredentialKinds } from '../helpers/seed-credential-kinds.ts';
import { seedUser } from '../helpers/seed-iam.ts';
import { seedOrg } from '../helpers/seed-org.ts';

const ACCOUNT = MOTO_DEFAULT_ACCOUNT;
const KEY_IDS = () => ({ evaluation: { asOf: Date.now(), thresholdDays: 90 }, windowDays: 7 });

function options(source: LiveSource, overrides: Partial<AccountAuditOptions> = {}): AccountAuditOptions {
  return {
    source,
    asOf: Date.now(), // moto stamps real dates
    thresholdDays: 90,
    exemption: DEFAULT_EXEMPTION,
    principalConcurrency: 4,
    poll: { sleep: async () => {} },
    ...overrides,
  };
}

/** The model of docs/scaling.md, per account. */
function predictedCalls(account: {
  generates: number;
  users: number;
  usersNeedingIds: number;
  sshPublicKeys: boolean;
  /** Slots whose listed key was not created in the report's second (GetAccessKeyLastUsed decides). */
  rotated?: number;
}): Record<string, number> {
  const calls: Record<string, number> = {
    'IAM:GenerateCredentialReport': account.generates,
    'IAM:GetAccountAuthorizationDetails': 1,
    'IAM:GetCredentialReport': 1,
    'IAM:ListServiceSpecificCredentials': 1,
    'IAM:ListVirtualMFADevices': 1,
  };
  if (account.usersNeedingIds > 0) calls['IAM:ListAccessKeys'] = account.usersNeedingIds;
  if (account.rotated) calls['IAM:GetAccessKeyLastUsed'] = account.rotated;
  if (account.sshPublicKeys && account.users > 0) calls['IAM:ListSSHPublicKeys'] = account.users;
  return calls;
}

/**
 * The model's "+1 GetAccessKeyLastUsed per slot whose key was rotated since the report", counted from
 * moto's own answers (uncounted calls): a slot whose report date is not its listed key's CreateDate to
 * the second. On AWS creation dates follow creation order; moto's shifted clock (an offset file it
 * re-reads on change) can, on a loaded machine, stamp a key out of order, which this term absorbs.
 */
async function slotsRotatedSinceReport(iam: IAMClient, users: readonly string[]): Promise<number> {
  const report = await fetchCredentialReport(iam, { sleep: async () => {} });
  let rotated = 0;
  const source = Readable.from([Buffer.from(report.content)]);
  for await (const group of principalsByAccount(source, 'moto credential report')) {
    for (const principal of group.filter((p) => users.includes(p.name))) {
      const listed = [];
      for await (const page of paginateListAccessKeys({ client: iam }, { UserName: principal.name }))
        listed.push(...(page.AccessKeyMetadata ?? []));
      listed.sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0));
      for (const key of principal.accessKeys) {
        const created = listed[key.slot - 1]?.CreateDate?.getTime();
        if (created === undefined) continue;
        if (key.lastRotated === null || Math.floor(created / 1000) !== Math.floor(key.lastRotated / 1000))
          rotated += 1;
      }
    }
  }
  return rotated;
}

const sorted = (counter: AwsCallCounter) => Object.fromEntries([...counter.byOperation].sort());

/** What both paths must agree on (the report path carries fewer key ids). */
function essence(f: Finding) {
  return {
    principal: `${f.principalType}:${f.principalName}`,
    credential: f.credential,
    credentialId: f.sshPublicKeyId ?? f.serviceSpecificCredentialId ?? null,
    status: f.status,
    lastActivitySource: f.lastActivitySource,
    neverUsed: f.neverUsed,
    ageDays: f.ageDays,
  };
}
const essences = (fs: Finding[]) =>
  fs
    .map(essence)
    // moto's report has no certificate dates (docs/aws-behaviour.md §7.2): compare certificates without them
    .map((f) => (f.credential.startsWith('cert_') ? { ...f, lastActivitySource: '-', ageDays: -1 } : f))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('the credential-report path: every credential kind, the calls the model predicts (moto)', () => {
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

  async function seedKeyUsers(): Promise<void> {
    await seedUser(moto, iam, {
      name: 'alice', // an unused key and a never-used one: ids wanted
      createdDaysAgo: 300,
      password: true,
      keys: [{ createdDaysAgo: 300, usedDaysAgo: 120 }, { createdDaysAgo: 200 }],
    });
    await seedUser(moto, iam, {
      name: 'bob', // an inactive key: ids wanted
      createdDaysAgo: 400,
      keys: [
        { createdDaysAgo: 400, inactive: true },
        { createdDaysAgo: 50, usedDaysAgo: 10 },
      ],
    });
    await seedUser(moto, iam, { name: 'carol', createdDaysAgo: 30 });
    await seedUser(moto, iam, {
      name: 'erin',
      createdDaysAgo: 100,
      keys: [{ createdDaysAgo: 100, usedDaysAgo: 5 }],
    });
    // 85 days: within 7 days of 90, so its owner is about to be warned: id wanted
    await seedUser(moto, iam, {
      name: 'frank',
      createdDaysAgo: 100,
      keys: [{ createdDaysAgo: 100, usedDaysAgo: 85 }],
    });
  }

  async function countedAudit(overrides: Partial<AccountAuditOptions>) {
    const counter = new AwsCallCounter();
    const counted = countCalls(new IAMClient(moto.clientConfig()), counter);
    try {
      return { audit: await auditAccount(counted, ACCOUNT, options('report', overrides)), counter };
    } finally {
      counted.destroy();
    }
  }

  it('one account: 4 + 2 account-wide listings + 1 per user (SSH keys) + 1 per user whose key needs an id', async () => {
    await seedKeyUsers();
    await seedCredentialKinds(moto, iam); // dev (3 SSH keys), ops (an assigned MFA device), one unassigned
    const { audit, counter } = await countedAudit({ keyIds: KEY_IDS() });
    // 7 users: alice bob carol erin frank dev ops; ids for alice, bob, frank
    const rotated = await slotsRotatedSinceReport(iam, ['alice', 'bob', 'frank']); // 0 unless moto's clock slipped
    assert.deepEqual(
      sorted(counter),
      predictedCalls({ generates: 2, users: 7, usersNeedingIds: 3, sshPublicKeys: true, rotated }),
    );
    assert.equal(counter.total, 4 + 2 + 7 + 3 + rotated);
    for (const operation of counter.byOperation.keys()) {
      assert.ok(
        ACCOUNT_AUDIT_PERMISSIONS.report.includes(operation.replace(/^IAM:/, 'iam:')),
        `${operation} declared`,
      );
    }
    assert.equal(audit.result.notListed, undefined, 'nothing left out');

    // The same findings as the API path, SSH keys and the unassigned MFA device included; the key ids it
    // gives are the API's, and only where they matter.
    const viaApi = await auditAccount(iam, ACCOUNT, options('api'));
    assert.deepEqual(essences(audit.findings), essences(viaApi.findings));
    const kinds = new Set(audit.findings.map((f) => f.credential));
    for (const kind of ['ssh_public_key', 'mfa_device'] as const) assert.ok(kinds.has(kind), kind);
    const api = new Map(viaApi.findings.map((f) => [`${f.principalName}/${f.credential}`, f.accessKeyId]));
    const withId = audit.findings.filter((f) => f.accessKeyId !== undefined);
    assert.deepEqual(withId.map((f) => `${f.principalName}/${f.credential}`).sort(), [
      'alice/access_key_1',
      'alice/access_key_2',
      'bob/access_key_1',
      'bob/access_key_2',
      'frank/access_key_1',
    ]);
    for (const f of withId) assert.equal(f.accessKeyId, api.get(`${f.principalName}/${f.credential}`));
  });

  it('sshPublicKeys: false drops the per-user listing, and the account says SSH keys were not listed', async () => {
    await seedKeyUsers();
    await seedCredentialKinds(moto, iam);
    const { audit, counter } = await countedAudit({ keyIds: KEY_IDS(), sshPublicKeys: false });
    const rotated = await slotsRotatedSinceReport(iam, ['alice', 'bob', 'frank']);
    assert.deepEqual(
      sorted(counter),
      predictedCalls({ generates: 2, users: 7, usersNeedingIds: 3, sshPublicKeys: false, rotated }),
    );
    assert.deepEqual(audit.result.notListed, ['ssh_public_key']);
    assert.equal(audit.findings.filter((f) => f.credential === 'ssh_public_key').length, 0);
    assert.equal(
      audit.findings.filter((f) => f.credential === 'mfa_device').length,
      1,
      'MFA devices still listed',
    );
  });

  it('an organisation: every member account makes exactly the calls the model predicts', async () => {
    // 6 users an account: i % 4 = 2 has an inactive second key (ids wanted), the others new active keys
    // or a password; reports generated while seeding (AWS keeps one 4 hours), so 1 Generate each.
    const org = await seedOrg(moto.clientConfig(), { members: 3, usersPerAccount: 6, generateReports: true });
    const connection = {
      endpointUrl: moto.endpoint,
      region: 'us-east-1',
      credentials: { ...MOTO_TEST_CREDENTIALS },
    };
    const clients = createClients(connection);
    const counters = new Map<string, AwsCallCounter>();
    try {
      const { targets } = await resolveAccountTargets(clients, { org: true });
      const result = await auditAccounts(connection, clients, targets, {
        ...options('report', { keyIds: KEY_IDS() }),
        concurrency: 2,
        roleName: 'OrganizationAccountAccessRole',
        counterFor: (accountId) => {
          const counter = new AwsCallCounter();
          counters.set(accountId, counter);
          return counter;
        },
      });
      assert.ok(
        result.accounts.every((a) => a.status === 'ok'),
        JSON.stringify(result.accounts),
      );
      assert.deepEqual([...counters.keys()].sort(), [...org.memberAccountIds].sort());
      const usersNeedingIds = [0, 1, 2, 3, 4, 5].filter((i) => i % 4 === 2).length;
      for (const [accountId, counter] of counters) {
        assert.deepEqual(
          sorted(counter),
          predictedCalls({ generates: 1, users: 6, usersNeedingIds, sshPublicKeys: true }),
          accountId,
        );
        assert.equal(counter.total, 3 + 2 + 6 + usersNeedingIds, accountId);
      }
    } finally {
      destroyClients(clients);
    }
  });

  it('the key-id window follows notifications.ownerWarningDays (runAudit, as the Lambda and plan run it)', async () => {
    // 70 days unused at a 90-day threshold: outside a 7-day warning window, inside a 30-day one.
    await seedUser(moto, iam, {
      name: 'gina',
      createdDaysAgo: 100,
      keys: [{ createdDaysAgo: 100, usedDaysAgo: 70 }],
    });
    const connection = {
      endpointUrl: moto.endpoint,
      region: 'us-east-1',
      credentials: { ...MOTO_TEST_CREDENTIALS },
    };
    const idOf = async (config: object): Promise<{ id: string | undefined; listAccessKeys: number }> => {
      const clients: AwsClients = createClients(connection);
      const counter = new AwsCallCounter();
      countCalls(clients.iam, counter);
      try {
        const settings = resolveSettings(
          {},
          {},
          { file: 'CREDSWEEP_CONFIG', config: configSchema.parse(config) },
          { now: Date.now() },
        );
        const report = await assembleAudit(
          await runAudit({ ...settings, connection }, { clients, sleep: async () => {} }),
        );
        const key = report.findings.find(
          (f) => f.principalName === 'gina' && f.credential === 'access_key_1',
        );
        assert.equal(key?.status, 'in_use');
        return { id: key?.accessKeyId, listAccessKeys: counter.byOperation.get('IAM:ListAccessKeys') ?? 0 };
      } finally {
        destroyClients(clients);
      }
    };
    assert.deepEqual(await idOf({}), { id: undefined, listAccessKeys: 0 }, 'default window: 7 days');
    const wide = await idOf({ notifications: { ownerWarningDays: 30 } });
    assert.match(wide.id ?? '', /^AKIA/);
    assert.equal(wide.listAccessKeys, 1);
  });
});
