/**
 * The history database (`--db`, or `db` in the configuration file) at the CLI's edge: the run's
 * findings kept as they stream past, the HTML report's trend, then the run stored.
 *
 *   auditHistory(ctx, dbPath) → { check(), keep(findingBatches), trend(report), store(meta, tally, extras) }
 */
import { printable } from '../reporters/printable.ts';
import { type AuditMeta, type AuditTally, assembleAuditReport } from '../audit/audit-report.ts';
import { type TrendPoint, trend } from '../history/run-store.ts';
import type { AuditReport, Finding } from '../model/finding.ts';
import type { CliContext } from './context.ts';

export interface AuditHistory {
  /** Opens the database once before the audit, so a wrong --db fails in a second, not after the audit. */
  check(): Promise<void>;
  /** The findings (in batches), remembered on their way to the reporter. */
  keep(findingBatches: AsyncIterable<readonly Finding[]>): AsyncIterable<readonly Finding[]>;
  /** Render options that need the history (the HTML report's trend, this run last). */
  trend(report: Pick<AuditReport, 'generatedAt' | 'summary'>): Promise<TrendPoint[] | undefined>;
  store(meta: AuditMeta, tally: AuditTally, extras: Pick<AuditReport, 'exemptions'>): Promise<void>;
}

export function auditHistory(ctx: CliContext, dbPath: string): AuditHistory {
  const kept: Finding[] = [];
  return {
    async check() {
      await (await openRunStore(dbPath)).close();
    },
    async *keep(findingBatches) {
      for await (const batch of findingBatches) {
        for (const finding of batch) kept.push(finding);
        yield batch;
      }
    },
    async trend(report) {
      const store = await openRunStore(dbPath);
      try {
        return [...(await trend(store)), { runAt: report.generatedAt, unused: report.summary.unused ?? 0 }];
      } finally {
        await store.close();
      }
    },
    async store(meta, tally, extras) {
      const report = { ...assembleAuditReport(meta, kept, tally.accountResults()), ...extras };
      const store = await openRunStore(dbPath);
      try {
        const run = await store.saveRun(report);
        ctx.stderr.write(`credsweep: stored as run ${run.id} in ${printable(dbPath)}\n`);
      } finally {
        await store.close();
      }
    },
  };
}

/** The history store, loaded only when a run uses it (sql.js is a few MB of WebAssembly). */
async function openRunStore(path: string) {
  const { openSqliteRunStore } = await import('../history/sqlite-run-store.ts');
  return openSqliteRunStore(path);
}
