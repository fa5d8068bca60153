/** credsweep's library API. */
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
export { parseCredentialReport } from './sources/credential-report/parse-csv.ts';
export { rowToPrincipal } from './sources/credential-report/to-inventory.ts';
export { parseAsOf, parseIsoDateTime, toIso } from './time.ts';
