/**
 * The remediation plan: the reviewable artifact between the pure planner and the journalled applier.
 * It crosses a file boundary (`plan --output plan.json`, `apply plan.json`), so this zod schema is its
 * contract (schemaVersion 2: v2 added `audit`, `options.journals` and `digest`).
 */
import { z } from 'zod';
import { CREDENTIAL_KINDS, isoUtc } from './finding.ts';

export const REMEDIATION_ACTIONS = [
  'deactivate-access-key',
  'delete-access-key',
  'deactivate-signing-certificate',
  'delete-login-profile',
  'delete-root-access-key',
  'deactivate-ssh-public-key',
  'deactivate-service-specific-credential',
  'quarantine-role',
  'delete-role',
  'quarantine-user',
  'restrict-permissions',
] as const;
export type RemediationActionId = (typeof REMEDIATION_ACTIONS)[number];

/** Why a credential has no step. Every credential finding that is not a step is listed with one. */
export const SKIP_REASONS = [
  /** The step would be irreversible and `--allow-irreversible` was not given. */
  'irreversible',
  /** The root user: not remediable through IAM (see --include-root for member-account root keys). */
  'root',
  'service_linked',
  'exempt',
  'excluded',
  'not_included',
  /** The access key the tool itself is calling with. */
  'caller_key',
  /** Roles are planned only with --roles. */
  'role',
  /** A role whose trust policy names an AWS service principal (see --include-service-roles). */
  'service_role',
  /** The role credsweep itself runs as. */
  'caller_role',
  /** quarantine-user: the user credsweep itself calls AWS as (or whose key it signs with). */
  'caller_user',
  /** quarantine-user: another credential of the user is in use (or not known to be unused). */
  'credential_in_use',
  /** A quarantined role credsweep's journals do not show it quarantining. */
  'quarantine_unknown',
  /** credsweep quarantined the role fewer than `--delete-after` days ago. */
  'quarantine_too_recent',
  /** Already quarantined, and deleting it was not asked for (--allow-irreversible). */
  'already_quarantined',
  'in_use',
  /** A signing certificate uploaded less than the threshold ago (AWS records no use for certificates). */
  'recent',
  'already_inactive',
  /** credsweep deactivated the key fewer than `--delete-after` days ago. */
  'inactive_too_recent',
  /** An Inactive key credsweep's journals (`--journal`) do not show it deactivating: since when is unknown. */
  'deactivation_unknown',
  /** The key or certificate id could not be resolved (or the account could not be read). */
  'unresolved',
  /** Root credentials of an account where the Organization has not centralised root access. */
  'root_access_not_centralised',
  /** restrict-permissions: no granted service is in use (a boundary would deny everything: quarantine instead). */
  'no_service_in_use',
  /** restrict-permissions: every granted service (and tracked action) is in use. */
  'all_in_use',
  /** restrict-permissions: the principal's boundary is already one credsweep set. */
  'already_restricted',
  /** restrict-permissions: the boundary cannot be built (too large for a managed policy, bad existing boundary). */
  'boundary_invalid',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

const credentialRef = {
  accountId: z.string(),
  principalType: z.enum(['root', 'user', 'role']),
  principalName: z.string(),
  arn: z.string(),
  credential: z.enum(CREDENTIAL_KINDS),
  accessKeyId: z.string().optional(),
  certificateId: z.string().optional(),
  sshPublicKeyId: z.string().optional(),
  serviceSpecificCredentialId: z.string().optional(),
};

/**
 * restrict-permissions: what the plan was made from. apply derives all of it again from live state
 * (Access Advisor, the current boundary) and skips the step when anything differs: these fields can
 * only make apply skip, never decide what it writes.
 */
export const restrictionSchema = z.strictObject({
  granularity: z.enum(['service', 'action']),
  /** Service namespaces in use: the only ones the boundary allows. */
  servicesInUse: z.array(z.string()),
  /** `namespace:Action` tracked actions not used, denied (action granularity). */
  unusedActions: z.array(z.string()),
  /** The principal's boundary when the plan was made (null: none): kept in force by intersecting. */
  previousBoundaryArn: z.string().nullable(),
  /** The managed policy the step sets as boundary (its name derives from its document). */
  policyName: z.string(),
  /**
   * The permission findings were judged with IAM Access Analyzer's UnusedPermission findings too
   * (`access_analyzer_<days>_days`): apply reads the ACTIVE findings of the analyzer credsweep itself
   * resolves (apply's --access-analyzer, else `auto`), never one named here; a different ARN here
   * (a live plan records the one it read) makes apply skip the step.
   */
  accessAnalyzer: z
    .object({ trackingDays: z.number().int().positive(), analyzerArn: z.string().optional() })
    .optional(),
});
export type Restriction = z.infer<typeof restrictionSchema>;

/**
 * At most this many exempt tags are recorded in a plan (`options.exemptTags`) or on a journal's `run`
 * line: `plan --exempt-tag` records one, and a forged plan recording 100 000 cost apply 0.2 s for
 * every principal it checked.
 */
export const MAX_RECORDED_EXEMPT_TAGS = 50;

/** Exempt tags besides `credsweep:exempt=true`, as a plan or an apply's `run` line records them. */
export const exemptTagsSchema = z
  .array(z.strictObject({ tagKey: z.string().min(1).max(128), tagValue: z.string().max(256) }))
  .max(MAX_RECORDED_EXEMPT_TAGS);

export const planStepSchema = z.strictObject({
  /** Stable across plans for the same credential and action: `<account>/<action>/<target>`. */
  id: z.string(),
  action: z.enum(REMEDIATION_ACTIONS),
  ...credentialRef,
  reversible: z.boolean(),
  reason: z.string(),
  /** The state the plan was made from; apply re-reads it and skips the step when it differs. */
  expected: z.strictObject({
    status: z.enum(['Active', 'Inactive']).optional(),
    /** The last use the plan's data knew of (null: none); any later use means changed_since_plan. */
    lastUsed: isoUtc.nullable(),
  }),
  restriction: restrictionSchema.optional(),
});
export type PlanStep = z.infer<typeof planStepSchema>;

/** The id of the credential a step or skipped credential names (key, certificate, SSH key, …), if any. */
export function credentialIdOf(s: {
  accessKeyId?: string | undefined;
  certificateId?: string | undefined;
  sshPublicKeyId?: string | undefined;
  serviceSpecificCredentialId?: string | undefined;
}): string | undefined {
  return s.accessKeyId ?? s.certificateId ?? s.sshPublicKeyId ?? s.serviceSpecificCredentialId;
}

export const skippedCredentialSchema = z.strictObject({
  ...credentialRef,
  reason: z.enum(SKIP_REASONS),
  detail: z.string(),
});
export type SkippedCredential = z.infer<typeof skippedCredentialSchema>;

/** How the plan's canonical content is sealed: SHA-256, or HMAC-SHA256 with the plan key. */
export const planDigestSchema = z.strictObject({
  algorithm: z.enum(['sha256', 'hmac-sha256']),
  value: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 hex digits'),
});
export type PlanDigest = z.infer<typeof planDigestSchema>;

export const PLAN_SCHEMA_VERSION = 2;

/**
 * Plans and journal lines hold only the fields this version writes (their schemas are strict, so a
 * field is never dropped before a digest or HMAC is checked): one it does not know was added by hand,
 * or by a newer credsweep whose meaning this version would lose.
 */
export function unknownFieldHint(issue: z.core.$ZodIssue): string {
  return issue.code === 'unrecognized_keys' ? ' (edited, or written by a newer credsweep)' : '';
}

export const remediationPlanSchema = z.strictObject({
  schemaVersion: z.literal(PLAN_SCHEMA_VERSION),
  /** When the plan was assembled. */
  createdAt: isoUtc,
  /** When the findings' data was collected (the audit's generatedAt): what --max-plan-age checks. */
  dataCollectedAt: isoUtc,
  /** The evaluation date (`--as-of`); it never changes the data's age. */
  asOf: isoUtc,
  /** What the audit behind the plan covered and judged by: apply re-checks steps against it. */
  audit: z.strictObject({
    /** Accounts the audit read successfully; a step elsewhere is skipped (account_not_audited). */
    accounts: z.array(z.string()),
    thresholdDays: z.number().int().min(0),
    /** Per-kind thresholds (configuration file), when any differ from `thresholdDays`. */
    thresholds: z.record(z.string(), z.number().int().min(0)),
  }),
  options: z.strictObject({
    deleteAfterDays: z.number().int().min(0),
    allowIrreversible: z.boolean(),
    includeRoot: z.boolean(),
    include: z.array(z.string()),
    exclude: z.array(z.string()),
    /** credsweep journals read for when keys were deactivated (`--journal`); apply reads them again. */
    journals: z.array(z.string()),
    /** `plan --roles`: unused roles are quarantined (and, with --allow-irreversible, deleted). */
    roles: z.boolean().optional(),
    /** Roles trusting an AWS service principal are planned too. */
    includeServiceRoles: z.boolean().optional(),
    /** `plan --quarantine-users`: users none of whose credentials is in use are quarantined. */
    quarantineUsers: z.boolean().optional(),
    /** `plan --permissions`: unused services are fenced off with a permissions boundary. */
    permissions: z.boolean().optional(),
    /**
     * The configuration file whose exemptions the plan was made with: apply refuses the plan when it
     * has no configuration file (an exemption added there since planning must win).
     */
    configFile: z.string().optional(),
    /**
     * `plan --exempt-tag`: exempt tags besides `credsweep:exempt=true` (which always counts). apply
     * honours them as well as the default tag and its configuration's exemptions: a tag recorded here
     * can only add protection, and one removed from here cannot remove the default's or the
     * configuration's.
     */
    exemptTags: exemptTagsSchema.optional(),
  }),
  caller: z.strictObject({
    accountId: z.string(),
    arn: z.string(),
    accessKeyId: z.string().nullable(),
  }),
  summary: z.strictObject({
    steps: z.number().int().min(0),
    reversible: z.number().int().min(0),
    irreversible: z.number().int().min(0),
    skipped: z.number().int().min(0),
  }),
  steps: z.array(planStepSchema),
  skipped: z.array(skippedCredentialSchema),
  /** Of the canonical content without this field (src/remediation/plan-digest.ts). */
  digest: planDigestSchema,
});
/** A plan before it is sealed. */
export type UnsealedPlan = Omit<RemediationPlan, 'digest'>;
export type RemediationPlan = z.infer<typeof remediationPlanSchema>;
