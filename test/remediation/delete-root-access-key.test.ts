/**
 * Root access keys of member accounts, deleted in an sts:AssumeRoot session. moto 5.2.1 has no
 * AssumeRoot (nor iam:ListOrganizationsFeatures), so this file uses aws-sdk-client-mock for STS and
 * IAM; everything else about remediation is tested against moto_server (test/e2e/remediation.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  type IAMClient,
  IAMClient as IAMClientClass,
  ListAccessKeysCommand,
  ListOrganizationsFeaturesCommand,
} from '@aws-sdk/client-iam';
import { AssumeRootCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { Finding } from '../../src/model/finding.ts';
import { ROOT_TASK_POLICY_ARN } from '../../src/remediation/actions/delete-root-access-key.ts';
import { applyPlan } from '../../src/remediation/apply.ts';
import { remediationClients } from '../../src/remediation/clients.ts';
import { JournalWriter, readJournal } from '../../src/remediation/journal.ts';
import { exemptionCheck } from '../../src/remediation/exemptions.ts';
import { assembleRemediationPlan } from '../../src/remediation/plan.ts';
import { resolveCredentialIds } from '../../src/remediation/resolve-credentials.ts';

const MANAGEMENT = '111111111111';
const MEMBER = '222222222222';
const ROOT_SESSION_KEY = 'ASIAROOTSESSION00001';
const dir = mkdtempSync(join(tmpdir(), 'credsweep-root-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const iamMock = mockClient(IAMClientClass);
const stsMock = mockClient(STSClient);
afterEach(() => {
  iamMock.reset();
  stsMock.reset();
});

const rootFinding: Finding = {
  accountId: MEMBER,
  principalType: 'root',
  principalName: '<root_account>',
  arn: `arn:aws:iam::${MEMBER}:root`,
  credential: 'access_key_1',
  status: 'unused',
  lastUsed: '2025-01-01T00:00:00Z',
  lastActivity: '2025-01-01T00:00:00Z',
  lastActivitySource: 'last_used',
  ageDays: 600,
  neverUsed: false,
  caveats: [],
  reason: 'access key 1 last used 600 days ago (threshold 90)',
};

const caller = { accountId: MANAGEMENT, arn: `arn:aws:iam::${MANAGEMENT}:user/ops`, accessKeyId: 'AKIAOPS' };

function clients() {
  const sts = new STSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAOPS', secretAccessKey: 'x' },
  });
  return remediationClients({
    connection: { region: 'us-east-1', credentials: { accessKeyId: 'AKIAOPS', secretAccessKey: 'x' } },
    sts,
    callerAccountId: MANAGEMENT,
  });
}

async function signingKey(client: unknown): Promise<string> {
  return (await (client as IAMClient).config.credentials()).accessKeyId;
}

function mockRootSession(keys: { AccessKeyId: string; Status: 'Active' | 'Inactive'; CreateDate: Date }[]) {
  stsMock.on(AssumeRootCommand).resolves({
    Credentials: {
      AccessKeyId: ROOT_SESSION_KEY,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date('2030-01-01T00:00:00Z'),
    },
  });
  iamMock.on(ListOrganizationsFeaturesCommand).resolves({
    OrganizationId: 'o-example',
    EnabledFeatures: ['RootCredentialsManagement', 'RootSessions'],
  });
  iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: keys, IsTruncated: false });
  iamMock.on(GetAccessKeyLastUsedCommand).resolves({
    AccessKeyLastUsed: {
      LastUsedDate: new Date('2025-01-01T00:00:00Z'),
      ServiceName: 's3',
      Region: 'us-east-1',
    },
  });
  iamMock.on(DeleteAccessKeyCommand).resolves({});
}

describe('delete-root-access-key (sts:AssumeRoot, mocked: moto lacks it)', () => {
  it('plan resolves the root key id in an AssumeRoot session scoped to deleting root credentials', async () => {
    mockRootSession([
      { AccessKeyId: 'AKIAROOTKEY2', Status: 'Active', CreateDate: new Date('2024-06-01T00:00:00Z') },
      { AccessKeyId: 'AKIAROOTKEY1', Status: 'Active', CreateDate: new Date('2020-01-01T00:00:00Z') },
    ]);
    const c = clients();
    const resolved = await resolveCredentialIds([rootFinding], c, {
      includeRoot: true,
      caller,
      callerIam: await c.iam(MANAGEMENT),
    });
    assert.deepEqual(resolved.failures, []);
    assert.equal(resolved.findings[0]?.accessKeyId, 'AKIAROOTKEY1', 'slot 1 = the older key');
    assert.deepEqual([...resolved.rootAccessAccounts], [MEMBER]);
    const assumeRoot = stsMock.commandCalls(AssumeRootCommand);
    assert.equal(assumeRoot.length, 1);
    assert.deepEqual(assumeRoot[0]!.args[0].input, {
      TargetPrincipal: MEMBER,
      TaskPolicyArn: { arn: ROOT_TASK_POLICY_ARN },
      DurationSeconds: 900,
    });
    const list = iamMock.commandCalls(ListAccessKeysCommand)[0]!;
    assert.equal(list.args[0].input.UserName, undefined, "root's own keys: no UserName");
    assert.equal(await signingKey(list.thisValue), ROOT_SESSION_KEY);
    c.destroy();
  });

  it('plan skips root keys where the Organization has not centralised root access', async () => {
    mockRootSession([]);
    iamMock.on(ListOrganizationsFeaturesCommand).resolves({ EnabledFeatures: ['RootCredentialsManagement'] });
    const c = clients();
    const resolved = await resolveCredentialIds([rootFinding], c, {
      includeRoot: true,
      caller,
      callerIam: await c.iam(MANAGEMENT),
    });
    const plan = assembleRemediationPlan(resolved.findings, {
      dataCollectedAt: Date.parse('2026-11-01T00:00:00Z'),
      createdAt: Date.parse('2026-11-01T00:00:00Z'),
      thresholdDays: 90,
      deleteAfterDays: 30,
      allowIrreversible: true,
      includeRoot: true,
      include: [],
      exclude: [],
      caller,
      unresolved: resolved.unresolved,
      rootAccessAccounts: resolved.rootAccessAccounts,
    });
    assert.equal(plan.skipped[0]?.reason, 'root_access_not_centralised');
    assert.equal(stsMock.commandCalls(AssumeRootCommand).length, 0);
    c.destroy();
  });

  it('apply re-verifies and deletes the root key in the AssumeRoot session, journalled as irreversible', async () => {
    mockRootSession([
      { AccessKeyId: 'AKIAROOTKEY1', Status: 'Active', CreateDate: new Date('2020-01-01T00:00:00Z') },
    ]);
    const c = clients();
    const plan = assembleRemediationPlan([{ ...rootFinding, accessKeyId: 'AKIAROOTKEY1' }], {
      dataCollectedAt: Date.parse('2026-11-01T00:00:00Z'),
      createdAt: Date.parse('2026-11-01T00:00:00Z'),
      thresholdDays: 90,
      deleteAfterDays: 30,
      allowIrreversible: true,
      includeRoot: true,
      include: [],
      exclude: [],
      caller,
      rootAccessAccounts: new Set([MEMBER]),
    });
    assert.equal(plan.steps[0]?.action, 'delete-root-access-key');
    const file = join(dir, 'root.jsonl');
    const journal = new JournalWriter(file);
    const result = await applyPlan(plan, {
      clients: c,
      journal,
      history: [],
      now: () => Date.parse('2026-11-01T01:00:00Z'),
      runId: 'run',
      planFile: 'plan.json',
      callerAccessKeyId: 'AKIAOPS',
      allowIrreversible: true,
      exemptions: exemptionCheck([], 0),
    });
    journal.close();
    assert.equal(result.failed, 0);
    assert.equal(result.results[0]?.outcome, 'done');
    const del = iamMock.commandCalls(DeleteAccessKeyCommand);
    assert.equal(del.length, 1);
    assert.deepEqual(del[0]!.args[0].input, { AccessKeyId: 'AKIAROOTKEY1' });
    assert.equal(await signingKey(del[0]!.thisValue), ROOT_SESSION_KEY);
    const entries = readJournal(file);
    assert.deepEqual(
      entries.map((e) => e.type),
      ['run', 'intent', 'done'],
    );
    assert.equal(entries[1]?.step?.reversible, false);
    assert.equal(entries[1]?.before?.status, 'Active');
    c.destroy();
  });

  it('a failed AssumeRoot fails that step only', async () => {
    stsMock.on(AssumeRootCommand).rejects(Object.assign(new Error('not enabled'), { name: 'AccessDenied' }));
    const c = clients();
    const plan = assembleRemediationPlan([{ ...rootFinding, accessKeyId: 'AKIAROOTKEY1' }], {
      dataCollectedAt: Date.parse('2026-11-01T00:00:00Z'),
      createdAt: Date.parse('2026-11-01T00:00:00Z'),
      thresholdDays: 90,
      deleteAfterDays: 30,
      allowIrreversible: true,
      includeRoot: true,
      include: [],
      exclude: [],
      caller,
      rootAccessAccounts: new Set([MEMBER]),
    });
    const journal = new JournalWriter(join(dir, 'root-failed.jsonl'));
    const result = await applyPlan(plan, {
      clients: c,
      journal,
      history: [],
      now: () => Date.parse('2026-11-01T01:00:00Z'),
      runId: 'run',
      planFile: 'plan.json',
      callerAccessKeyId: 'AKIAOPS',
      allowIrreversible: true,
      exemptions: exemptionCheck([], 0),
    });
    journal.close();
    assert.equal(result.failed, 1);
    assert.match(result.results[0]!.detail ?? '', /not enabled/);
    assert.equal(iamMock.commandCalls(DeleteAccessKeyCommand).length, 0);
    c.destroy();
  });
});
