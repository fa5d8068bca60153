/**
 * deactivate-service-specific-credential, applied and undone in process against aws-sdk-client-mock:
 * moto 5.2.1 has no service-specific credential APIs (docs/aws-behaviour.md §9), so a small
 * stateful fake answers ListServiceSpecificCredentials / UpdateServiceSpecificCredential in the IAM
 * API reference's shapes (plus GetUser / ListUserTags for apply's principal checks). Shown: the round
 * trip (Active → Inactive → Active), and the hostile cases (a recent credential, an Expired one, an id
 * under another user) change nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  GetUserCommand,
  IAMClient,
  ListServiceSpecificCredentialsCommand,
  ListUserTagsCommand,
  type ServiceSpecificCredentialMetadata,
  UpdateServiceSpecificCredentialCommand,
} from '@aws-sdk/client-iam';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import type { PlanStep, RemediationPlan } from '../../src/model/remediation-plan.ts';
import { applyPlan } from '../../src/remediation/apply.ts';
import { exemptionCheck } from '../../src/remediation/exemptions.ts';
import { JournalWriter, readJournal } from '../../src/remediation/journal.ts';
import { sealPlan } from '../../src/remediation/plan-digest.ts';
import { undoJournal } from '../../src/remediation/undo.ts';

const ACCOUNT = '111122223333';
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1);

describe('deactivate-service-specific-credential (aws-sdk-client-mock: moto has no such API)', () => {
  let mock: AwsClientStub<IAMClient>;
  let dir: string;
  let state: ServiceSpecificCredentialMetadata[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'credsweep-ssc-'));
    const credential = (
      id: string,
      user: string,
      overrides: Partial<ServiceSpecificCredentialMetadata> = {},
    ) => ({
      UserName: user,
      Status: 'Active' as const,
      ServiceName: 'bedrock.amazonaws.com',
      ServiceSpecificCredentialId: id,
      CreateDate: new Date(NOW - 200 * DAY),
      ...overrides,
    });
    state = [
      credential('ACCAOLDBEDROCKKEY0001', 'alice'),
      credential('ACCARECENTBEDROCKKEY1', 'alice', { CreateDate: new Date(NOW - 5 * DAY) }),
      credential('ACCAEXPIREDBEDROCKK01', 'alice', {
        Status: 'Expired',
        ExpirationDate: new Date(NOW - DAY),
      }),
      credential('ACCABOBSCODECOMMIT001', 'bob', { ServiceName: 'codecommit.amazonaws.com' }),
    ];
    mock = mockClient(IAMClient);
    mock.on(ListServiceSpecificCredentialsCommand).callsFake((input) => ({
      ServiceSpecificCredentials: state.filter((c) => c.UserName === input.UserName).map((c) => ({ ...c })),
      IsTruncated: false,
    }));
    mock.on(UpdateServiceSpecificCredentialCommand).callsFake((input) => {
      const c = state.find(
        (x) =>
          x.UserName === input.UserName &&
          x.ServiceSpecificCredentialId === input.ServiceSpecificCredentialId,
      );
      if (!c)
        throw Object.assign(new Error('no such credential'), {
          name: 'NoSuchEntityException',
          $metadata: {},
        });
      c.Status = input.Status;
      return {};
    });
    mock.on(GetUserCommand).callsFake((input) => ({
      User: {
        UserName: input.UserName,
        UserId: `AIDA${input.UserName}`,
        Path: '/',
        Arn: `arn:aws:iam::${ACCOUNT}:user/${input.UserName}`,
        CreateDate: new Date(NOW - 1000 * DAY),
      },
    }));
    mock.on(ListUserTagsCommand).resolves({ Tags: [], IsTruncated: false });
  });
  afterEach(() => {
    mock.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  const step = (user: string, id: string): PlanStep => ({
    id: `${ACCOUNT}/deactivate-service-specific-credential/${id}`,
    action: 'deactivate-service-specific-credential',
    accountId: ACCOUNT,
    principalType: 'user',
    principalName: user,
    arn: `arn:aws:iam::${ACCOUNT}:user/${user}`,
    credential: 'service_specific_credential',
    serviceSpecificCredentialId: id,
    reversible: true,
    reason: 'test',
    expected: { status: 'Active', lastUsed: null },
  });

  function planOf(steps: PlanStep[], at = NOW): RemediationPlan {
    const iso = new Date(at - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return sealPlan(
      {
        schemaVersion: 2,
        createdAt: iso,
        dataCollectedAt: iso,
        asOf: iso,
        audit: { accounts: [ACCOUNT], thresholdDays: 90, thresholds: {} },
        options: {
          deleteAfterDays: 30,
          allowIrreversible: false,
          includeRoot: false,
          include: [],
          exclude: [],
          journals: [],
        },
        caller: { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/ops`, accessKeyId: null },
        summary: { steps: steps.length, reversible: steps.length, irreversible: 0, skipped: 0 },
        steps,
        skipped: [],
      },
      undefined,
    );
  }

  const clients = () => {
    const iam = new IAMClient({ region: 'us-east-1' });
    return { iam: async () => iam, rootIam: async () => iam };
  };

  async function apply(plan: RemediationPlan, journalFile: string, at = NOW) {
    const journal = new JournalWriter(journalFile);
    try {
      return await applyPlan(plan, {
        clients: clients(),
        journal,
        history: [],
        now: () => at,
        runId: 'run-1',
        planFile: 'plan.json',
        callerAccessKeyId: null,
        allowIrreversible: false,
        exemptions: exemptionCheck([], at),
      });
    } finally {
      journal.close();
    }
  }

  const status = (id: string) => state.find((c) => c.ServiceSpecificCredentialId === id)?.Status;

  it('round trip: apply makes the old credential Inactive, undo makes it Active again', async () => {
    const plan = planOf([step('alice', 'ACCAOLDBEDROCKKEY0001')]);
    const journalFile = join(dir, 'journal.jsonl');
    const applied = await apply(plan, journalFile);
    assert.equal(applied.failed, 0, JSON.stringify(applied.results));
    assert.equal(status('ACCAOLDBEDROCKKEY0001'), 'Inactive');
    const undoJournalWriter = new JournalWriter(journalFile);
    const entries = readJournal(journalFile);
    try {
      const undone = await undoJournal(entries, {
        clients: clients(),
        journal: undoJournalWriter,
        now: () => NOW + 60_000,
        runId: 'undo-1',
        planDigest: entries[0]!.planDigest,
        // a journal written without a plan key, taken as written (undo --trust-unsigned-journal)
        trustUnsignedJournal: true,
      });
      assert.deepEqual(
        undone.map((r) => r.outcome),
        ['undone'],
      );
    } finally {
      undoJournalWriter.close();
    }
    assert.equal(status('ACCAOLDBEDROCKKEY0001'), 'Active');
  });

  it('hostile steps: a recent credential, an Expired one and an id under another user change nothing', async () => {
    const plan = planOf([
      step('alice', 'ACCARECENTBEDROCKKEY1'),
      step('alice', 'ACCAEXPIREDBEDROCKK01'),
      step('alice', 'ACCABOBSCODECOMMIT001'),
    ]);
    const applied = await apply(plan, join(dir, 'journal.jsonl'));
    assert.deepEqual(
      applied.results.map((r) => r.outcome),
      ['skipped', 'skipped', 'skipped'],
      JSON.stringify(applied.results),
    );
    assert.equal(mock.commandCalls(UpdateServiceSpecificCredentialCommand).length, 0);
    assert.deepEqual(
      state.map((c) => c.Status),
      ['Active', 'Active', 'Expired', 'Active'],
    );
  });

  it("past its ExpirationDate at apply's now (injected, not the machine's clock) it counts as Expired: left as it is", async () => {
    // apply runs in 2099, the credential (still Active by its Status) expired in 2098: by the machine's
    // clock it would not have expired yet, and was deactivated.
    const later = Date.UTC(2099, 0, 1);
    state.push({
      UserName: 'alice',
      Status: 'Active',
      ServiceName: 'bedrock.amazonaws.com',
      ServiceSpecificCredentialId: 'ACCAEXPIRESIN2098KEY1',
      CreateDate: new Date(later - 400 * DAY),
      ExpirationDate: new Date(Date.UTC(2098, 5, 1)),
    });
    const plan = planOf([step('alice', 'ACCAEXPIRESIN2098KEY1')], later);
    const applied = await apply(plan, join(dir, 'journal.jsonl'), later);
    assert.deepEqual(
      applied.results.map((r) => r.outcome),
      ['skipped'],
      JSON.stringify(applied.results),
    );
    assert.equal(mock.commandCalls(UpdateServiceSpecificCredentialCommand).length, 0);
    assert.equal(status('ACCAEXPIRESIN2098KEY1'), 'Active');
  });

  async function undo(journalFile: string, at: number) {
    const writer = new JournalWriter(journalFile);
    const entries = readJournal(journalFile);
    try {
      return await undoJournal(entries, {
        clients: clients(),
        journal: writer,
        now: () => at,
        runId: 'undo-1',
        planDigest: entries[0]!.planDigest,
        trustUnsignedJournal: true,
      });
    } finally {
      writer.close();
    }
  }

  it("undo judges expiry by its own injected now, not the machine's clock", async () => {
    // Deactivated in 2026; undo runs (by its injected clock) in 2099, after the credential's 2098
    // expiry: it is Expired now, not as credsweep left it, so undo leaves it. By the machine's clock
    // it would not have expired yet, and was made Active again.
    state.push({
      UserName: 'alice',
      Status: 'Active',
      ServiceName: 'bedrock.amazonaws.com',
      ServiceSpecificCredentialId: 'ACCAEXPIRESIN2098KEY1',
      CreateDate: new Date(NOW - 400 * DAY),
      ExpirationDate: new Date(Date.UTC(2098, 5, 1)),
    });
    const journalFile = join(dir, 'journal.jsonl');
    const applied = await apply(planOf([step('alice', 'ACCAEXPIRESIN2098KEY1')]), journalFile);
    assert.equal(applied.failed, 0, JSON.stringify(applied.results));
    assert.equal(status('ACCAEXPIRESIN2098KEY1'), 'Inactive');
    const undone = await undo(journalFile, Date.UTC(2099, 0, 1));
    assert.deepEqual(
      undone.map((r) => [r.outcome, r.detail]),
      [['skipped', 'not as credsweep left it (status Expired)']],
    );
    assert.equal(status('ACCAEXPIRESIN2098KEY1'), 'Inactive');
  });

  it('a status this version does not know: apply leaves it, naming the status', async () => {
    state[0]!.Status = 'Suspended' as 'Active';
    const applied = await apply(planOf([step('alice', 'ACCAOLDBEDROCKKEY0001')]), join(dir, 'journal.jsonl'));
    assert.deepEqual(
      applied.results.map((r) => [r.outcome, r.detail]),
      [['skipped', 'status is Suspended, the plan expected Active']],
    );
    assert.equal(mock.commandCalls(UpdateServiceSpecificCredentialCommand).length, 0);
  });

  it('undo leaves a credential whose status became one this version does not know (not as credsweep left it)', async () => {
    const journalFile = join(dir, 'journal.jsonl');
    const applied = await apply(planOf([step('alice', 'ACCAOLDBEDROCKKEY0001')]), journalFile);
    assert.equal(applied.failed, 0, JSON.stringify(applied.results));
    state[0]!.Status = 'Suspended' as 'Active';
    const undone = await undo(journalFile, NOW + 60_000);
    assert.deepEqual(
      undone.map((r) => [r.outcome, r.detail]),
      [['skipped', 'not as credsweep left it (status Suspended)']],
    );
    assert.equal(status('ACCAOLDBEDROCKKEY0001'), 'Suspended');
  });
});
