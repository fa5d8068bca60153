/**
 * The history database (`--db`, or `db` in the configuration file) at the CLI's edge: the run's
 * findings kept as they stream past, the HTML report's trend, then the run stored (and the runs past
 * the retention removed, in the same write).
 *
 *   auditHistory(ctx, dbPath, retention) → { check(), keep(findingBatches), trend(report), store(meta, tally, extras) }
 *
 * The report comes first: a history that cannot take the run (at its cap, locked by another run) is
 * one line after the report and `store` returning false (exit 2), never a report lost.
 */
import { type AuditMeta, type AuditTally, assembleAuditReport } from '../audit/audit-report.ts';
import { type CredsweepError, isCredsweepError, locatedMessage } from '../errors.ts';
import { describeRetention, idRanges, type Retention } from '../history/retention.ts';
import { type TrendPoint, trend } from '../history/run-store.ts';
import type { AuditReport, Finding } from '../model/finding.ts';
import { counted } from '../plural.ts';
import { printable } from '../reporters/printable.ts';
import type { CliContext } from './context.ts';

export interface AuditHistory {
  /**
   * Opens the database once before the audit, so a wrong --db (not a file, another application's)
   * fails in a second, not after the audit. A database at its cap is no wrong --db: the audit runs.
   */
  check(): Promise<void>;
  /** The findings (in batches), remembered on their way to the reporter. */
  keep(findingBatches: AsyncIterable<readonly Finding[]>): AsyncIterable<readonly Finding[]>;
  /** Render options that need the history (the HTML report's trend, this run last). */
  trend(report: Pick<AuditReport, 'generatedAt' | 'summary'>): Promise<TrendPoint[] | undefined>;
  /** Stores the run; false: it could not be, and one line on standard error said why. */
  store(meta: AuditMeta, tally: AuditTally, extras: Pick<AuditReport, 'exemptions'>): Promise<boolean>;
}

export function auditHistory(ctx: CliContext, dbPath: string, retention?: Retention): AuditHistory {
  const kept: Finding[] = [];
  /** Why the database cannot be read (at its cap), found by check(). */
  let full: CredsweepError | undefined;
  return {
    async check() {
      try {
        await (await openRunStore(dbPath)).close();
      } catch (e) {
        if (!(await isHistoryFull(e))) throw e;
        full = e as CredsweepError;
      }
    },
    async *keep(findingBatches) {
      for await (const batch of findingBatches) {
        for (const finding of batch) kept.push(finding);
        yield batch;
      }
    },
    async trend(report) {
      if (full) return undefined;
      // A file that became unreadable since check(), or whose runs cannot be read (damaged), costs
      // the chart, not the report: store() says why.
      const unreadable = (e: unknown) => {
        if (isCredsweepError(e)) return undefined;
        throw e;
      };
      const store = await openRunStore(dbPath).catch(unreadable);
      if (!store) return undefined;
      try {
        const points = await trend(store).catch(unreadable);
        return points && [...points, { runAt: report.generatedAt, unused: report.summary.unused ?? 0 }];
      } finally {
        await store.close();
      }
    },
    async store(meta, tally, extras) {
      const report = { ...assembleAuditReport(meta, kept, tally.accountResults()), ...extras };
      try {
        if (full) throw full;
        const store = await openRunStore(dbPath);
        try {
          const run = await store.saveRun(report, retention);
          const removed =
            run.removed.length > 0 && retention
              ? `; removed ${counted(run.removed.length, 'older run')} (${idRanges(run.removed)}): ${describeRetention(retention)}`
              : '';
          ctx.stderr.write(`credsweep: stored as run ${run.id} in ${printable(dbPath)}${removed}\n`);
        } finally {
          await store.close();
        }
        return true;
      } catch (e) {
        if (!isCredsweepError(e)) throw e;
        const hint = e.hint ? ` (${e.hint})` : '';
        ctx.stderr.write(`credsweep: run not stored: ${printable(`${locatedMessage(e)}${hint}`)}\n`);
        return false;
      }
    },
  };
}

/** The history store, loaded only when a run uses it (sql.js is a few MB of WebAssembly). */
async function openRunStore(path: string) {
  const { openSqliteRunStore } = await import('../history/sqlite-run-store.ts');
  return openSqliteRunStore(path);
}

async function isHistoryFull(e: unknown): Promise<boolean> {
  const { HistoryFullError } = await import('../history/sqlite-run-store.ts');
  return e instanceof HistoryFullError;
}
