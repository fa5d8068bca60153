/**
 * The remediation plan: the reviewable artifact between the pure planner and the journalled applier.
 * It crosses a file boundary (`plan --output plan.json`, `apply plan.json`), so this zod schema is its
 * contract (schemaVersion 1).
 */
import { z } from 'zod';
import { CREDENTIAL_KINDS, isoUtc } from './finding.ts';

export const REMEDIATION_ACTIONS = [
  'deactivate-access-key',
  'delete-access-key',
  'deactivate-signing-certificate',
  'delete-login-profile',
  'delete-root-access-key',
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
  /** Roles are reported, never deleted by credsweep. */
  'role',
  'in_use',
  /** A signing certificate uploaded less than the threshold ago (AWS records no use for certificates). */
  'recent',
  'already_inactive',
  /** Inactive for fewer than `--delete-after` days. */
  'inactive_too_recent',
  /** The key or certificate id could not be resolved (or the account could not be read). */
  'unresolved',
  /** Root credentials of an account where the Organization has not centralised root access. */
  'root_access_not_centralised',
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
};

export const planStepSchema = z.object({
  /** Stable across plans for the same credential and action: `<account>/<action>/<target>`. */
  id: z.string(),
  action: z.enum(REMEDIATION_ACTIONS),
  ...credentialRef,
  reversible: z.boolean(),
  reason: z.string(),
  /** The state the plan was made from; apply re-reads it and skips the step when it differs. */
  expected: z.object({
    status: z.enum(['Active', 'Inactive']).optional(),
    /** The last use the plan's data knew of (null: none); any later use means changed_since_plan. */
    lastUsed: isoUtc.nullable(),
  }),
});
export type PlanStep = z.infer<typeof planStepSchema>;

export const skippedCredentialSchema = z.object({
  ...credentialRef,
  reason: z.enum(SKIP_REASONS),
  detail: z.string(),
});
export type SkippedCredential = z.infer<typeof skippedCredentialSchema>;

export const remediationPlanSchema = z.object({
  schemaVersion: z.literal(1),
  /** When the plan was assembled. */
  createdAt: isoUtc,
  /** When the findings' data was collected (the audit's generatedAt): what --max-plan-age checks. */
  dataCollectedAt: isoUtc,
  /** The evaluation date (`--as-of`); it never changes the data's age. */
  asOf: isoUtc,
  options: z.object({
    deleteAfterDays: z.number().int().min(0),
    allowIrreversible: z.boolean(),
    includeRoot: z.boolean(),
    include: z.array(z.string()),
    exclude: z.array(z.string()),
    thresholdDays: z.number().int().min(0),
  }),
  caller: z.object({
    accountId: z.string(),
    arn: z.string(),
    accessKeyId: z.string().nullable(),
  }),
  summary: z.object({
    steps: z.number().int().min(0),
    reversible: z.number().int().min(0),
    irreversible: z.number().int().min(0),
    skipped: z.number().int().min(0),
  }),
  steps: z.array(planStepSchema),
  skipped: z.array(skippedCredentialSchema),
});
export type RemediationPlan = z.infer<typeof remediationPlanSchema>;
