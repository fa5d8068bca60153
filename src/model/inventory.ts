/**
 * What the sources collect and the rules evaluate: principals and their credentials, with dates as
 * epoch milliseconds (UTC) and "no date" as null. Every source (credential report, IAM API, …)
 * produces this shape, so the rules never know where the data came from.
 */
import type { EpochMs } from '../time.ts';

/**
 * `mfa_device` is an unassigned virtual MFA device: it belongs to no user, so it stands alone in the
 * inventory as its own "principal" (its ARN is the device's serial number).
 */
export type PrincipalType = 'root' | 'user' | 'role' | 'mfa_device';

export interface PasswordCredential {
  /** The password's last use, or null: never used, not tracked (before 2014-10-20), or unknown. */
  lastUsed: EpochMs | null;
  /** When it was set or last changed, if known. */
  lastChanged: EpochMs | null;
  /** Where lastUsed came from when it is evidence: a later use CloudTrail or Access Analyzer saw. */
  lastUsedSource?: EvidenceSource;
}

/**
 * A last use learnt from evidence folded in before the rules, not the credential's own IAM record:
 * `audit --cloudtrail` or `audit --access-analyzer`.
 */
export type EvidenceSource = 'cloudtrail' | 'access_analyzer';

/** What CloudTrail saw of an access key (`audit --cloudtrail`), folded in before evaluation. */
export interface KeyTrailEvidence {
  /** The busiest source IPs. */
  sourceIps: string[];
  /** Distinct source IPs. */
  sourceIpCount: number;
  /** More distinct source IPs than this is `key_used_from_many_ips`. */
  manyIps: number;
}

/**
 * Whether an access key, signing certificate or SSH key may be used, as IAM lists it (the credential
 * report has only `active`).
 */
export interface ListedStatus {
  active: boolean;
  /**
   * IAM's Status when it is neither Active nor Inactive (a status this version does not know, or none):
   * then `active` is true, as it may be usable, and the finding carries the `status_unknown` caveat.
   */
  unknownStatus?: string;
}

export interface AccessKeyCredential extends ListedStatus {
  /** 1 or 2, as the credential report numbers them (by creation order). */
  slot: 1 | 2;
  lastUsed: EpochMs | null;
  /** Created or last rotated (the report's `last_rotated`; the API's CreateDate). */
  lastRotated: EpochMs | null;
  /** Known only when collected through the IAM API. */
  accessKeyId?: string;
  lastUsedService?: string | null;
  lastUsedRegion?: string | null;
  /** Set when lastUsed is a later use CloudTrail or Access Analyzer saw. */
  lastUsedSource?: EvidenceSource;
  trail?: KeyTrailEvidence;
}

export interface SigningCertificateCredential extends ListedStatus {
  slot: 1 | 2;
  lastRotated: EpochMs | null;
  certificateId?: string;
}

/**
 * An SSH public key for CodeCommit (ListSSHPublicKeys). AWS records no last use for it
 * (docs/aws-behaviour.md §9); `lastUsed` is set only by evidence (CloudTrail).
 */
export interface SshPublicKeyCredential extends ListedStatus {
  sshPublicKeyId: string;
  uploadedAt: EpochMs | null;
  /** From evidence folded in before the rules run (CloudTrail); AWS itself keeps none. */
  lastUsed?: EpochMs | null;
}

/**
 * A service-specific credential (ListServiceSpecificCredentials, §9): CodeCommit Git credentials,
 * Amazon Keyspaces passwords, Amazon Bedrock and CloudWatch Logs API keys. No last-use record.
 */
export interface ServiceSpecificCredential {
  serviceSpecificCredentialId: string;
  /** e.g. `codecommit.amazonaws.com`, `cassandra.amazonaws.com`, `bedrock.amazonaws.com`. */
  serviceName: string;
  /**
   * `unknown`: IAM gave a status this version does not know (or none), kept in `unknownStatus`. It may
   * be usable: the audit reports it as if Active (caveat `status_unknown`), and nothing acts on it.
   */
  status: 'Active' | 'Inactive' | 'Expired' | 'unknown';
  /** IAM's Status as listed, when `status` is `unknown` (empty when IAM gave none). */
  unknownStatus?: string;
  createdAt: EpochMs | null;
  /** Only Bedrock and CloudWatch Logs API keys made with an expiry have one (§9). */
  expiresAt: EpochMs | null;
}

/** An unassigned virtual MFA device (ListVirtualMFADevices AssignmentStatus=Unassigned, §9). */
export interface VirtualMfaDevice {
  serialNumber: string;
}

export interface RoleActivity {
  lastUsed: EpochMs | null;
  lastUsedRegion?: string | null;
  path: string;
  /** `cloudtrail` when lastUsed is a later AssumeRole CloudTrail saw. */
  lastUsedSource?: EvidenceSource;
}

export interface Principal {
  accountId: string;
  type: PrincipalType;
  name: string;
  arn: string;
  createdAt: EpochMs;
  /** null when the principal has no console password. */
  password: PasswordCredential | null;
  accessKeys: AccessKeyCredential[];
  signingCertificates: SigningCertificateCredential[];
  /** Not in the credential report: listed beside it (src/audit/complete-report-users.ts) or by the IAM API path. */
  sshPublicKeys?: SshPublicKeyCredential[];
  serviceSpecificCredentials?: ServiceSpecificCredential[];
  /** Present for `mfa_device` only; such a principal has no credentials of its own. */
  virtualMfaDevice?: VirtualMfaDevice;
  /** Present for roles only. */
  role?: RoleActivity;
  tags?: Record<string, string>;
  /**
   * What IAM Access Analyzer's unused-access findings said about this principal's credentials
   * (src/sources/access-analyzer/), folded in before the rules run.
   */
  accessAnalyzer?: AccessAnalyzerEvidence;
  /** How many credential-report rows were merged into this principal, when more than one. */
  duplicateRows?: number;
  /** Where in the input this principal came from (for messages), e.g. `report.csv:12`. */
  origin?: string;
}

/** One Access Analyzer verdict on one credential (or permission) of a principal. */
export interface AccessAnalyzerVerdict {
  findingId: string;
  /** The last use Access Analyzer knows, or null: never used in its tracking period. */
  lastAccessed: EpochMs | null;
}

/**
 * The ACTIVE unused-access findings of one analyzer for one principal (§3.4, §10). A credential with
 * no verdict here was not reported unused by the analyzer (used within its tracking period, or too
 * new to be evaluated: only entities that existed for the whole period are).
 */
export interface AccessAnalyzerEvidence {
  analyzerArn: string;
  /** The analyzer's `unusedAccessAge` in days. */
  trackingDays: number;
  role?: AccessAnalyzerVerdict;
  password?: AccessAnalyzerVerdict;
  /** By access key id. */
  accessKeys: Record<string, AccessAnalyzerVerdict>;
  /** UnusedPermission findings, by service namespace (`s3`). */
  permissions: Record<string, AccessAnalyzerServiceVerdict>;
}

/**
 * One service of an UnusedPermission finding (§3.4, §10). A finding that lists no action means the
 * whole service is unused; one that lists actions means those actions are (action-level details
 * exist only for the services IAM tracks actions of), and its `lastAccessed` is the service's.
 */
export interface AccessAnalyzerServiceVerdict extends AccessAnalyzerVerdict {
  /** No action listed: the analyzer reports the whole service unused. */
  wholeService: boolean;
  /** The unused actions listed, by `namespace:Action` (`s3:GetObject`). */
  actions: Record<string, AccessAnalyzerVerdict>;
}
