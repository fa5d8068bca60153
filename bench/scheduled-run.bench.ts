/**
 * What one scheduled run costs beyond the AWS calls, for docs/scaling.md: with N findings (default
 * 200 000, CREDSWEEP_BENCH_FINDINGS), the heap a run's report holds, the run diff (diffRuns of two
 * N-finding runs) and storing the run in the SQLite history, each against a baseline measured in the
 * same run: JSON.stringify of the report (what the function does anyway to put it in S3) and writing
 * that JSON to a file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleAuditReport } from '../src/audit/audit-report.ts';
import { diffRuns } from '../src/history/diff-runs.ts';
import { openSqliteRunStore } from '../src/history/sqlite-run-store.ts';
import type { Finding } from '../src/model/finding.ts';
import { fmt } from './measure.ts';
import type { Benchmark } from './run.ts';

const N = Number(process.env.CREDSWEEP_BENCH_FINDINGS ?? 200_000);
const AS_OF = Date.UTC(2026, 10, 1);

/** Seeded: the same findings every run; `shift` moves some across the threshold (a realistic diff). */
function syntheticFindings(n: number, shift: number): Finding[] {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  return Array.from({ length: n }, (_, i) => {
    const account = String(100_000_000_000 + Math.floor(i / 100));
    const name = `user-${i % 100}-${Math.floor(random() * 1e6)}`;
    const age = Math.floor(random() * 400) + shift * (i % 10 === 0 ? 1 : 0);
    return {
      accountId: account,
      principalType: 'user',
      principalName: name,
      arn: `arn:aws:iam::${account}:user/${name}`,
      credential: i % 3 === 0 ? 'password' : 'access_key_1',
      status: age >= 90 ? 'unused' : 'in_use',
      lastUsed: '2026-01-01T00:00:00Z',
      lastActivity: '2026-01-01T00:00:00Z',
      lastActivitySource: 'last_used',
      ageDays: age,
      neverUsed: false,
      caveats: [],
      reason: `access key 1 last used ${age} days ago (threshold 90)`,
      accessKeyId: `AKIA${String(i).padStart(16, '0')}`,
    } satisfies Finding;
  });
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = fn();
  return { ms: performance.now() - started, value };
}

export const scheduledRunBench: Benchmark = {
  name: 'scheduled-run',
  description: `one scheduled run's own work with ${N.toLocaleString('en')} findings: heap, diff, history store vs JSON baselines`,
  async run() {
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const previous = assembleAuditReport(
      { generatedAt: AS_OF, asOf: AS_OF, thresholdDays: 90 },
      syntheticFindings(N, 0),
    );
    globalThis.gc?.();
    const heapPerFinding = (process.memoryUsage().heapUsed - heapBefore) / N;
    const current = assembleAuditReport(
      { generatedAt: AS_OF, asOf: AS_OF, thresholdDays: 90 },
      syntheticFindings(N, 30),
    );

    const json = time(() => JSON.stringify(current));
    const diff = time(() => diffRuns(previous, current));
    const dir = await mkdtemp(join(tmpdir(), 'credsweep-bench-history-'));
    try {
      const writeStarted = performance.now();
      await writeFile(join(dir, 'report.json'), json.value);
      const writeMs = performance.now() - writeStarted + json.ms;
      const store = await openSqliteRunStore(join(dir, 'history.sqlite'));
      const saveStarted = performance.now();
      await store.saveRun(current);
      const saveMs = performance.now() - saveStarted;
      await store.close();
      console.log(`| measure | value | vs baseline |`);
      console.log(`|---|---|---|`);
      console.log(
        `| heap per finding${globalThis.gc ? '' : ' (no --expose-gc: approximate)'} | ${fmt(heapPerFinding, 0)} bytes | JSON ${fmt(json.value.length / N, 0)} bytes/finding |`,
      );
      console.log(`| JSON.stringify (baseline) | ${fmt(json.ms)} ms | 1.00× |`);
      console.log(
        `| diffRuns, 2 × ${N.toLocaleString('en')} (${diff.value.newlyUnused.length.toLocaleString('en')} newly unused) | ${fmt(diff.ms)} ms | ${(diff.ms / json.ms).toFixed(2)}× JSON.stringify |`,
      );
      console.log(`| JSON written to a file (baseline) | ${fmt(writeMs)} ms | 1.00× |`);
      console.log(
        `| SQLite history saveRun (sql.js) | ${fmt(saveMs)} ms | ${(saveMs / writeMs).toFixed(2)}× the JSON file |`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
