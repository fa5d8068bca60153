/**
 * What the formats (table, ASFF, OCSF, Markdown, HTML) need to say about a finding beyond its fields:
 * which rule produced it, how severe it is, a stable identity across runs, and readable labels; and
 * whether a report's findings are credentials or permissions. One place, so every format agrees.
 */
import { createHash } from 'node:crypto';
import type { AccountResult, Finding, FindingStatus } from '../model/finding.ts';
import { instanceIdOf } from '../model/credential-ids.ts';
import { counted } from '../plural.ts';
import { ruleOf, type SeverityLevel, severityOf } from '../rules/severity.ts';

export type { RuleFacts } from '../rules/rule.ts';
export { ruleOf, type SeverityLevel, severityOf };
import { serviceCredentialLabel } from '../rules/service-specific-credential.ts';

/**
 * A last activity whose source is `created`: the principal's creation (a role's, not a user's; the
 * root user's is the account's).
 */
export function createdWords(principalType: Finding['principalType']): string {
  if (principalType === 'root') return 'account created';
  if (principalType === 'mfa_device') return 'device created';
  return `${principalType} created`;
}

/** What telling a permissions report from an audit looks at: its findings and its accounts. */
interface FindingsOfAccounts {
  findings: readonly Pick<Finding, 'credential' | 'arn'>[];
  accounts: readonly Pick<AccountResult, 'source'>[];
}

/**
 * A `credsweep permissions` report: its findings are permissions (one per granted service or
 * action), not credentials, and every format's headings and counts say so. Every finding a
 * permission, or, with none to go by, every account read with Access Advisor.
 */
export function isPermissionsReport(report: FindingsOfAccounts): boolean {
  if (report.findings.length > 0) return report.findings.every((f) => f.credential === 'permission');
  return report.accounts.length > 0 && report.accounts.every((a) => a.source === 'access-advisor');
}

/** What a report's findings are, in a word: `permission` in a permissions report, else `credential`. */
export function findingNoun(report: FindingsOfAccounts): 'permission' | 'credential' {
  return isPermissionsReport(report) ? 'permission' : 'credential';
}

/** `52 credentials`, or `10 permissions of 5 principals` in a permissions report: `total` findings counted. */
export function countedFindings(report: FindingsOfAccounts, total: number): string {
  if (!isPermissionsReport(report)) return counted(total, 'credential');
  return `${counted(total, 'permission')} of ${counted(new Set(report.findings.map((f) => f.arn)).size, 'principal')}`;
}

/** A problem to act on, a thing to review, or fine (in use, exempt, service-linked). */
export function outcomeOf(status: FindingStatus | string): 'failed' | 'warning' | 'passed' {
  if (status === 'unused') return 'failed';
  if (status === 'unverified' || status === 'inactive' || status === 'no_credentials') return 'warning';
  return 'passed';
}

/**
 * The credential's identity across runs: account, principal ARN and credential slot (plus the
 * service or action of a permission finding, or the id of an SSH key or service-specific credential,
 * of which a user can have several). Slots, not key ids: the credential report has no key ids, and a
 * finding should update in place whichever source saw it.
 */
export function findingKey(f: Finding): string {
  const detail =
    f.credential === 'permission'
      ? `/${f.action ?? f.service ?? ''}`
      : f.credential === 'ssh_public_key' || f.credential === 'service_specific_credential'
        ? `/${instanceIdOf(f) ?? ''}`
        : '';
  return `${f.accountId}/${f.arn}/${f.credential}${detail}`;
}

/** `findingKey`, fitted into `max` characters (a hash replaces what does not fit). */
export function boundedKey(prefix: string, f: Finding, max: number): string {
  const id = `${prefix}${findingKey(f)}`;
  if (id.length <= max) return id;
  const digest = createHash('sha256').update(findingKey(f)).digest('hex');
  return `${prefix}${f.accountId}/sha256-${digest}`.slice(0, max);
}

/** The kinds whose code, with spaces for `_`, would not be how people write them. */
const KIND_WORDS: Partial<Record<string, string>> = {
  ssh_public_key: 'SSH public key',
  service_specific_credential: 'service-specific credential',
  mfa_device: 'MFA device',
};

/** A credential kind or principal type for a table: `access key 1`, `SSH public key`, `MFA device`. */
export function kindWords(code: string): string {
  return KIND_WORDS[code] ?? code.replace(/^cert_/, 'certificate_').replaceAll('_', ' ');
}

export function statusLabel(status: FindingStatus | string): string {
  return status.replaceAll('_', ' ');
}

export function credentialLabel(f: Finding): string {
  const slot = /_(\d)$/.exec(f.credential)?.[1];
  switch (f.credential) {
    case 'password':
      return 'console password';
    case 'access_key_1':
    case 'access_key_2':
      return f.accessKeyId ? `access key ${slot} (${f.accessKeyId})` : `access key ${slot}`;
    case 'cert_1':
    case 'cert_2':
      return f.certificateId
        ? `signing certificate ${slot} (${f.certificateId})`
        : `signing certificate ${slot}`;
    case 'none':
      return 'no credentials';
    case 'role':
      return 'role (assumed)';
    case 'permission':
      return `permission ${f.action ?? f.service ?? ''}`.trim();
    case 'ssh_public_key':
      return f.sshPublicKeyId ? `SSH public key (${f.sshPublicKeyId})` : 'SSH public key';
    case 'service_specific_credential': {
      const label = serviceCredentialLabel(f.service ?? 'service');
      return f.serviceSpecificCredentialId ? `${label} (${f.serviceSpecificCredentialId})` : label;
    }
    case 'mfa_device':
      return 'unassigned virtual MFA device';
    default:
      return f.credential;
  }
}

export function principalLabel(f: Finding): string {
  if (f.principalType === 'root') return `root user of ${f.accountId}`;
  if (f.principalType === 'mfa_device') return `virtual MFA device ${f.principalName}`;
  return `IAM ${f.principalType} ${f.principalName}`;
}

/** What each caveat means, in plain words (the JSON keeps the codes). */
const CAVEAT_WORDS: Record<string, string> = {
  not_tracked_before_2014_10_20: 'not tracked before 2014-10-20',
  not_tracked_before_2015_04_22: 'not tracked before 2015-04-22',
  used_after_as_of: 'used after the as-of date',
  password_gap_2018: 'sign-ins of 4-23 May 2018 not recorded',
  report_stale: 'credential report over 4 hours old',
  role_tracking_400_days: 'role use tracked for 400 days only',
  key_used_from_many_ips: 'used from many IP addresses',
  access_advisor_400_days: 'Access Advisor tracks 400 days only',
  duplicate_report_rows: 'listed twice in the report (merged)',
  api_key_never_expires: 'API key never expires',
  api_key_far_expiry: 'API key expires over a year ahead',
  access_analyzer_disagrees: 'IAM Access Analyzer disagrees',
  no_date_from_aws: 'no date from AWS',
  status_unknown: 'status unknown to credsweep',
};

/** `not_tracked_before_2014_10_20` → `not tracked before 2014-10-20`; unknown codes lose their `_`. */
export function caveatLabel(caveat: string): string {
  const tracked = /^access_analyzer_(\d+)_days$/.exec(caveat)?.[1];
  if (tracked !== undefined) return `IAM Access Analyzer tracks ${tracked} days`;
  return CAVEAT_WORDS[caveat] ?? caveat.replace(/(\d{4})_(\d{2})_(\d{2})/, '$1-$2-$3').replaceAll('_', ' ');
}

/** A finding's notes in plain words: `never used · not tracked before 2014-10-20`. */
export function notesOf(f: Finding, separator = ' · '): string {
  return [f.neverUsed ? 'never used' : '', ...f.caveats.map(caveatLabel)].filter(Boolean).join(separator);
}
