/**
 * The action registry's contract: everything credsweep knows about one kind of remediation lives in
 * its action — the IAM permissions it uses, whether it can be undone, how to read the credential's
 * live state, the eligibility re-check `apply` runs on that live state right before acting, the one
 * AWS call that acts, and the undo with its "still as credsweep left it" test.
 *
 * Adding an action (see docs/remediation.md "Adding an action"):
 *   1. add its id to REMEDIATION_ACTIONS (src/model/remediation-plan.ts);
 *   2. write `src/remediation/actions/<id>.ts` exporting a RemediationAction (statusToggleAction()
 *      for anything that only flips Active/Inactive);
 *   3. register it in ./index.ts, teach the planner (src/remediation/plan.ts) when to plan it;
 *   4. regenerate policies/remediation-policy.json and add cases to the hostile-plan battery
 *      (test/remediation/hostile-plan.test.ts; an action moto cannot carry out goes in its
 *      aws-sdk-client-mock block).
 * apply never reads a step's `reversible`, `reason` or `expected` to decide to act: only the step's
 * target (account, principal, credential id) and this declaration.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { classifyAwsError } from '../../aws/classify-error.ts';
import { AwsAccessError } from '../../errors.ts';
import type { CredentialKind } from '../../model/finding.ts';
import type { RoleRecord } from '../../model/role-record.ts';
import type { ApplySkipReason, CredentialBoundary } from '../../model/remediation-journal.ts';
import type { PlanStep, RemediationActionId } from '../../model/remediation-plan.ts';
import type { ThresholdKind } from '../../rules/rule.ts';
import type { JudgedBy } from '../apply-thresholds.ts';
import type { RunsAs } from '../caller.ts';
import type { LiveAccessAnalyzer } from '../live-access-analyzer.ts';
import { type EpochMs, parseIsoDateTime, toIso, wholeDaysBetween } from '../../time.ts';

/** A credential's state as read from AWS right before (or after) a step. */
export interface CredentialState {
  exists: boolean;
  /** `Active`, `Inactive` or a status this version does not know (AWS added `Expired` in 2025). */
  status?: string;
  /** ISO-8601 UTC, or null when AWS knows no use. */
  lastUsed: string | null;
  /** The key or certificate id the state was read for (root keys are resolved at apply time). */
  targetId?: string;
  createdAt?: string;
  /** quarantine-user, restrict-permissions: the principal's live ARN (what the caller check compares). */
  arn?: string;
  /** quarantine-user: each credential it could still use, its latest activity and threshold kind. */
  activity?: { what: string; kind?: string; at: string }[];
  /** Role actions: the whole role (journalled before acting: delete-role's undo recreates it from it). */
  role?: RoleRecord;
  /** restrict-permissions: the principal's boundary, and the one apply derived live (journalled before acting). */
  boundary?: CredentialBoundary;
  /**
   * quarantine-role, quarantine-user: the plan digest the principal's `credsweep:quarantine-plan` tag
   * names (which plan's apply quarantined it), when it carries that tag.
   */
  quarantinePlan?: string;
}

/** IAM clients per account, built by the CLI (connection flags, --role-name, sts:AssumeRoot). */
export interface RemediationClients {
  iam(accountId: string): Promise<IAMClient>;
  /** An IAM client on an sts:AssumeRoot session in a member account (task policy: delete root credentials). */
  rootIam(accountId: string): Promise<IAMClient>;
}

/**
 * What an eligibility re-check may use besides the live state: credsweep's own facts, never the step's.
 * Who credsweep runs as (RunsAs: the caller's ARN, the roles it assumes in other accounts) is apply's
 * own session, never the plan's word.
 */
export interface EligibilityContext extends RunsAs {
  /** apply's now. */
  now: EpochMs;
  /**
   * The threshold (days) for a kind of credential, no kind = the default: the plan's recorded one, or
   * apply's own where that is larger and the plan is not sealed with the plan key (apply-thresholds.ts).
   */
  thresholdDays(kind?: ThresholdKind): number;
  /** The plan's --delete-after, or apply's own as for thresholdDays. */
  deleteAfterDays: number;
  /**
   * When credsweep's own journals show it deactivated this access key, or quarantined this role (by
   * RoleId), not undone since, if they do.
   */
  deactivatedAt(accessKeyId: string): EpochMs | undefined;
  /** The plan's --include-service-roles. */
  includeServiceRoles: boolean;
  /** The IAM Access Analyzer apply resolved itself (--access-analyzer or auto), when a step needs one. */
  accessAnalyzer?: LiveAccessAnalyzer;
  /**
   * The state journalled before an earlier attempt at this very step that failed or was interrupted
   * (credsweep's journal, read again): delete-role finishes a deletion it began on this role.
   */
  interrupted?: CredentialState;
  /**
   * The same state, from the journal whether or not it is trusted: it can only make the re-check
   * fail (delete-role: the live role holds what that record, the one undo recreates from, lacks).
   */
  earlierAttempt?: CredentialState;
}

/**
 * What undo's readState gets: its injected clock alone (undo judges no eligibility, so no thresholds).
 * A service-specific credential's expiry is judged by it, never by the machine's clock.
 */
export interface UndoReadContext {
  now: EpochMs;
}

/** apply's read (its eligibility context) rather than undo's. */
export function isApplyRead(ctx: EligibilityContext | UndoReadContext): ctx is EligibilityContext {
  return 'thresholdDays' in ctx;
}

/** What an action's AWS call may need besides the target: apply's now and the plan it carries out. */
export interface ActContext {
  now: EpochMs;
  planDigest: string;
}

/** Why a step no longer qualifies: a named reason (journal and summary) and a sentence. */
export interface Ineligible {
  reason: ApplySkipReason;
  detail: string;
}

export interface RemediationAction {
  id: RemediationActionId;
  /** From here, never from the plan's step: the prompt, the gate and undo use this. */
  reversible: boolean;
  /** The principals and credential kinds this action is for; a step naming others is skipped. */
  principalTypes: readonly PlanStep['principalType'][];
  credentials: readonly CredentialKind[];
  /**
   * The thresholds its eligibility re-check judges by (a kind, the default, or --delete-after): what
   * apply's confirmation names when it judges with other values than the plan recorded.
   */
  judgedBy: readonly JudgedBy[];
  /**
   * A step that locks out the whole principal (quarantine-user) is exempt when an exemption covers any
   * of these credential kinds (a configuration exemption may name only some kinds: `credentials:`).
   */
  locksOut?: readonly CredentialKind[];
  /** Every IAM action `readState` and `act` call, for the least-privilege policy. */
  permissions: readonly string[];
  /** What `undo` calls (empty when irreversible). */
  undoPermissions: readonly string[];
  /**
   * The credential's live state (reads only). apply passes its eligibility context (restrict-permissions
   * derives the boundary from live Access Advisor with the plan's threshold); undo passes its own clock
   * (UndoReadContext) and the state journalled before acting.
   */
  readState(
    clients: RemediationClients,
    step: PlanStep,
    ctx: EligibilityContext | UndoReadContext,
    /** Undo: the state journalled before acting (restrict-permissions looks for the policy it made). */
    journalled?: CredentialState,
  ): Promise<CredentialState>;
  /**
   * The never cases on the live state (the principal credsweep itself runs as, a service-linked role,
   * a service's role without --include-service-roles): null when none applies, or when the credential
   * does not exist (eligibility says so). apply judges them right after reading the state, before the
   * principal's ARN, the exemptions and what the plan expected, so a skip names the most fundamental
   * reason (the caller's own user, not "used since the plan": credsweep's own calls are that use).
   */
  never?(state: CredentialState, ctx: EligibilityContext, step: PlanStep): Ineligible | null;
  /**
   * Re-derived from the live state right before acting: null when the credential still qualifies.
   * `step` is the plan's step (apply always passes it): it may only make the re-check fail (a difference from what was planned).
   */
  eligibility(state: CredentialState, ctx: EligibilityContext, step?: PlanStep): Ineligible | null;
  act(clients: RemediationClients, step: PlanStep, before: CredentialState, ctx: ActContext): Promise<void>;
  /**
   * True when `state` is what a successful `act` of the plan `planDigest` leaves (a step killed in
   * flight may have completed).
   */
  isDone(state: CredentialState, planDigest: string): boolean;
  /**
   * `state` is read right before undoing, `journalled` the state journalled before acting. May return
   * a sentence for the user (delete-role: the new RoleId). `progress` journals a state reached on
   * the way (delete-role: the role it created, by RoleId), so an undo re-run after a failure knows
   * what it made itself.
   */
  undo?(
    clients: RemediationClients,
    step: PlanStep,
    state: CredentialState,
    journalled: CredentialState | undefined,
    progress: (state: CredentialState, detail: string) => void,
  ): Promise<unknown>;
  /**
   * Before undoing: true when the credential is still exactly as credsweep's `act` left it (`before`
   * is the state journalled right before acting; `undoing` the last state an earlier, unfinished undo
   * of this step journalled; `planDigest` the plan the journal applied). Anything else (changed by
   * hand, used since, another plan's change) is left alone.
   */
  isAsLeft?(
    state: CredentialState,
    before: CredentialState | undefined,
    undoing: CredentialState | undefined,
    planDigest: string,
  ): boolean;
  /** Why isAsLeft said no, when the generic sentence (status, last use) would not say. */
  notAsLeftDetail?(
    state: CredentialState,
    undoing: CredentialState | undefined,
    planDigest: string,
  ): string | undefined;
  /**
   * True when `state` is what a successful `undo` leaves (`journalled`: the state journalled before
   * acting; `undoing`: the last state an earlier, unfinished undo journalled).
   */
  isUndone?(state: CredentialState, journalled?: CredentialState, undoing?: CredentialState): boolean;
  /**
   * The undo writes into AWS what the journal holds, not only a status (delete-role: a whole role, its
   * trust and permission policies): the confirmation shows it whole (renderRecreations). Like every
   * undo, it needs a journal sealed with the plan key, or the user's word (`undo
   * --trust-unsigned-journal`), since anyone who can write an unsealed journal chooses it.
   */
  undoWritesJournalledPolicies?: true;
}

/** `{code, message}` for the journal and the summary: credsweep's own AwsAccessError keeps its AWS code. */
export function describeStepError(e: unknown): { code: string; message: string } {
  if (e instanceof AwsAccessError) return { code: e.awsCode, message: e.message };
  const { code, message } = classifyAwsError(e);
  return { code, message };
}

export function isNoSuchEntity(e: unknown): boolean {
  const name = (e as { name?: string })?.name;
  return name === 'NoSuchEntityException' || name === 'NoSuchEntity';
}

export function isoOrNull(d: Date | undefined | null): string | null {
  return d ? toIso(d.getTime()) : null;
}

/** Whole seconds: the credential report writes seconds only, GetAccessKeyLastUsed may carry milliseconds. */
export function epochSeconds(iso: string | null | undefined): number | null {
  if (iso === null || iso === undefined) return null;
  const ms = parseIsoDateTime(iso);
  return ms === null ? null : Math.floor(ms / 1000);
}

/**
 * The usage re-check every usage-tracked credential shares: its last activity must be at least the
 * threshold for its kind ago, now (ctx.thresholdDays: the plan's, or apply's own floor). The last activity is the later of its last use and its
 * creation: a console password's PasswordLastUsed is the user's and survives a deleted password
 * (docs/aws-behaviour.md §2), so a password set yesterday after a sign-in 200 days ago is new, not
 * unused (quarantine-user judges the same way, read-user-activity.ts). Other credentials are not used
 * before they exist, so for them it is their last use.
 */
export function unusedForThreshold(
  state: CredentialState,
  ctx: EligibilityContext,
  kind: ThresholdKind | undefined,
  what: string,
): Ineligible | null {
  const used = state.lastUsed === null ? null : parseIsoDateTime(state.lastUsed);
  const created = state.createdAt === undefined ? null : parseIsoDateTime(state.createdAt);
  const createdLater = created !== null && (used === null || created > used);
  const activity = createdLater ? created : used;
  const threshold = ctx.thresholdDays(kind);
  if (activity === null || (state.lastUsed !== null && used === null)) {
    return { reason: 'changed_since_plan', detail: `${what}: no last use or creation date to judge by` };
  }
  const days = wholeDaysBetween(activity, ctx.now);
  if (days < threshold) {
    const verb = !createdLater ? 'last used' : used !== null ? 'created after its last use,' : 'created';
    return {
      reason: 'changed_since_plan',
      detail: `${what} ${verb} ${days} days ago: not unused now (threshold ${threshold})`,
    };
  }
  return null;
}

export function missing(state: CredentialState, what: string): Ineligible | null {
  return state.exists ? null : { reason: 'changed_since_plan', detail: `${what} no longer exists` };
}

export function wrongStatus(state: CredentialState, wanted: string, what: string): Ineligible | null {
  return state.status === wanted
    ? null
    : { reason: 'changed_since_plan', detail: `${what} is ${state.status ?? 'unknown'}, not ${wanted}` };
}

/**
 * An action that only flips a credential's Status: Inactive to act, Active to undo (access keys and
 * signing certificates). Acting and undoing call the same IAM action, so they need the same permissions.
 * Undo only while the credential is Inactive and shows no use after the one journalled before acting.
 */
export function statusToggleAction(spec: {
  id: RemediationActionId;
  principalTypes: RemediationAction['principalTypes'];
  credentials: readonly CredentialKind[];
  judgedBy: RemediationAction['judgedBy'];
  permissions: readonly string[];
  readState: RemediationAction['readState'];
  /** The re-check beyond "exists and Active". */
  eligibility(state: CredentialState, ctx: EligibilityContext): Ineligible | null;
  setStatus(iam: IAMClient, step: PlanStep, status: 'Active' | 'Inactive'): Promise<void>;
}): RemediationAction {
  return {
    id: spec.id,
    reversible: true,
    principalTypes: spec.principalTypes,
    credentials: spec.credentials,
    judgedBy: spec.judgedBy,
    permissions: spec.permissions,
    undoPermissions: spec.permissions,
    readState: spec.readState,
    eligibility: (state, ctx) =>
      missing(state, 'the credential') ??
      wrongStatus(state, 'Active', 'the credential') ??
      spec.eligibility(state, ctx),
    act: async (clients, step) => spec.setStatus(await clients.iam(step.accountId), step, 'Inactive'),
    isDone: (state) => state.exists && state.status === 'Inactive',
    undo: async (clients, step) => spec.setStatus(await clients.iam(step.accountId), step, 'Active'),
    isAsLeft: (state, before) =>
      state.exists &&
      state.status === 'Inactive' &&
      before !== undefined &&
      (epochSeconds(state.lastUsed) ?? 0) <= (epochSeconds(before.lastUsed) ?? 0),
    isUndone: (state) => state.exists && state.status === 'Active',
  };
}
