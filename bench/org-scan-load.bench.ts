/**
 * Load: `credsweep audit --org` (the real CLI process) over an Organization of 500 moto accounts
 * (override with CREDSWEEP_BENCH_LOAD_ACCOUNTS) behind the fault proxy adding 50 ms to every call
 * (CREDSWEEP_BENCH_LOAD_LATENCY_MS). Reported: wall time, peak RSS, calls/s, and the wall time
 * against the ideal `calls × latency / concurrency` (every slot busy, nothing but latency). The
 * baseline measured in the same run is the same scan with no added latency (moto's own cost).
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
const PEAK = join(ROOT, 'bench/report-peak-rss.mjs');
const ACCOUNTS = Number(process.env.CREDSWEEP_BENCH_LOAD_ACCOUNTS ?? 500);
const LATENCY_MS = Number(process.env.CREDSWEEP_BENCH_LOAD_LATENCY_MS ?? 50);
const USERS = 4;

export const orgScanLoadBench: Benchmark = {
  name: 'org-scan-load',
  description: `--org scan of ${ACCOUNTS} moto accounts with ${LATENCY_MS} ms per call (fault proxy): wall time, peak RSS, calls/s vs ideal`,
  async run() {
    const moto = await startMoto();
    const proxy = await startFaultProxy({ target: moto.endpoint });
    const dir = await mkdtemp(join(tmpdir(), 'credsweep-bench-load-'));
    try {
      const seedStart = performance.now();
      await seedOrg(moto.clientConfig(), {
        members: ACCOUNTS - 1,
        usersPerAccount: USERS,
        generateReports: true,
      });
      console.log(
        `seeded ${ACCOUNTS} accounts × ${USERS} users in ${fmt((performance.now() - seedStart) / 1000)} s`,
      );
      const cases = [
        { latency: 0, concurrency: 8 },
        { latency: LATENCY_MS, concurrency: 8 },
        { latency: LATENCY_MS, concurrency: 32 },
      ];
      console.log(
        '| added latency | --concurrency | wall | peak RSS | calls | calls/s | ideal = calls × latency / concurrency | wall / ideal | wall − no-latency baseline |',
      );
      console.log('|---|---|---|---|---|---|---|---|---|');
      let baselineMs = 0;
      for (const c of cases) {
        proxy.configure({ latencyMs: c.latency });
        proxy.resetCounters();
        const run = await measureProcess(
          process.execPath,
          [
            '--import',
            PEAK,
            CLI,
            'audit',
            '--org',
            '--endpoint-url',
            proxy.url,
            '--concurrency',
            String(c.concurrency),
            '--format',
            'json',
            '--output',
            join(dir, 'out.json'),
          ],
          {
            ...process.env,
            ...MOTO_CLI_ENV,
          },
        );
        if (run.code !== 0)
          throw new Error(`audit --org failed (exit ${run.code}): ${run.stderr.slice(-2000)}`);
        const calls = proxy.totalCalls();
        if (c.latency === 0) baselineMs = run.wallMs;
        const ideal = (calls * c.latency) / c.concurrency;
        console.log(
          `| ${c.latency} ms | ${c.concurrency} | ${fmt(run.wallMs / 1000, 2)} s | ${fmt(run.peakRssMb)} MB | ${calls} | ${fmt(calls / (run.wallMs / 1000), 0)} | ${c.latency ? `${fmt(ideal / 1000, 2)} s` : '—'} | ${c.latency ? `${fmt(run.wallMs / ideal, 2)}×` : '—'} | ${c.latency ? `${fmt((run.wallMs - baselineMs) / 1000, 2)} s` : '—'} |`,
        );
      }
      console.log(
        `baseline (no added latency, --concurrency 8): ${fmt(baselineMs / 1000, 2)} s, i.e. moto's own service time plus process start; ` +
          `an account is ${fmt(proxy.totalCalls() / ACCOUNTS, 1)} calls (AssumeRole, GenerateCredentialReport, GetCredentialReport, ` +
          'GetAccountAuthorizationDetails) made one after another; the latency the scan adds is the last column, against the ideal',
      );
    } finally {
      await proxy.close();
      await moto.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
