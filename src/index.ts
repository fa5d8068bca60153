/** credsweep's library API. */
export {
  assembleAudit,
  runAudit,
  type AuditDeps,
  type AuditRun,
} from './audit/run-audit.ts';
export {
  AUDIT_DEFAULTS,
  resolveSettings,
  type AuditDefaults,
  type AuditFlags,
  type AuditSettings,
} from './audit/settings.ts';
export { AuditTally, assembleAuditReport, compareFindings, type AuditMeta } from './audit/audit-report.ts';
export { auditCredentialReport } from './audit/audit-credential-report.ts';
export {
  auditAccount,
  type AccountAuditOptions,
  type LiveSource,
  ACCOUNT_AUDIT_PERMISSIONS,
} from './audit/audit-account.ts';
export {
  auditAccounts,
  resolveAccountTargets,
  type AccountTarget,
  type FanOutOptions,
} from './audit/audit-accounts.ts';
export { liveAuditPolicy } from './audit/live-audit-policy.ts';
export { createClients, type AwsClients, type AwsConnection } from './aws/clients.ts';
export { assumeRoleInAccount, roleArnFor } from './aws/assume-role.ts';
export { AwsCallCounter, countCalls } from './aws/call-counter.ts';
export { classifyAwsError } from './aws/classify-error.ts';
export { fetchCredentialReport } from './sources/credential-report/fetch.ts';
export { AwsAccessError, CredsweepError, ExitCode, InputError, InternalError, UsageError } from './errors.ts';
export * from './model/finding.ts';
export type * from './model/inventory.ts';
export {
  evaluatePrincipal,
  RULES,
  DEFAULT_EXEMPTION,
  type ExemptionPolicy,
  type EvaluationContext,
  type Rule,
} from './rules/index.ts';
export { REPORTERS, reporterFor, type Reporter } from './reporters/index.ts';
export { renderHtmlReport } from './reporters/html/index.ts';
export { toAsffFindings, toAsffFinding, type AsffFinding, type AsffOptions } from './reporters/asff.ts';
export { toOcsfFindings, toOcsfFinding, type OcsfDetectionFinding } from './reporters/ocsf.ts';
export { renderMarkdown, escapeMarkdown } from './reporters/markdown.ts';
export {
  importFindingsToSecurityHub,
  SECURITY_HUB_EXPORT_PERMISSIONS,
  type SecurityHubImportResult,
} from './export/security-hub.ts';
export { exportPolicy } from './export/export-policy.ts';
export { parseCredentialReport } from './sources/credential-report/parse-csv.ts';
export { rowToPrincipal } from './sources/credential-report/to-inventory.ts';
export { parseAsOf, parseIsoDateTime, toIso } from './time.ts';
export * from './model/remediation-plan.ts';
export { type JournalEntry, journalEntrySchema } from './model/remediation-journal.ts';
export {
  assembleRemediationPlan,
  type CallerIdentity,
  type PlanOptions,
} from './remediation/plan.ts';
export {
  ACTIONS as REMEDIATION_ACTION_REGISTRY,
  type CredentialState,
  type RemediationAction,
  type RemediationClients,
} from './remediation/actions/index.ts';
export {
  applyPlan,
  changedSincePlan,
  checkPlanAge,
  type ApplyOptions,
  type StepResult,
} from './remediation/apply.ts';
export { undoJournal, previewUndo, type UndoResult } from './remediation/undo.ts';
export { JournalWriter, readJournal, foldJournal, deactivationDates } from './remediation/journal.ts';
export { remediationClients } from './remediation/clients.ts';
export { resolveCaller, resolveCredentialIds } from './remediation/resolve-credentials.ts';
export { remediationPolicy, remediationPermissions } from './remediation/policy.ts';
export { loadConfig, parseConfig, CONFIG_FILE_NAMES, type LoadedConfig } from './config/load-config.ts';
export { configSchema, type CredsweepConfig, type Exemption } from './config/schema.ts';
export { ExemptionMatcher, applyExemptions, exemptionWarnings } from './config/exemptions.ts';
export { THRESHOLD_KINDS, thresholdFor, type ThresholdKind } from './rules/rule.ts';
export {
  trend,
  type RunStore,
  type RunSummary,
  type StoredRun,
  type TrendPoint as HistoryTrendPoint,
} from './history/run-store.ts';
export { openSqliteRunStore } from './history/sqlite-run-store.ts';
export {
  diffRuns,
  credentialIdentity,
  isEmptyDiff,
  type RunDiff,
  type CredentialChange,
} from './history/diff-runs.ts';
export { renderDiffText } from './history/render-diff.ts';
export { planOwnerWarnings, type OwnerWarning } from './lambda/owner-warnings.ts';
export { SCHEDULED_AUDIT_PERMISSIONS } from './lambda/scheduled-audit.ts';
export {
  auditPermissions,
  type PermissionAuditOptions,
  type PermissionAuditResult,
} from './audit/audit-permissions.ts';
export {
  suggestReducedPolicies,
  suggestReducedPolicy,
  type SuggestedPolicy,
} from './audit/suggest-policy.ts';
export { evidencePolicy } from './audit/evidence-policy.ts';
export { evaluateServiceAccess } from './rules/permission-unused.ts';
export {
  fetchServiceLastAccessed,
  LAST_ACCESSED_PERMISSIONS,
} from './sources/access-advisor/last-accessed.ts';
export { listPermissionPrincipals, PRINCIPAL_PERMISSIONS } from './sources/access-advisor/principals.ts';
export type { PermissionPrincipal, ServiceAccess } from './sources/access-advisor/service-access.ts';
export {
  runAthenaTrailQuery,
  summaryFromAggregationRows,
  ATHENA_PERMISSIONS,
} from './sources/cloudtrail/athena.ts';
export { athenaAggregationSql, athenaTrailDdl } from './sources/cloudtrail/athena-sql.ts';
export { lookupTrailEvents, LOOKUP_EVENTS_PERMISSIONS } from './sources/cloudtrail/lookup-events.ts';
export { createTokenBucket, type TokenBucket } from './sources/cloudtrail/rate-limit.ts';
export type * from './model/trail-summary.ts';
export {
  createTrailAggregator,
  type TrailAggregator,
  type TrailAggregatorOptions,
  type TrailRecord,
} from './sources/cloudtrail/aggregate.ts';
export { scanCloudTrail, S3_TRAIL_PERMISSIONS, type TrailScanOptions } from './sources/cloudtrail/scan.ts';
export { foldTrailEvidence, indexTrailEvidence } from './audit/fold-trail-evidence.ts';
