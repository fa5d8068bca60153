/**
 * restrict-permissions under the fault proxy (test/helpers/fault-proxy.ts: 20 % throttling, 5 % 5xx,
 * 2 % connection resets before the call and 2 % after it, when moto ran the call and the answer is
 * lost), in process against moto_server: six roles, three with a previous boundary (they share one
 * credsweep policy, the others another), are restricted and undone; every step ends `done` or
 * `failed`, none twice; re-running completes the rest, and after undo every role's boundary is what it
 * was and no credsweep policy is left.
 *
 * aws-sdk-client-mock for Access Advisor only (moto has none; test/helpers/restrict-stubs.ts): those two
 * calls do not reach the proxy, everything else (GetRole, policies, boundaries) goes through it to moto.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetRoleCommand, IAMClient, ListPoliciesCommand } from '@aws-sdk/client-iam';
import type { JournalEntry } from '../../src/model/remediation-journal.ts';
import { applyPlan } from '../../src/remediation/apply.ts';
import { exemptionCheck } from '../../src/remediation/exemptions.ts';
import { foldJournal, JournalWriter, readJournal } from '../../src/remediation/journal.ts';
import { undoJournal } from '../../src/remediation/undo.ts';
import { type FaultProxy, retryWithoutBackoff, startFaultProxy } from '../helpers/fault-proxy.ts';
import { type MotoServer, startMoto } from '../helpers/moto.ts';
import {
  planPermissions,
  RESTRICT_CALLER,
  seedRestrictPrincipals,
  stubbedClients,
  usualServices,
} from '../helpers/restrict-fixture.ts';
import { type RestrictStubs, restrictStubs } from '../helpers/restrict-stubs.ts';

const FAULTS = { throttle: 0.2, serverError: 0.05, reset: 0.02, resetAfter: 0.02 };
const ROLES = Array.from({ length: 6 }, (_, i) => ({ name: `worker-${i}`, boundary: i % 2 === 1 }));

describe('restrict-permissions under faults (moto + fault proxy)', () => {
  let moto: MotoServer;
  let proxy: FaultProxy;
  let direct: IAMClient;
  let planning: RestrictStubs;
  let faulty: RestrictStubs;
  let dir: string;
  const originals = new Map<string, string | null>();

  before(async () => {
    moto = await startMoto();
    direct = new IAMClient(moto.clientConfig());
    const { arns } = await seedRestrictPrincipals(moto, direct, { roles: ROLES });
    for (const r of ROLES) originals.set(r.name, await boundaryOf(r.name));
    const now = Date.now();
    planning = restrictStubs(moto);
    usualServices(planning, arns, now);
    proxy = await startFaultProxy({ target: moto.endpoint, seed: 2, rates: FAULTS });
    // The SDK's own retries (3 attempts) ride out most faults; the rest end as failed steps (seed 2:
    // a failed apply step and two failed reversals, completed by re-running).
    faulty = restrictStubs(moto, {
      endpoint: proxy.url,
      maxAttempts: 3,
      retryStrategy: retryWithoutBackoff(3),
    });
    usualServices(faulty, arns, now);
    dir = mkdtempSync(join(tmpdir(), 'credsweep-restrict-faults-'));
  });
  after(async () => {
    faulty?.restore();
    planning?.restore();
    direct?.destroy();
    await proxy?.close();
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function boundaryOf(name: string): Promise<string | null> {
    const role = (await direct.send(new GetRoleCommand({ RoleName: name }))).Role;
    return role?.PermissionsBoundary?.PermissionsBoundaryArn ?? null;
  }
  async function credsweepPolicies(): Promise<string[]> {
    const out = await direct.send(new ListPoliciesCommand({ Scope: 'Local', PathPrefix: '/credsweep/' }));
    return (out.Policies ?? []).map((p) => p.PolicyName!).sort();
  }
  function assertNoneTwice(entries: JournalEntry[], phase: 'apply' | 'undo') {
    const done = new Map<string, number>();
    for (const e of entries) {
      if (e.phase === phase && e.type === 'done' && e.step)
        done.set(e.step.id, (done.get(e.step.id) ?? 0) + 1);
    }
    for (const [id, n] of done) assert.equal(n, 1, `${id} done ${n} times`);
    for (const h of foldJournal(entries).values()) {
      assert.ok(!['apply_in_flight', 'undo_in_flight'].includes(h.state), `${h.step.id} left ${h.state}`);
    }
  }

  it('apply until done, undo until undone: boundaries as they were, no credsweep policy left, none twice', async () => {
    const now = Date.now();
    const p = await planPermissions(planning.iam, now);
    assert.equal(p.steps.length, ROLES.length);
    assert.equal(
      new Set(p.steps.map((s) => s.restriction?.policyName)).size,
      2,
      'two shared boundary policies',
    );
    const file = join(dir, 'journal.jsonl');
    const clients = stubbedClients(faulty.iam);

    let applyRuns = 0;
    while (
      ![...foldJournal(readJournal(file, { missingOk: true })).values()].every(
        (h) => h.state === 'applied',
      ) ||
      applyRuns === 0
    ) {
      assert.ok(applyRuns < 5, 'every step done within 5 runs');
      const history = readJournal(file, { missingOk: true });
      const journal = new JournalWriter(file);
      try {
        await applyPlan(p, {
          clients,
          journal,
          history,
          now: () => now,
          runId: `run-${applyRuns}`,
          planFile: 'plan.json',
          callerAccessKeyId: null,
          callerArn: RESTRICT_CALLER.arn,
          allowIrreversible: false,
          exemptions: exemptionCheck([], now),
        });
      } finally {
        journal.close();
      }
      applyRuns += 1;
    }
    assertNoneTwice(readJournal(file), 'apply');
    for (const r of ROLES)
      assert.match((await boundaryOf(r.name)) ?? '', /policy\/credsweep\/CredsweepBoundary-/, r.name);
    assert.equal((await credsweepPolicies()).length, 2);

    for (let run = 0; run < 5; run++) {
      const journal = new JournalWriter(file);
      try {
        await undoJournal(readJournal(file), {
          clients,
          journal,
          now: () => now,
          runId: `undo-${run}`,
          planDigest: p.digest.value,
          // a journal written without a plan key, taken as written (undo --trust-unsigned-journal)
          trustUnsignedJournal: true,
        });
      } finally {
        journal.close();
      }
      if ([...foldJournal(readJournal(file)).values()].every((h) => h.state === 'undone')) break;
    }
    const states = [...foldJournal(readJournal(file)).values()].map((h) => [h.step.principalName, h.state]);
    assert.ok(
      states.every(([, s]) => s === 'undone'),
      JSON.stringify(states),
    );
    assertNoneTwice(readJournal(file), 'undo');
    for (const r of ROLES) assert.equal(await boundaryOf(r.name), originals.get(r.name), r.name);
    assert.deepEqual(await credsweepPolicies(), [], 'every credsweep boundary policy deleted');
    const faults = [...proxy.faultsByAccount().values()].reduce(
      (n, f) => n + f.throttle + f.reset + f.resetAfter,
      0,
    );
    assert.ok(faults > 10, `faults were injected (${faults})`);
  });
});
