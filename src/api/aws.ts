/**
 * `credsweep/aws`: the parts of the library that call AWS for an audit: clients, the live account
 * audit and its fan-out, the credential report download, Access Advisor, the Security Hub export, and
 * the least-privilege policies they need. See docs/library.md.
 */
export {
  auditAccount,
  type AccountAuditOptions,
  type LiveSource,
  ACCOUNT_AUDIT_PERMISSIONS,
} from '../audit/audit-account.ts';
export {
  auditAccounts,
  resolveAccountTargets,
  type AccountTarget,
  type FanOutOptions,
} from '../audit/audit-accounts.ts';
export { liveAuditPolicy } from '../audit/live-audit-policy.ts';
export { evidencePolicy } from '../audit/evidence-policy.ts';
export { createClients, type AwsClients, type AwsConnection } from '../aws/clients.ts';
export { assumeRoleInAccount, roleArnFor } from '../aws/assume-role.ts';
export { classifyAwsError } from '../aws/classify-error.ts';
export { fetchCredentialReport } from '../sources/credential-report/fetch.ts';
export {
  importFindingsToSecurityHub,
  SECURITY_HUB_EXPORT_PERMISSIONS,
  type SecurityHubImportResult,
} from '../export/security-hub.ts';
export { exportPolicy } from '../export/export-policy.ts';
export {
  auditPermissions,
  type PermissionAuditOptions,
  type PermissionAuditResult,
} from '../audit/audit-permissions.ts';
export {
  suggestReducedPolicies,
  suggestReducedPolicy,
  type SuggestedPolicy,
} from '../audit/suggest-policy.ts';
export {
  fetchServiceLastAccessed,
  LAST_ACCESSED_PERMISSIONS,
} from '../sources/access-advisor/last-accessed.ts';
export { listPermissionPrincipals, PRINCIPAL_PERMISSIONS } from '../sources/access-advisor/principals.ts';
export type { PermissionPrincipal, ServiceAccess } from '../sources/access-advisor/service-access.ts';
export { SCHEDULED_AUDIT_PERMISSIONS } from '../lambda/scheduled-audit.ts';
