/**
 * `credsweep/history`: the store of audit runs (`audit --db`, SQLite via sql.js) and what changed
 * between two runs.
 */
export {
  trend,
  type RunStore,
  type RunSummary,
  type StoredRun,
  type TrendPoint,
} from '../history/run-store.ts';
export { openSqliteRunStore } from '../history/sqlite-run-store.ts';
export {
  diffRuns,
  credentialIdentity,
  isEmptyDiff,
  type RunDiff,
  type CredentialChange,
} from '../history/diff-runs.ts';
export { renderDiffText } from '../history/render-diff.ts';
