/**
 * What the sources collect and the rules evaluate: principals and their credentials, with dates as
 * epoch milliseconds (UTC) and "no date" as null. Every source (credential report, IAM API, …)
 * produces this shape, so the rules never know where the data came from.
 */
import type { EpochMs } from '../time.ts';

export type PrincipalType = 'root' | 'user' | 'role';

export interface PasswordCredential {
  /** The password's last use, or null: never used, not tracked (before 2014-10-20), or unknown. */
  lastUsed: EpochMs | null;
  /** When it was set or last changed, if known. */
  lastChanged: EpochMs | null;
}

export interface AccessKeyCredential {
  /** 1 or 2, as the credential report numbers them (by creation order). */
  slot: 1 | 2;
  active: boolean;
  lastUsed: EpochMs | null;
  /** Created or last rotated (the report's `last_rotated`; the API's CreateDate). */
  lastRotated: EpochMs | null;
  /** Known only when collected through the IAM API. */
  accessKeyId?: string;
  lastUsedService?: string | null;
  lastUsedRegion?: string | null;
}

export interface SigningCertificateCredential {
  slot: 1 | 2;
  active: boolean;
  lastRotated: EpochMs | null;
  certificateId?: string;
}

export interface RoleActivity {
  lastUsed: EpochMs | null;
  lastUsedRegion?: string | null;
  path: string;
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
  /** Present for roles only. */
  role?: RoleActivity;
  tags?: Record<string, string>;
  /** How many credential-report rows were merged into this principal, when more than one. */
  duplicateRows?: number;
  /** Where in the input this principal came from (for messages), e.g. `report.csv:12`. */
  origin?: string;
}
