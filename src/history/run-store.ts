/**
 * Where audit runs are kept between invocations. The CLI uses the embedded SQLite file
 * (sqlite-run-store.ts); a server database can replace it by implementing this interface.
 */
import type { AccountResult, AuditReport, Finding } from '../model/finding.ts';
import type { TrendPoint } from '../reporters/reporter.ts';

export interface RunSummary {
  /** Increasing with every stored run. */
  id: number;
  /** When the audit ran (the report's generatedAt), ISO-8601 UTC. */
  runAt: string;
  asOf: string;
  thresholdDays: number;
  accounts: AccountResult[];
  summary: Record<string, number>;
  findingCount: number;
}

export interface StoredRun extends RunSummary {
  findings: Finding[];
}

export interface RunStore {
  /** Stores the run and returns its summary (with the id it was given). */
  saveRun(report: AuditReport): Promise<RunSummary>;
  /** All runs, oldest first. */
  listRuns(): Promise<RunSummary[]>;
  loadRun(id: number): Promise<StoredRun | undefined>;
  close(): Promise<void>;
}

/** The HTML report's trend points are what this store produces: one type, declared by its reader. */
export type { TrendPoint };

/** Unused counts over the stored runs, oldest first (the HTML report's trend chart). */
export async function trend(store: RunStore): Promise<TrendPoint[]> {
  return (await store.listRuns()).map((r) => ({ runAt: r.runAt, unused: r.summary.unused ?? 0 }));
}
