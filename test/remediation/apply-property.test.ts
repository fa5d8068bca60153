/**
 * A property, against moto (fast-check, fixed seed): for random mutations of a valid plan — steps
 * added for any credential of the account, actions swapped, key ids, principals, ARNs, accounts,
 * kinds, `reversible`, `expected` and options edited, steps duplicated, `dataCollectedAt` moved — with
 * the digest recomputed as anyone can without a plan key, `apply` never acts on a credential that a
 * fresh audit of the same account would not plan. The fresh plan is made with --allow-irreversible
 * and the same configuration, so it is the most apply may ever do. Writes are intercepted at the SDK
 * (recorded, not sent), so moto keeps one state for every run; reads go to moto.
 *
 * Not mutated: the plan's recorded thresholds and journal list. Without a plan key those are taken as
 * written (docs/remediation.md says so); with a key any edit is refused (test/remediation/hostile-plan.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetAccessKeyLastUsedCommand, IAMClient } from '@aws-sdk/client-iam';
import fc from 'fast-check';
import {
  REMEDIATION_ACTIONS,
  type PlanStep,
  type RemediationPlan,
} from '../../src/model/remediation-plan.ts';
import type { RemediationClients } from '../../src/remediation/actions/index.ts';
import { applyPlan } from '../../src/remediation/apply.ts';
import { exemptionCheck } from '../../src/remediation/exemptions.ts';
import { JournalWriter } from '../../src/remediation/journal.ts';
import { sealPlan } from '../../src/remediation/plan-digest.ts';
import { readRemediationPlan } from '../../src/remediation/read-files.ts';
import { verifyPlan } from '../../src/remediation/verify-plan.ts';
import { runCredsweep } from '../helpers/cli.ts';
import {
  inAccount,
  MOTO_CLI_ENV,
  MOTO_DEFAULT_ACCOUNT as ACCOUNT,
  type MotoServer,
  startMoto,
} from '../helpers/moto.ts';
import {
  MEMBER,
  PLAN_CONFIG,
  type RemediationFixture,
  seedRemediationFixture,
} from '../helpers/remediation-fixture.ts';

const WRITES = new Set([
  'UpdateAccessKeyCommand',
  'DeleteAccessKeyCommand',
  'DeleteLoginProfileCommand',
  'UpdateSigningCertificateCommand',
]);
const WRITE_OF: Record<string, string> = {
  'deactivate-access-key': 'UpdateAccessKeyCommand',
  'delete-access-key': 'DeleteAccessKeyCommand',
  'delete-login-profile': 'DeleteLoginProfileCommand',
  'deactivate-signing-certificate': 'UpdateSigningCertificateCommand',
};
async function lastUsed(iam: IAMClient, keyId: string): Promise<string | null> {
  const r = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keyId }));
  const d = r.AccessKeyLastUsed?.LastUsedDate;
  return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
}
const writeKey = (command: string, account: string, target: string) => `${command}:${account}:${target}`;

describe('apply never acts beyond what a fresh audit would plan (property, moto)', () => {
  let moto: MotoServer;
  let dir: string;
  let fx: RemediationFixture;
  let allowed: Set<string>;
  let pool: PlanStep[];

  before(async () => {
    moto = await startMoto();
    const iam = new IAMClient(moto.clientConfig());
    dir = mkdtempSync(join(tmpdir(), 'credsweep-property-'));
    fx = await seedRemediationFixture(moto, iam, dir);
    // A fresh live audit of the same account, planned with the same configuration, irreversible allowed.
    const env = { ...MOTO_CLI_ENV, AWS_ENDPOINT_URL: moto.endpoint };
    const findings = join(dir, 'fresh.json');
    assert.equal((await runCredsweep(['audit', '--format', 'json', '--output', findings], { env })).code, 0);
    const freshFile = join(dir, 'fresh-plan.json');
    const opsEnv = {
      ...env,
      AWS_ACCESS_KEY_ID: fx.ops.accessKeyId,
      AWS_SECRET_ACCESS_KEY: fx.ops.secretAccessKey,
    };
    const made = await runCredsweep(
      [
        'plan',
        '--from',
        findings,
        '--config',
        join(dir, 'plan-config.json'),
        '--allow-irreversible',
        '--output',
        freshFile,
      ],
      { env: opsEnv },
    );
    assert.equal(made.code, 0, made.stderr);
    const fresh = (await readRemediationPlan(freshFile)).plan;
    allowed = new Set(
      fresh.steps.map((s) =>
        writeKey(WRITE_OF[s.action]!, s.accountId, s.accessKeyId ?? s.certificateId ?? s.principalName),
      ),
    );
    assert.ok(allowed.size >= 3, 'the fresh plan has steps to compare against');
    // Forged steps: a deactivation, a deletion and a password deletion for every user, in both accounts
    // (other actions come in through the action-swap mutation).
    const cert = fresh.steps.find((s) => s.certificateId)!;
    pool = [];
    for (const [user, ids] of Object.entries(fx.keys)) {
      const accountId = user === 'mia' ? MEMBER : ACCOUNT;
      const base = {
        accountId,
        principalType: 'user' as const,
        principalName: user,
        arn: `arn:aws:iam::${accountId}:user/${user}`,
        reversible: true,
        reason: 'forged',
      };
      const used = accountId === ACCOUNT && ids[0] ? await lastUsed(iam, ids[0]) : null;
      for (const action of ids[0] ? (['deactivate-access-key', 'delete-access-key'] as const) : []) {
        pool.push({
          ...base,
          id: `${accountId}/${action}/${ids[0]}`,
          action,
          credential: 'access_key_1',
          accessKeyId: ids[0]!,
          // As an attacker would write it: the key's real last use, so only the live re-checks stop it.
          expected: { status: action === 'delete-access-key' ? 'Inactive' : 'Active', lastUsed: used },
        });
      }
      pool.push({
        ...base,
        id: `${accountId}/delete-login-profile/${user}`,
        action: 'delete-login-profile',
        credential: 'password',
        expected: { lastUsed: null },
      });
    }
    pool.push({ ...cert, id: 'forged-cert' });
    iam.destroy();
  });
  after(async () => {
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function recordingClients(writes: string[]): RemediationClients & { destroy(): void } {
    const made: IAMClient[] = [];
    const make = (accountId: string) => {
      const client = new IAMClient(moto.clientConfig());
      if (accountId !== ACCOUNT) inAccount(client, accountId);
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (!WRITES.has(context.commandName ?? '')) return next(args);
          const input = args.input as { AccessKeyId?: string; CertificateId?: string; UserName?: string };
          writes.push(
            writeKey(
              context.commandName!,
              accountId,
              input.AccessKeyId ?? input.CertificateId ?? input.UserName ?? '?',
            ),
          );
          return { output: { $metadata: {} }, response: {} } as never;
        },
        { step: 'initialize', name: 'recordWrites' },
      );
      made.push(client);
      return client;
    };
    const clients = new Map<string, IAMClient>();
    return {
      async iam(accountId) {
        if (!clients.has(accountId)) clients.set(accountId, make(accountId));
        return clients.get(accountId)!;
      },
      async rootIam() {
        throw new Error('moto has no sts:AssumeRoot');
      },
      destroy: () => {
        for (const c of made) c.destroy();
      },
    };
  }

  type Mutation = (p: RemediationPlan, pick: number) => void;
  const at = <T>(xs: readonly T[], n: number) => xs[n % xs.length]!;
  const iso = (daysAgo: number) =>
    new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 19) + 'Z';
  /** Applies `edit` to one of the plan's steps (chosen by `n`), if it has any. */
  const onStep =
    (edit: (s: PlanStep, n: number) => void): Mutation =>
    (p, n) => {
      if (p.steps.length > 0) edit(at(p.steps, n), n);
    };
  const mutations: Mutation[] = [
    (p, n) => {
      p.steps.push(structuredClone(at(pool, n)));
    },
    onStep((s, n) => {
      s.action = at(REMEDIATION_ACTIONS, n >> 3);
    }),
    onStep((s, n) => {
      s.accessKeyId = at(pool, n >> 2).accessKeyId;
    }),
    onStep((s, n) => {
      const other = at(pool, n >> 2);
      s.principalName = other.principalName;
      if (n & 1) s.arn = other.arn;
    }),
    onStep((s, n) => {
      s.accountId = n & 1 ? MEMBER : ACCOUNT;
    }),
    onStep((s) => {
      s.reversible = !s.reversible;
    }),
    onStep((s, n) => {
      s.expected.lastUsed = at([null, iso(0), iso(400)], n >> 2);
    }),
    onStep((s, n) => {
      s.expected.status = n & 1 ? 'Inactive' : 'Active';
    }),
    onStep((s, n) => {
      s.credential = at(['password', 'access_key_2', 'cert_1'] as const, n >> 2);
    }),
    onStep((s, n) => {
      s.principalType = at(['root', 'role', 'user'] as const, n >> 2);
    }),
    (p, n) => {
      if (p.steps.length > 0) p.steps.push({ ...structuredClone(at(p.steps, n)), id: `dup-${n}` });
    },
    (p) => {
      p.options.allowIrreversible = true;
    },
    (p, n) => {
      p.options.deleteAfterDays = n % 3;
    },
    (p, n) => {
      p.dataCollectedAt = iso(at([0, 1, 200], n));
    },
    (p, n) => {
      p.audit.accounts = n & 1 ? [ACCOUNT, MEMBER] : [ACCOUNT];
    },
    (p, n) => {
      p.steps.splice(n % (p.steps.length + 1), 1);
    },
  ];

  it('for 60 random mutated plans (seed 42), every AWS write is one the fresh plan has', async () => {
    let runs = 0;
    let writesSeen = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(pool.length - 1), { maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(mutations.length - 1), fc.nat(1000)), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        async (forged, edits, allowIrreversible) => {
          const mutated = structuredClone(fx.plan);
          for (const i of forged) mutated.steps.push(structuredClone(pool[i]!));
          for (const [which, pick] of edits) mutations[which]!(mutated, pick);
          const { digest: _, ...content } = mutated;
          const plan = sealPlan(content, undefined);
          try {
            verifyPlan(plan, 'plan.json', undefined);
          } catch {
            return; // refused as a whole: nothing can have been done
          }
          const writes: string[] = [];
          const clients = recordingClients(writes);
          const journal = new JournalWriter(join(dir, `run-${++runs}.jsonl`));
          try {
            await applyPlan(plan, {
              clients,
              journal,
              history: [],
              now: Date.now,
              runId: `run-${runs}`,
              planFile: 'plan.json',
              callerAccessKeyId: fx.ops.accessKeyId,
              allowIrreversible,
              exemptions: exemptionCheck(PLAN_CONFIG.exemptions, Date.now()),
              // A plan 200 days old is refused by its age (hostile-plan.test.ts); here the live checks
              // alone must stop whatever else a mutated plan asks.
              maxPlanAgeMs: Number.POSITIVE_INFINITY,
            });
          } finally {
            journal.close();
            clients.destroy();
          }
          writesSeen += writes.length;
          for (const w of writes)
            assert.ok(allowed.has(w), `apply wrote ${w}, which a fresh audit would not plan`);
        },
      ),
      { seed: 42, numRuns: 60 },
    );
    assert.ok(runs > 0, 'some mutated plans reached apply');
    assert.ok(writesSeen > 0, 'and some acted (the interception sees writes)');
  });
});
