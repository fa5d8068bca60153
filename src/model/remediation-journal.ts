/**
 * The remediation journal's line format (JSON Lines, one entry per line; v 2). `apply` writes an
 * `intent` before each AWS call that changes something and `done`/`failed` after; `undo` appends to
 * the same journal with phase `undo`. Every line names the digest of the plan it belongs to, and
 * with a plan key (CREDSWEEP_PLAN_KEY / --plan-key-file) carries an HMAC of itself, so a line that
 * was not written by credsweep for this plan is refused.
 */
import { z } from 'zod';
import { isoUtc } from './finding.ts';
import { exemptTagsSchema, planStepSchema } from './remediation-plan.ts';
import { roleRecordSchema } from './role-record.ts';

export const credentialStateSchema = z.strictObject({
  exists: z.boolean(),
  status: z.string().optional(),
  lastUsed: isoUtc.nullable(),
  targetId: z.string().optional(),
  createdAt: z.string().optional(),
  /** quarantine-user, restrict-permissions: the principal's live ARN. */
  arn: z.string().optional(),
  /** quarantine-user: each credential it could still use, its latest activity and threshold kind. */
  activity: z
    .array(z.strictObject({ what: z.string(), kind: z.string().optional(), at: z.string() }))
    .optional(),
  /** Role actions: the whole role as read (what delete-role's undo recreates it from). */
  role: roleRecordSchema.optional(),
  /** quarantine-role, quarantine-user: the plan its credsweep:quarantine-plan tag names. */
  quarantinePlan: z.string().optional(),
  /** restrict-permissions: the principal's boundary as read, and the one the step would set. */
  boundary: z
    .object({
      /** The boundary the principal has (journalled before acting: what undo restores; null: none). */
      currentArn: z.string().nullable(),
      /** The principal's path (a service-linked role's is /aws-service-role/). */
      path: z.string(),
      /** The boundary derived live (apply only; absent when already restricted or undoing). */
      target: z
        .object({
          policyArn: z.string(),
          policyName: z.string(),
          document: z.string(),
          servicesInUse: z.array(z.string()),
          unusedActions: z.array(z.string()),
          /** The managed policy existed before the step (false: the step creates it, undo may delete it). */
          policyExisted: z.boolean(),
          /** An existing policy of that name holds exactly the derived document. */
          policyMatches: z.boolean(),
        })
        .optional(),
      /**
       * Undo: the boundary policy this step set still exists, is attached to nothing and credsweep made
       * it (an undo that failed after restoring the boundary left it behind).
       */
      leftoverPolicy: z.boolean().optional(),
      /** Why no boundary can be derived now (no service in use, too large, …). */
      problem: z.string().optional(),
    })
    .optional(),
});

export type CredentialBoundary = NonNullable<z.infer<typeof credentialStateSchema>['boundary']>;

export const JOURNAL_ENTRY_TYPES = ['run', 'intent', 'done', 'failed', 'skipped'] as const;

/** Why apply skipped a step (journal `skipped` lines and the summary). */
export const APPLY_SKIP_REASONS = [
  /** The access key credsweep itself signs with. */
  'caller_key',
  /** The live state no longer qualifies: used since, not unused now, gone, other status. */
  'changed_since_plan',
  /** The principal carries the exempt tag or matches a configuration exemption now. */
  'exempt',
  /** Irreversible, and the plan was not made with --allow-irreversible or apply was not given it. */
  'irreversible',
  /** The step's account is not one the plan's audit covered. */
  'account_not_audited',
  /** The action is not one for this principal type or credential kind. */
  'action_mismatch',
  /** The principal does not exist, its live ARN is not the step's, or the step's account is no account id or not its ARN's. */
  'principal_mismatch',
  /** An Inactive key credsweep's journals do not show it deactivating. */
  'deactivation_unknown',
  /** credsweep deactivated the key fewer than --delete-after days ago. */
  'inactive_too_recent',
  /** A service-linked role (path /aws-service-role/): managed by its AWS service. */
  'service_linked',
  /** A role whose trust policy names an AWS service principal (planned only with --include-service-roles). */
  'service_role',
  /** The role credsweep itself runs as. */
  'caller_role',
  /** quarantine-user: the user credsweep itself calls AWS as. */
  'caller_user',
  /** delete-role: the role does not carry credsweep's quarantine now. */
  'not_quarantined',
  /** delete-role: credsweep's journals do not show credsweep quarantining this role (this RoleId). */
  'quarantine_unknown',
  /** delete-role: credsweep quarantined the role fewer than --delete-after days ago. */
  'quarantine_too_recent',
  /** quarantine-user: one of the user's credentials is in use. */
  'in_use',
] as const;
export type ApplySkipReason = (typeof APPLY_SKIP_REASONS)[number];

export const journalEntrySchema = z.strictObject({
  v: z.literal(2),
  at: isoUtc,
  runId: z.string(),
  phase: z.enum(['apply', 'undo']),
  type: z.enum(JOURNAL_ENTRY_TYPES),
  /** The digest of the plan this line belongs to (the plan's `digest.value`). */
  planDigest: z.string().min(1),
  /** On `run` lines: which plan file this run carries out. */
  plan: z.strictObject({ file: z.string(), dataCollectedAt: isoUtc }).optional(),
  /**
   * On apply's `run` lines: the exempt tags its plan recorded (plan --exempt-tag), so undo leaves a
   * principal carrying one as it is, as apply does. They can only add protection.
   */
  exemptTags: exemptTagsSchema.optional(),
  step: planStepSchema.optional(),
  /** The credential's state read right before acting. */
  before: credentialStateSchema.optional(),
  /** On `skipped` lines: why (APPLY_SKIP_REASONS, or undo's not_confirmed, changed_since_apply, …). */
  reason: z.string().optional(),
  detail: z.string().optional(),
  error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
  /**
   * With a plan key: the `mac` of the line before this one in the journal ('' on the first), so the
   * lines form a chain the HMACs seal: a line added, copied, moved or removed breaks it. Absent on
   * the lines of a journal written before lines were chained.
   */
  prev: z.string().optional(),
  /** HMAC-SHA256 of the line without `mac` (`prev` included), with the plan key (present when a key was given). */
  mac: z.string().optional(),
});
export type JournalEntry = z.infer<typeof journalEntrySchema>;
