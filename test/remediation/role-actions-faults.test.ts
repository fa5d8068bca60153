/**
 * The role steps under the fault proxy (test/helpers/fault-proxy.ts: 20 % throttling, 5 % 5xx, 2 %
 * connection resets before the call and 2 % after it, when moto ran the call and the answer is
 * lost), in process against moto_server: quarantine-role, delete-role and their undo each end `done`
 * or `failed` in the journal, none twice; re-running completes the rest, and undo restores every
 * role (deleted ones field by field, but their RoleId). quarantine-user (with the users' key
 * deactivations) the same way. And a quarantine whose deny-all call fails after its tags went on
 * leaves the role or user not quarantined: the re-run acts, undo restores it exactly.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserPoliciesCommand,
  ListUserTagsCommand,
} from '@aws-sdk/client-iam';
import type { JournalEntry } from '../../src/model/remediation-journal.ts';
import type { RemediationPlan } from '../../src/model/remediation-plan.ts';
import type { RemediationClients } from '../../src/remediation/actions/index.ts';
import { applyPlan } from '../../src/remediation/apply.ts';
import { exemptionCheck } from '../../src/remediation/exemptions.ts';
import {
  deactivationDates,
  foldJournal,
  JournalWriter,
  readDeactivationJournals,
  readJournal,
} from '../../src/remediation/journal.ts';
import { assembleRemediationPlan } from '../../src/remediation/plan.ts';
import { captureRoleRecord, type RoleRecord } from '../../src/remediation/role-record.ts';
import { undoJournal } from '../../src/remediation/undo.ts';
import { MS_PER_DAY } from '../../src/time.ts';
import { aFinding } from '../helpers/builders.ts';
import { type FaultProxy, retryWithoutBackoff, startFaultProxy } from '../helpers/fault-proxy.ts';
import { MOTO_DEFAULT_ACCOUNT as ACCOUNT, type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedFullRole } from '../helpers/seed-role.ts';

const FAULTS = { throttle: 0.2, serverError: 0.05, reset: 0.02, resetAfter: 0.02 };
const ROLES = Array.from({ length: 4 }, (_, i) => `worker-${i}`);
const CALLER = { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/ops`, accessKeyId: null };

describe('role steps under faults (moto + fault proxy)', () => {
  let moto: MotoServer;
  let proxy: FaultProxy;
  let direct: IAMClient;
  let faulty: IAMClient;
  let dir: string;
  const originals = new Map<string, RoleRecord>();
  let quarantineJournal = '';
  const clients: RemediationClients = {
    iam: async () => faulty,
    rootIam: async () => {
      throw new Error('not used');
    },
  };

  before(async () => {
    moto = await startMoto();
    direct = new IAMClient(moto.clientConfig());
    await moto.setClockOffsetDays(-200);
    for (const name of ROLES) await seedFullRole(direct, name);
    await moto.setClockOffsetDays(0);
    for (const name of ROLES) originals.set(name, (await captureRoleRecord(direct, name))!);
    proxy = await startFaultProxy({ target: moto.endpoint, seed: 14, rates: FAULTS });
    // The SDK's own retries (3 attempts) ride out most faults; the rest end as failed steps.
    faulty = new IAMClient({
      ...moto.clientConfig(),
      endpoint: proxy.url,
      maxAttempts: 3,
      retryStrategy: retryWithoutBackoff(3),
    });
    dir = mkdtempSync(join(tmpdir(), 'credsweep-role-faults-'));
  });
  after(async () => {
    faulty?.destroy();
    direct?.destroy();
    await proxy?.close();
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function plan(
    at: number,
    extra: { allowIrreversible?: boolean; deactivatedAt?: Map<string, number> } = {},
  ) {
    const findings = ROLES.map((name) =>
      aFinding({
        accountId: ACCOUNT,
        principalType: 'role',
        principalName: name,
        arn: `arn:aws:iam::${ACCOUNT}:role/apps/${name}`,
        credential: 'role',
        status: 'unused',
        lastUsed: null,
      }),
    );
    return assembleRemediationPlan(findings, {
      dataCollectedAt: at,
      createdAt: at,
      thresholdDays: 90,
      deleteAfterDays: 30,
      allowIrreversible: extra.allowIrreversible ?? false,
      includeRoot: false,
      include: [],
      exclude: [],
      caller: CALLER,
      roles: true,
      ...(extra.deactivatedAt ? { deactivatedAt: extra.deactivatedAt } : {}),
    });
  }

  /** Applies until every step is done (at most 5 runs), checking each run's journal as it goes. */
  async function applyUntilDone(p: RemediationPlan, file: string, at: number, allowIrreversible = false) {
    for (let run = 0; run < 5; run++) {
      const history = readJournal(file, { missingOk: true });
      const journal = new JournalWriter(file);
      try {
        await applyPlan(p, {
          clients,
          journal,
          history,
          now: () => at,
          runId: `run-${run}`,
          planFile: 'plan.json',
          callerAccessKeyId: null,
          callerArn: CALLER.arn,
          allowIrreversible,
          exemptions: exemptionCheck([], at),
          // the quarantine's journal these tests wrote (unsealed: no plan key), taken as written
          deactivationJournals: quarantineJournal
            ? readDeactivationJournals([quarantineJournal], undefined)
            : [],
          trustUnsignedJournal: true,
        });
      } finally {
        journal.close();
      }
      const states = [...foldJournal(readJournal(file)).values()].map((h) => h.state);
      if (states.every((s) => s === 'applied')) return run + 1;
    }
    assert.fail(
      `steps still not done after 5 runs: ${JSON.stringify([...foldJournal(readJournal(file)).values()].map((h) => [h.step.id, h.state, h.lastReason]))}`,
    );
  }

  /** Undoes until every step is reversed (a failed reversal is retried by re-running undo). */
  async function undoUntilDone(p: RemediationPlan, file: string, at: number) {
    for (let run = 0; run < 5; run++) {
      const journal = new JournalWriter(file);
      try {
        await undoJournal(readJournal(file), {
          clients,
          journal,
          now: () => at,
          runId: `undo-${run}`,
          planDigest: p.digest.value,
          // the role mechanics, on journals these tests write themselves (unsealed: no plan key)
          trustUnsignedJournal: true,
        });
      } finally {
        journal.close();
      }
      if ([...foldJournal(readJournal(file)).values()].every((h) => h.state === 'undone')) return;
    }
  }

  function assertNoneTwice(entries: JournalEntry[], phase: 'apply' | 'undo') {
    const done = new Map<string, number>();
    for (const e of entries) {
      if (e.phase === phase && e.type === 'done' && e.step)
        done.set(e.step.id, (done.get(e.step.id) ?? 0) + 1);
    }
    for (const [id, n] of done) assert.equal(n, 1, `${id} done ${n} times`);
    // Every step that began ended done or failed (or was re-checked and confirmed by a later run).
    for (const h of foldJournal(entries).values()) {
      assert.ok(!['apply_in_flight', 'undo_in_flight'].includes(h.state), `${h.step.id} left ${h.state}`);
    }
  }

  it('quarantine, then delete after --delete-after days, then undo both: every role restored', async () => {
    const t0 = Date.now();
    quarantineJournal = join(dir, 'quarantine.jsonl');
    const p1 = plan(t0);
    await applyUntilDone(p1, quarantineJournal, t0);
    assertNoneTwice(readJournal(quarantineJournal), 'apply');
    for (const name of ROLES) {
      const r = (await captureRoleRecord(direct, name))!;
      assert.ok(
        r.inlinePolicies.some((p) => p.name === 'CredsweepQuarantine'),
        name,
      );
    }

    const t31 = t0 + 31 * MS_PER_DAY;
    await moto.setClockOffsetDays(31);
    const p2 = plan(t31, {
      allowIrreversible: true,
      deactivatedAt: deactivationDates(readJournal(quarantineJournal)),
    });
    assert.equal(p2.steps.filter((s) => s.action === 'delete-role').length, ROLES.length);
    const deleteJournal = join(dir, 'delete.jsonl');
    await applyUntilDone(p2, deleteJournal, t31, true);
    assertNoneTwice(readJournal(deleteJournal), 'apply');
    for (const name of ROLES) assert.equal(await captureRoleRecord(direct, name), null, name);

    // Undo the deletions until all are recreated (a failed reversal is retried by re-running undo).
    await undoUntilDone(p2, deleteJournal, t31);
    assertNoneTwice(readJournal(deleteJournal), 'undo');
    for (const name of ROLES) {
      const { roleId: _old, ...want } = originals.get(name)!;
      const { roleId: _new, ...got } = (await captureRoleRecord(direct, name))!;
      assert.deepEqual(got, want, name);
    }
    assert.ok(proxy.totalCalls() > 0);
    const faults = [...proxy.faultsByAccount().values()].reduce(
      (n, f) => n + f.throttle + f.reset + f.resetAfter,
      0,
    );
    assert.ok(faults > 10, `faults were injected (${faults})`);
  });

  it("quarantine-user and the users' key deactivations under faults, then undo: every user as before", async () => {
    const users = ['idle-0', 'idle-1'];
    await moto.setClockOffsetDays(-200);
    for (const UserName of users) {
      await direct.send(new CreateUserCommand({ UserName }));
      await direct.send(new CreateLoginProfileCommand({ UserName, Password: 'Seed-Password-1234' }));
      await direct.send(new CreateAccessKeyCommand({ UserName }));
    }
    await moto.setClockOffsetDays(0);
    const at = Date.now();
    const findings = [];
    for (const name of users) {
      const key = (await direct.send(new ListAccessKeysCommand({ UserName: name }))).AccessKeyMetadata![0]!;
      const user = {
        accountId: ACCOUNT,
        principalType: 'user' as const,
        principalName: name,
        arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
        lastUsed: null,
        status: 'unused' as const,
      };
      findings.push(aFinding({ ...user, credential: 'password' }));
      findings.push(aFinding({ ...user, credential: 'access_key_1', accessKeyId: key.AccessKeyId! }));
    }
    const p = assembleRemediationPlan(findings, {
      dataCollectedAt: at,
      createdAt: at,
      thresholdDays: 90,
      deleteAfterDays: 30,
      allowIrreversible: false,
      includeRoot: false,
      include: [],
      exclude: [],
      caller: CALLER,
      quarantineUsers: true,
    });
    assert.equal(p.steps.filter((s) => s.action === 'quarantine-user').length, users.length);
    const file = join(dir, 'users.jsonl');
    await applyUntilDone(p, file, at);
    assertNoneTwice(readJournal(file), 'apply');
    for (const UserName of users) {
      assert.deepEqual((await direct.send(new ListUserPoliciesCommand({ UserName }))).PolicyNames, [
        'CredsweepQuarantine',
      ]);
    }
    await undoUntilDone(p, file, at);
    assertNoneTwice(readJournal(file), 'undo');
    for (const UserName of users) {
      assert.deepEqual(
        (await direct.send(new ListUserPoliciesCommand({ UserName }))).PolicyNames,
        [],
        UserName,
      );
      assert.deepEqual((await direct.send(new ListUserTagsCommand({ UserName }))).Tags, [], UserName);
      const keys = (await direct.send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata ?? [];
      assert.deepEqual(
        keys.map((k) => k.Status),
        ['Active'],
        UserName,
      );
    }
  });

  it('a quarantine failing between its tags and its deny-all leaves the principal open; the re-run completes it and undo restores it', async () => {
    await moto.setClockOffsetDays(-200);
    await seedFullRole(direct, 'half-done');
    await direct.send(new CreateUserCommand({ UserName: 'half-user' }));
    await moto.setClockOffsetDays(0);
    const original = (await captureRoleRecord(direct, 'half-done'))!;
    // Real moto, but the second of each quarantine's two changes (tags, deny-all) fails once, as after
    // the SDK's retries: whichever comes second, the principal must not be left locked out.
    const changes = new Map<string, number>();
    const flaky = new IAMClient(moto.clientConfig());
    flaky.middlewareStack.add(
      (next, context) => async (args) => {
        const kind = /^(?:Tag|Put)(Role|User)(?:Policy)?Command$/.exec(context.commandName ?? '')?.[1];
        if (kind) {
          const n = (changes.get(kind) ?? 0) + 1;
          changes.set(kind, n);
          if (n === 2)
            throw Object.assign(new Error('injected'), { name: 'ServiceUnavailable', $metadata: {} });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failSecondChange' },
    );
    const at = Date.now();
    const role = {
      accountId: ACCOUNT,
      principalName: 'half-done',
      arn: `arn:aws:iam::${ACCOUNT}:role/apps/half-done`,
      status: 'unused' as const,
      lastUsed: null,
    };
    const user = {
      accountId: ACCOUNT,
      principalName: 'half-user',
      arn: `arn:aws:iam::${ACCOUNT}:user/half-user`,
      status: 'unused' as const,
      lastUsed: null,
    };
    const p = assembleRemediationPlan(
      [
        aFinding({ ...role, principalType: 'role', credential: 'role' }),
        aFinding({ ...user, credential: 'password' }),
      ],
      {
        dataCollectedAt: at,
        createdAt: at,
        thresholdDays: 90,
        deleteAfterDays: 30,
        allowIrreversible: false,
        includeRoot: false,
        include: [],
        exclude: [],
        caller: CALLER,
        roles: true,
        quarantineUsers: true,
      },
    );
    assert.deepEqual(
      p.steps.map((s) => s.action),
      ['quarantine-role', 'quarantine-user'],
    );
    const file = join(dir, 'half.jsonl');
    const flakyClients: RemediationClients = { iam: async () => flaky, rootIam: clients.rootIam };
    const applyOnce = async (run: number) => {
      const journal = new JournalWriter(file);
      try {
        return (
          await applyPlan(p, {
            clients: flakyClients,
            journal,
            history: readJournal(file, { missingOk: true }),
            now: () => at,
            runId: `half-${run}`,
            planFile: 'plan.json',
            callerAccessKeyId: null,
            callerArn: CALLER.arn,
            allowIrreversible: false,
            exemptions: exemptionCheck([], at),
          })
        ).results.map((r) => r.outcome);
      } finally {
        journal.close();
      }
    };
    assert.deepEqual(await applyOnce(1), ['failed', 'failed']);
    const open = (await captureRoleRecord(direct, 'half-done'))!;
    assert.ok(
      !open.inlinePolicies.some((x) => x.name === 'CredsweepQuarantine'),
      'not locked out by a failed step',
    );
    assert.deepEqual(
      (await direct.send(new ListUserPoliciesCommand({ UserName: 'half-user' }))).PolicyNames,
      [],
    );
    assert.deepEqual(await applyOnce(2), ['done', 'done']);
    assert.ok(
      (await captureRoleRecord(direct, 'half-done'))!.inlinePolicies.some(
        (x) => x.name === 'CredsweepQuarantine',
      ),
    );
    const journal = new JournalWriter(file);
    try {
      const undone = await undoJournal(readJournal(file), {
        clients: flakyClients,
        journal,
        now: () => at,
        runId: 'half-undo',
        planDigest: p.digest.value,
        // a journal written without a plan key, taken as written (undo --trust-unsigned-journal)
        trustUnsignedJournal: true,
      });
      assert.deepEqual(
        undone.map((r) => r.outcome),
        ['undone', 'undone'],
      );
    } finally {
      journal.close();
      flaky.destroy();
    }
    assert.deepEqual(await captureRoleRecord(direct, 'half-done'), original);
    assert.deepEqual(
      (await direct.send(new ListUserPoliciesCommand({ UserName: 'half-user' }))).PolicyNames,
      [],
    );
    assert.deepEqual((await direct.send(new ListUserTagsCommand({ UserName: 'half-user' }))).Tags, []);
  });
});
