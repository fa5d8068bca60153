/**
 * The audit's output: one finding per credential. The zod schemas are the contract for anything that
 * crosses a file boundary (findings.json is read back by `plan`); schemas/audit-report.schema.json is
 * generated from them.
 */
import { z } from 'zod';
import { FINDING_STATUSES } from './finding-status.ts';

export { credentialIdOf, instanceIdOf } from './credential-ids.ts';
export { emptySummary, FINDING_STATUSES, type FindingStatus } from './finding-status.ts';

export const CREDENTIAL_KINDS = [
  'password',
  'access_key_1',
  'access_key_2',
  'cert_1',
  'cert_2',
  'none',
  'role',
  'permission',
  'ssh_public_key',
  'service_specific_credential',
  'mfa_device',
] as const;
/** The credentials an IAM user signs in or calls AWS with (the kinds a user quarantine locks out). */
export const USER_CREDENTIAL_KINDS = [
  'password',
  'access_key_1',
  'access_key_2',
  'cert_1',
  'cert_2',
  'ssh_public_key',
  'service_specific_credential',
] as const satisfies readonly (typeof CREDENTIAL_KINDS)[number][];
export type UserCredentialKind = (typeof USER_CREDENTIAL_KINDS)[number];
export const ACTIVITY_SOURCES = [
  'last_used',
  'last_changed',
  'last_rotated',
  'created',
  'cloudtrail',
  /** IAM Access Analyzer's unused-access finding (src/sources/access-analyzer/). */
  'access_analyzer',
  /** No date from AWS (an unassigned virtual MFA device): lastActivity is the as-of date it was listed at. */
  'listed',
] as const;
export const CAVEATS = [
  'not_tracked_before_2014_10_20',
  'not_tracked_before_2015_04_22',
  'password_gap_2018',
  'report_stale',
  'role_tracking_400_days',
  'key_used_from_many_ips',
  'access_advisor_400_days',
  /** A Bedrock or CloudWatch Logs API key that never expires (docs/aws-behaviour.md §9). */
  'api_key_never_expires',
  /** A Bedrock or CloudWatch Logs API key that expires more than a year after the as-of date. */
  'api_key_far_expiry',
  /** IAM Access Analyzer's verdict differs from credsweep's evidence: see the finding's `disagreement`. */
  'access_analyzer_disagrees',
  /** AWS keeps no date for an unassigned virtual MFA device. */
  'no_date_from_aws',
  /**
   * A credential IAM lists in a status this version of credsweep does not know (an access key, signing
   * certificate, SSH key or service-specific credential): reported as if active (it may be usable); plan
   * plans nothing for it, and keeps its user out of a quarantine.
   */
  'status_unknown',
  /** The last activity is after the as-of date: age 0, in use then (src/rules/rule.ts ageDaysOf). */
  'used_after_as_of',
] as const;

export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];
export type ActivitySource = (typeof ACTIVITY_SOURCES)[number];
/** `access_analyzer_90_days`: the verdict came from an analyzer that looks back this many days. */
export type Caveat = (typeof CAVEATS)[number] | `access_analyzer_${number}_days`;

export const PRINCIPAL_TYPES = ['root', 'user', 'role', 'mfa_device'] as const;

export const isoUtc = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/, 'ISO-8601 UTC with Z');

export const findingSchema = z.object({
  accountId: z.string(),
  principalType: z.enum(PRINCIPAL_TYPES),
  principalName: z.string(),
  arn: z.string(),
  credential: z.enum(CREDENTIAL_KINDS),
  status: z.enum(FINDING_STATUSES),
  lastUsed: isoUtc.nullable(),
  lastActivity: isoUtc,
  lastActivitySource: z.enum(ACTIVITY_SOURCES),
  ageDays: z.number().int(),
  neverUsed: z.boolean(),
  caveats: z.array(z.string()),
  reason: z.string(),
  accessKeyId: z.string().optional(),
  certificateId: z.string().optional(),
  lastUsedService: z.string().nullable().optional(),
  lastUsedRegion: z.string().nullable().optional(),
  sourceIps: z.array(z.string()).optional(),
  service: z.string().optional(),
  /** `namespace:Action`, for permission findings at action granularity. */
  action: z.string().optional(),
  sshPublicKeyId: z.string().optional(),
  serviceSpecificCredentialId: z.string().optional(),
  /** A service-specific credential's ExpirationDate; null: it never expires. */
  expiresAt: isoUtc.nullable().optional(),
  /**
   * Present when IAM Access Analyzer's verdict on this credential differs from credsweep's: both
   * verdicts and dates are listed, neither silently wins (src/audit/access-analyzer-evidence.ts).
   */
  disagreement: z
    .object({
      accessAnalyzer: z.enum(['unused', 'not_reported']),
      accessAnalyzerLastAccessed: isoUtc.nullable(),
      credsweep: z.enum(FINDING_STATUSES),
      credsweepLastUsed: isoUtc.nullable(),
      findingId: z.string().optional(),
    })
    .optional(),
});
export type Finding = z.infer<typeof findingSchema>;

export const accountResultSchema = z.object({
  accountId: z.string(),
  status: z.enum(['ok', 'failed']),
  error: z
    .object({
      code: z.string(),
      /** One line: what failed and why (the first of several principals, with how many). */
      message: z.string(),
      /** `credsweep permissions`: each principal that could not be evaluated, with its own error. */
      principals: z.array(z.object({ arn: z.string(), code: z.string(), message: z.string() })).optional(),
    })
    .optional(),
  source: z.string().optional(),
  reportGeneratedAt: isoUtc.optional(),
  /** Credential kinds not collected in this account, by choice (`sshPublicKeys: false`): not audited. */
  notListed: z.array(z.enum(CREDENTIAL_KINDS)).optional(),
});
export type AccountResult = z.infer<typeof accountResultSchema>;

/** An exemption from the configuration file that expired or matched nothing (see src/config/exemptions.ts). */
export const exemptionNoticeSchema = z.object({
  /** 0-based position in the configuration file's `exemptions` list. */
  index: z.number().int().min(0),
  match: z.string(),
  owner: z.string(),
  reason: z.string(),
  expires: z.string(),
  /** Findings it matched (for an expired exemption: would have matched). */
  matched: z.number().int().min(0),
});
export type ExemptionNotice = z.infer<typeof exemptionNoticeSchema>;

export const exemptionOutcomeSchema = z.object({
  /** Findings made `exempt` by the configuration file's exemptions. */
  applied: z.number().int().min(0),
  expired: z.array(exemptionNoticeSchema),
  stale: z.array(exemptionNoticeSchema),
});
export type ExemptionOutcome = z.infer<typeof exemptionOutcomeSchema>;

export const auditReportSchema = z.object({
  schemaVersion: z.literal(1),
  generatedAt: isoUtc,
  asOf: isoUtc,
  thresholdDays: z.number().int().min(0),
  /** Per-kind thresholds from the configuration file, when any differ from `thresholdDays`. */
  thresholds: z.record(z.string(), z.number().int().min(0)).optional(),
  accounts: z.array(accountResultSchema),
  summary: z.record(z.string(), z.number().int().min(0)),
  findings: z.array(findingSchema),
  /** Present when a configuration file declared exemptions. */
  exemptions: exemptionOutcomeSchema.optional(),
  /** The exempt tag the audit used, when not the default `credsweep:exempt=true` (`audit --exempt-tag`). */
  exemptTag: z.object({ tagKey: z.string().min(1).max(128), tagValue: z.string().max(256) }).optional(),
});
export type AuditReport = z.infer<typeof auditReportSchema>;
