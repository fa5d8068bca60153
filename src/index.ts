/**
 * credsweep's core library API (`import … from 'credsweep'`): the model, the rules and severities,
 * credential report parsing, the audit use case, reporters, plan assembly, configuration, errors and
 * time. Loading it loads no AWS SDK (test/library/exports.test.ts checks that and pins these names);
 * what talks to AWS is in the subpaths credsweep/aws, credsweep/remediation, credsweep/cloudtrail and
 * credsweep/history (src/api/). docs/library.md shows it in use.
 */
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
export { AwsAccessError, CredsweepError, ExitCode, InputError, InternalError, UsageError } from './errors.ts';
export {
  ACTIVITY_SOURCES,
  CAVEATS,
  CREDENTIAL_KINDS,
  FINDING_STATUSES,
  PRINCIPAL_TYPES,
  auditReportSchema,
  findingSchema,
  type AccountResult,
  type ActivitySource,
  type AuditReport,
  type Caveat,
  type CredentialKind,
  type ExemptionNotice,
  type ExemptionOutcome,
  type Finding,
  type FindingStatus,
} from './model/finding.ts';
export type * from './model/inventory.ts';
export { recogniseJson, recogniseText, type FileKind } from './model/file-kinds.ts';
export {
  evaluatePrincipal,
  RULES,
  DEFAULT_EXEMPTION,
  type ExemptionPolicy,
  type EvaluationContext,
  type Rule,
} from './rules/index.ts';
export {
  THRESHOLD_KINDS,
  thresholdFor,
  type RuleFacts,
  type Severity,
  type ThresholdKind,
} from './rules/rule.ts';
export { ruleOf, severityOf, SEVERITY_LEVELS, type SeverityLevel } from './rules/severity.ts';
export { REPORTERS, reporterFor, type Reporter, type RenderOptions } from './reporters/index.ts';
export { renderHtmlReport } from './reporters/html/index.ts';
export { toAsffFindings, type AsffFinding, type AsffOptions } from './reporters/asff.ts';
export { toOcsfFindings, type OcsfDetectionFinding } from './reporters/ocsf.ts';
export { renderMarkdown } from './reporters/markdown.ts';
export { parseCredentialReport, type ReportRow } from './sources/credential-report/parse-csv.ts';
export { parseAsOf, parseIsoDateTime, toIso, type EpochMs } from './time.ts';
export {
  REMEDIATION_ACTIONS,
  SKIP_REASONS,
  remediationPlanSchema,
  type PlanStep,
  type RemediationActionId,
  type RemediationPlan,
  type SkipReason,
  type SkippedCredential,
} from './model/remediation-plan.ts';
export { type JournalEntry, journalEntrySchema } from './model/remediation-journal.ts';
export type * from './model/trail-summary.ts';
export {
  assembleRemediationPlan,
  type CallerIdentity,
  type PlanOptions,
} from './remediation/plan.ts';
export { loadConfig, CONFIG_FILE_NAMES, type LoadedConfig } from './config/load-config.ts';
export { parseConfig } from './config/parse-config.ts';
export { configSchema, type CredsweepConfig, type Exemption } from './config/schema.ts';
export { ExemptionMatcher, applyExemptions, exemptionWarnings } from './config/exemptions.ts';
