/**
 * What the security-tool formats (ASFF, OCSF, Markdown, HTML) need to say about a finding beyond its
 * fields: which rule produced it, how severe it is, a stable identity across runs, and readable labels.
 * One place, so every format agrees.
 */
import { createHash } from 'node:crypto';
import type { Finding, FindingStatus } from '../model/finding.ts';
import { accessKeyUnused } from '../rules/access-key-unused.ts';
import { userWithoutCredentials } from '../rules/no-credentials.ts';
import { passwordUnused } from '../rules/password-unused.ts';
import { roleUnused } from '../rules/role-unused.ts';
import type { Severity } from '../rules/rule.ts';
import { signingCertificateUnverified } from '../rules/signing-certificate.ts';

export interface RuleFacts {
  id: string;
  title: string;
  severity: Severity;
}

/** Access Advisor's permission findings come from `auditPermissions`, not a `Rule` object. */
const PERMISSION_UNUSED: RuleFacts = {
  id: 'permission-unused',
  title: 'Granted service or action not used',
  severity: 'medium',
};

export function ruleOf(f: Finding): RuleFacts {
  switch (f.credential) {
    case 'password':
      return passwordUnused;
    case 'access_key_1':
    case 'access_key_2':
      return accessKeyUnused;
    case 'cert_1':
    case 'cert_2':
      return signingCertificateUnverified;
    case 'none':
      return userWithoutCredentials;
    case 'role':
      return roleUnused;
    default:
      return PERMISSION_UNUSED;
  }
}

export type SeverityLevel = 'informational' | Severity;

/**
 * How much a finding matters now: the rule's severity when the credential is unused (a root access
 * key or password one level higher: root cannot be restricted by policies), low for what needs a look
 * (inactive, unverified, no credentials), informational for the rest.
 */
export function severityOf(f: Finding): SeverityLevel {
  switch (f.status) {
    case 'unused': {
      const base = ruleOf(f).severity;
      if (f.principalType !== 'root') return base;
      return base === 'low' ? 'medium' : base === 'medium' ? 'high' : 'critical';
    }
    case 'unverified':
    case 'inactive':
    case 'no_credentials':
      return 'low';
    default:
      return 'informational';
  }
}

/** A problem to act on, a thing to review, or fine (in use, exempt, service-linked). */
export function outcomeOf(status: FindingStatus | string): 'failed' | 'warning' | 'passed' {
  if (status === 'unused') return 'failed';
  if (status === 'unverified' || status === 'inactive' || status === 'no_credentials') return 'warning';
  return 'passed';
}

/**
 * The credential's identity across runs: account, principal ARN and credential slot (plus the
 * service or action of a permission finding). Slots, not key ids: the credential report has no key
 * ids, and a finding should update in place whichever source saw it.
 */
export function findingKey(f: Finding): string {
  const detail = f.credential === 'permission' ? `/${f.action ?? f.service ?? ''}` : '';
  return `${f.accountId}/${f.arn}/${f.credential}${detail}`;
}

/** `findingKey`, fitted into `max` characters (a hash replaces what does not fit). */
export function boundedKey(prefix: string, f: Finding, max: number): string {
  const id = `${prefix}${findingKey(f)}`;
  if (id.length <= max) return id;
  const digest = createHash('sha256').update(findingKey(f)).digest('hex');
  return `${prefix}${f.accountId}/sha256-${digest}`.slice(0, max);
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
    default:
      return f.credential;
  }
}

export function principalLabel(f: Finding): string {
  if (f.principalType === 'root') return `root user of ${f.accountId}`;
  return `IAM ${f.principalType} ${f.principalName}`;
}

/** `not_tracked_before_2014_10_20` → `not tracked before 2014-10-20`. */
export function caveatLabel(caveat: string): string {
  return caveat.replace(/(\d{4})_(\d{2})_(\d{2})/, '$1-$2-$3').replaceAll('_', ' ');
}

/** The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`, …); `aws` when it cannot tell. */
export function partitionOf(arn: string): string {
  return /^arn:(aws(?:-[a-z]+)*):/.exec(arn)?.[1] ?? 'aws';
}
