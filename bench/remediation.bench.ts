/**
 * Remediation at organisation scale: `credsweep apply` and `credsweep undo` (the real CLI process)
 * over an Organization of 100 moto accounts (CREDSWEEP_BENCH_APPLY_ACCOUNTS), one key to deactivate
 * in each, behind the fault proxy adding 50 ms to every call (CREDSWEEP_BENCH_APPLY_LATENCY_MS), at
 * `--concurrency` 1 (one step at a time: the baseline, measured in the same run), 4 (the default) and
 * 16. Every case applies the same plan with a fresh journal and its undo puts the keys back, so each
 * case starts from the same state; the outcomes are checked (every step done, every key reversed).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFaultProxy } from '../test/helpers/fault-proxy.ts';
import { MOTO_CLI_ENV, startMoto } from '../test/helpers/moto.ts';
import { seedOrg } from '../test/helpers/seed-org.ts';
import { fmt, measureProcess } from './measure.ts';
import type { Benchmark } from './run.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const ACCOUNTS = Number(process.env.CREDSWEEP_BENCH_APPLY_ACCOUNTS ?? 100);
const LATENCY_MS = Number(process.env.CREDSWEEP_BENCH_APPLY_LATENCY_MS ?? 50);
const ROLE = 'OrganizationAccountAccessRole';

export const remediationBench: Benchmark = {
  name: 'remediation',
  description: `apply and undo of one deactivation in each of ${ACCOUNTS} moto accounts, ${LATENCY_MS} ms per call: --concurrency 1 (baseline) vs 4 vs 16`,
  async run() {
    const moto = await startMoto();
    const proxy = await startFaultProxy({ target: moto.endpoint });
    const dir = await mkdtemp(join(tmpdir(), 'credsweep-bench-remediation-'));
    const cli = async (args: string[], what: string) => {
      const run = await measureProcess(process.execPath, [CLI, ...args], {
        ...process.env,
        ...MOTO_CLI_ENV,
        AWS_ENDPOINT_URL: proxy.url,
      });
      if (run.code !== 0) throw new Error(`${what} failed (exit ${run.code}): ${run.stderr.slice(-2000)}`);
      return run;
    };
    try {
      // Keys created 300 days ago and never used; one user with a key and one with a password each.
      await moto.setClockOffsetDays(-300);
      await seedOrg(moto.clientConfig(), { members: ACCOUNTS - 1, usersPerAccount: 2 });
      await moto.setClockOffsetDays(0);
      const findings = join(dir, 'findings.json');
      const plan = join(dir, 'plan.json');
      await cli(['audit', '--org', '--format', 'json', '--output', findings], 'audit');
      await cli(['plan', '--from', findings, '--output', plan, '--role-name', ROLE], 'plan');
      console.log(
        '| --concurrency | apply wall | apply calls | apply ÷ baseline | undo wall | undo ÷ baseline | ideal apply = calls × latency / concurrency |',
      );
      console.log('|---|---|---|---|---|---|---|');
      proxy.configure({ latencyMs: LATENCY_MS });
      let baseline = { apply: 0, undo: 0 };
      for (const concurrency of [1, 4, 16]) {
        const journal = join(dir, `journal-${concurrency}.jsonl`);
        const flags = ['--yes', '--role-name', ROLE, '--concurrency', String(concurrency)];
        proxy.resetCounters();
        const apply = await cli(['apply', plan, '--journal', journal, ...flags], 'apply');
        const calls = proxy.totalCalls();
        const done = /(\d+) done/.exec(apply.stdout)?.[1];
        if (Number(done) !== ACCOUNTS) throw new Error(`apply: expected ${ACCOUNTS} done: ${apply.stdout}`);
        const undo = await cli(['undo', journal, ...flags], 'undo');
        const reversed = /(\d+) reversed/.exec(undo.stdout)?.[1];
        if (Number(reversed) !== ACCOUNTS)
          throw new Error(`undo: expected ${ACCOUNTS} reversed: ${undo.stdout}`);
        if (concurrency === 1) baseline = { apply: apply.wallMs, undo: undo.wallMs };
        console.log(
          `| ${concurrency} | ${fmt(apply.wallMs / 1000, 2)} s | ${calls} | ${fmt(apply.wallMs / baseline.apply, 2)}× | ${fmt(undo.wallMs / 1000, 2)} s | ${fmt(undo.wallMs / baseline.undo, 2)}× | ${fmt((calls * LATENCY_MS) / concurrency / 1000, 2)} s |`,
        );
      }
    } finally {
      await proxy.close();
      await moto.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
