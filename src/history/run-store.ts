/**
 * Where audit runs are kept between invocations. The CLI uses the embedded SQLite file
 * (sqlite-run-store.ts); a server database can replace it by implementing this interface.
 */
import type { AccountResult, AuditReport, Finding } from '../model/finding.ts';
import type { TrendPoint } from '../reporters/reporter.ts';
import type { EpochMs } from '../time.ts';
import type { Retention } from './retention.ts';

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

export interface SavedRun extends RunSummary {
  /** The ids of the older runs the retention removed with this one's write (ascending). */
  removed: number[];
}

export interface PruneOutcome {
  /** The ids of the runs removed (ascending); none: the file was not written. */
  removed: number[];
  /** Runs left. */
  kept: number;
  /** The file's size before and after. */
  bytesBefore: number;
  bytesAfter: number;
}

export interface RunStore {
  /**
   * Stores the run and returns its summary (with the id it was given). With a retention, the older
   * runs past it are removed in the same write (src/history/retention.ts), aged against the report's
   * generatedAt: the run is stored and they are removed, or neither.
   */
  saveRun(report: AuditReport, retention?: Retention): Promise<SavedRun>;
  /** Removes the runs past the retention as of `now` (whole runs, never the newest) and shrinks the store. */
  pruneRuns(retention: Retention, now: EpochMs): Promise<PruneOutcome>;
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
