/**
 * `credsweep/history`: the store of audit runs (`audit --db`, SQLite via sql.js), its retention, and
 * what changed between two runs.
 */
export {
  trend,
  type PruneOutcome,
  type RunStore,
  type RunSummary,
  type SavedRun,
  type StoredRun,
  type TrendPoint,
} from '../history/run-store.ts';
export { type Retention, runsPastRetention } from '../history/retention.ts';
export {
  HistoryFullError,
  MAX_DATABASE_BYTES,
  openSqliteRunStore,
  type SqliteRunStoreOptions,
} from '../history/sqlite-run-store.ts';
export {
  diffRuns,
  credentialIdentity,
  isEmptyDiff,
  type RunDiff,
  type CredentialChange,
} from '../history/diff-runs.ts';
export { renderDiffText } from '../history/render-diff.ts';
