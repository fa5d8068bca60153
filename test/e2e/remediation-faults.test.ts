/**
 * `credsweep apply` and `undo` across a 30-account Organization in moto, through the fault proxy
 * (test/helpers/fault-proxy.ts) injecting 20% throttling + 5% 5xx + 2% connection resets before the
 * call and 2% after it (moto ran the call, the answer is lost). Every step must end `done` or
 * `failed` in the journal, none applied twice, a re-run completes the rest, and `undo` restores
 * every deactivated key. apply and undo work on 4 accounts at once (their default): one account's
 * steps still begin in plan order, and several accounts really are in flight together.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IAMClient, ListAccessKeysCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import type { JournalEntry } from '../../src/model/remediation-journal.ts';
import { type PlanStep, remediationPlanSchema } from '../../src/model/remediation-plan.ts';
import { foldJournal } from '../../src/remediation/journal.ts';
import { runCredsweep } from '../helpers/cli.ts';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.ts';
import { inAccount, MOTO_CLI_ENV, type MotoServer, startMoto } from '../helpers/moto.ts';
import { type SeededOrg, seedOrg, streamsByPlace } from '../helpers/seed-org.ts';

const FAULTS = { throttle: 0.2, serverError: 0.05, reset: 0.02, resetAfter: 0.02 };
const ROLE = 'OrganizationAccountAccessRole';

let moto: MotoServer;
let proxy: FaultProxy;
let org: SeededOrg;
let dir: string;

before(async () => {
  moto = await startMoto();
  // Keys created 300 days ago and never used: unused at today's date, so the plan deactivates them.
  await moto.setClockOffsetDays(-300);
  // Two users per account: one with an access key, one with a console password (kept: irreversible).
  org = await seedOrg(moto.clientConfig(), { members: 29, usersPerAccount: 2 });
  await moto.setClockOffsetDays(0);
  // The same faults in every run, whatever account IDs moto invents.
  proxy = await startFaultProxy({ target: moto.endpoint, seed: 4, streamOf: streamsByPlace(org) });
  dir = await mkdtemp(join(tmpdir(), 'credsweep-remediation-faults-'));
});
after(async () => {
  await proxy?.close();
  await moto?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function cli(args: string[]) {
  return runCredsweep(args, {
    env: { ...MOTO_CLI_ENV, AWS_ENDPOINT_URL: proxy.url },
    timeoutMs: 280_000,
  });
}

/** `account/user/key id` → status, straight from moto (not through the proxy). */
async function keyStatuses(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const account of org.allAccountIds) {
    const iam = inAccount(new IAMClient(moto.clientConfig()), account);
    for (const user of (await iam.send(new ListUsersCommand({}))).Users ?? []) {
      const keys = await iam.send(new ListAccessKeysCommand({ UserName: user.UserName! }));
      for (const k of keys.AccessKeyMetadata ?? [])
        out.set(`${account}/${user.UserName}/${k.AccessKeyId}`, k.Status!);
    }
    iam.destroy();
  }
  return out;
}

async function journal(file: string): Promise<JournalEntry[]> {
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as JournalEntry);
}

function doneCount(entries: JournalEntry[]): Map<string, number> {
  const n = new Map<string, number>();
  for (const e of entries) {
    if (e.phase === 'apply' && e.type === 'done' && e.step) n.set(e.step.id, (n.get(e.step.id) ?? 0) + 1);
  }
  return n;
}

/** One run's journal entries: each account's steps begin in plan order. */
function assertPlanOrderPerAccount(entries: JournalEntry[], steps: PlanStep[]): void {
  const position = new Map(steps.map((s, i) => [s.id, i]));
  const begun = new Set<string>();
  const lastBegun = new Map<string, number>();
  for (const e of entries) {
    if (!e.step || begun.has(e.step.id)) continue;
    const { id, accountId } = e.step;
    begun.add(id);
    const at = position.get(id)!;
    assert.ok(
      at > (lastBegun.get(accountId) ?? -1),
      `account ${accountId}: step ${id} began out of plan order`,
    );
    lastBegun.set(accountId, at);
  }
}

function updateAccessKeyCalls(): number {
  return [...proxy.callsByOperation().values()].reduce(
    (n, ops) => n + (ops.get('iam:UpdateAccessKey') ?? 0),
    0,
  );
}

describe('apply and undo under injected faults (30 accounts, moto, fault proxy)', () => {
  const planFile = () => join(dir, 'plan.json');
  const journalFile = () => `${planFile()}.journal.jsonl`;
  let steps: PlanStep[] = [];
  let deactivations: PlanStep[] = [];
  let before: Map<string, string>;
  let failedFirst = -1;

  it('audit and plan (fault-free): a key to deactivate in every account', async () => {
    const findings = join(dir, 'findings.json');
    proxy.configure({ rates: {} });
    const audit = await cli(['audit', '--org', '--format', 'json', '--output', findings]);
    assert.equal(audit.code, 0, audit.stderr);
    const plan = await cli(['plan', '--from', findings, '--output', planFile(), '--role-name', ROLE]);
    assert.equal(plan.code, 0, plan.stderr);
    steps = remediationPlanSchema.parse(JSON.parse(await readFile(planFile(), 'utf8'))).steps;
    deactivations = steps.filter((s) => s.action === 'deactivate-access-key');
    assert.equal(
      new Set(deactivations.map((s) => s.accountId)).size,
      30,
      'a key to deactivate in every account',
    );
    before = await keyStatuses();
  });

  it('apply under faults: every step ends done or failed in the journal, none done twice, exit 3 iff one failed', async (t) => {
    assert.ok(steps.length > 0, 'needs the plan');
    proxy.configure({ rates: FAULTS });
    proxy.resetCounters();
    const started = Date.now();
    const first = await cli(['apply', planFile(), '--yes', '--role-name', ROLE]);
    const elapsed = Date.now() - started;
    assert.ok([0, 3].includes(first.code), first.stdout + first.stderr);
    const faults = [...proxy.faultsByAccount().values()].reduce(
      (n, f) => n + f.throttle + f.serverError + f.reset + f.resetAfter,
      0,
    );
    assert.ok(faults > 0, 'faults were injected');
    const entries = await journal(journalFile());
    const folded = foldJournal(entries);
    for (const step of steps) {
      const h = folded.get(step.id);
      assert.ok(h, `step ${step.id} is in the journal`);
      assert.ok(
        ['applied', 'apply_failed'].includes(h.state),
        `step ${step.id} ended ${h.state} (${h.lastReason})`,
      );
    }
    for (const [id, n] of doneCount(entries)) assert.equal(n, 1, `step ${id} done ${n} times`);
    failedFirst = [...folded.values()].filter((h) => h.state === 'apply_failed').length;
    assert.equal(first.code, failedFirst > 0 ? 3 : 0);
    assertPlanOrderPerAccount(entries, steps);
    const atOnce = proxy.mostAccountsInFlight();
    assert.ok(atOnce > 1 && atOnce <= 4, `${atOnce} accounts in flight at once`);
    t.diagnostic(
      `${steps.length} steps in 30 accounts; apply under faults: ${faults} faults in ${proxy.totalCalls()} calls, ${failedFirst} steps failed, up to ${atOnce} accounts at once, ${Math.round(elapsed / 1000)} s`,
    );
  });

  it('a re-run completes the rest and repeats nothing that was done', async () => {
    assert.ok(failedFirst >= 0, 'needs the first apply');
    proxy.configure({ rates: {} });
    proxy.resetCounters();
    const second = await cli(['apply', planFile(), '--yes', '--role-name', ROLE]);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    for (const [id, n] of doneCount(await journal(journalFile()))) {
      assert.equal(n, 1, `step ${id} done ${n} times across runs`);
    }
    const updates = updateAccessKeyCalls();
    assert.ok(
      updates <= failedFirst,
      `the re-run changed ${updates} keys, only ${failedFirst} steps had failed`,
    );
    const applied = await keyStatuses();
    for (const s of deactivations) {
      assert.equal(applied.get(`${s.accountId}/${s.principalName}/${s.accessKeyId}`), 'Inactive', `${s.id}`);
    }
  });

  it('undo under the same faults (then again without) restores every deactivated key', async (t) => {
    assert.ok(deactivations.length > 0, 'needs the applied plan');
    proxy.configure({ rates: FAULTS });
    proxy.resetCounters();
    const started = Date.now();
    const undo = await cli(['undo', journalFile(), '--yes', '--trust-unsigned-journal', '--role-name', ROLE]);
    const elapsed = Date.now() - started;
    assert.ok([0, 3].includes(undo.code), undo.stdout + undo.stderr);
    const undoEntries = (await journal(journalFile())).filter((e) => e.phase === 'undo');
    assertPlanOrderPerAccount(undoEntries, steps);
    const atOnce = proxy.mostAccountsInFlight();
    assert.ok(atOnce > 1 && atOnce <= 4, `undo: ${atOnce} accounts in flight at once`);
    proxy.configure({ rates: {} });
    if (undo.code === 3) {
      const again = await cli([
        'undo',
        journalFile(),
        '--yes',
        '--trust-unsigned-journal',
        '--role-name',
        ROLE,
      ]);
      assert.equal(again.code, 0, again.stdout + again.stderr);
    }
    const restored = await keyStatuses();
    for (const s of deactivations) {
      const id = `${s.accountId}/${s.principalName}/${s.accessKeyId}`;
      assert.equal(before.get(id), 'Active');
      assert.equal(restored.get(id), 'Active', `${s.id} is active again`);
    }
    assert.deepEqual(restored, before, 'every key is as it was before apply');
    t.diagnostic(
      `undo under faults: exit ${undo.code}, up to ${atOnce} accounts at once, ${Math.round(elapsed / 1000)} s`,
    );
  });
});
