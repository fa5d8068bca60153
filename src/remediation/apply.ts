/**
 * Carries out a plan, journalled, re-deriving every step right before acting from live state and
 * credsweep's own code — never from the step's `reversible`, `reason` or `expected`: the step only
 * names a target (account, principal, credential id) and an action from the registry. In order:
 *
 *   account covered by the plan's audit → action fits the principal type and credential kind →
 *   never the caller's key → irreversible only when plan and apply were both given
 *   --allow-irreversible → the credential's live state → the action's never cases on it (the user or
 *   role credsweep runs as in that account: src/remediation/caller.ts; a service-linked role, a
 *   service's role) → the principal's live ARN, tags and the
 *   configuration's exemptions now → the action's eligibility re-check on the live state (the
 *   thresholds re-applied to the current last use: a sealed plan's, else the larger of the plan's and
 *   apply's own, apply-thresholds.ts; for deletions credsweep's own journals, checked here) → no use later than the
 *   plan knew of.
 *
 * Each failed check skips the step with a named reason (journal and summary). Then an fsync'd
 * `intent`, the one AWS call, `done` or `failed`. A failing step never stops the others. Re-running
 * with the same journal resumes: steps done are not repeated, a step in flight is re-checked. Steps
 * of one account run in plan order; up to `concurrency` accounts at once (by-account.ts).
 */
import { accountArnMismatch, partitionOf } from '../arn.ts';
import { UsageError } from '../errors.ts';
import type { ApplySkipReason, JournalEntry } from '../model/remediation-journal.ts';
import type { PlanStep, RemediationPlan } from '../model/remediation-plan.ts';
import type { EpochMs } from '../time.ts';
import { describeStepError, type EligibilityContext, epochSeconds } from './actions/action.ts';
import { ACTIONS, type CredentialState, type RemediationClients } from './actions/index.ts';
import { type ApplyOwnThresholds, type ApplyThresholds, applyThresholds } from './apply-thresholds.ts';
import { inAccountOrder } from './by-account.ts';
import { type ExemptionCheck, stepExemption, withExemptTags } from './exemptions.ts';
import type { LiveAccessAnalyzer } from './live-access-analyzer.ts';
import {
  checkJournalHolds,
  checkJournalLines,
  confirmedDeactivationDates,
  type DeactivationJournal,
  foldJournal,
  journalConfirms,
  journalEntries,
  type JournalWriter,
  type StepHistory,
  wasUndone,
} from './journal.ts';
import { checkPlanAge, DEFAULT_MAX_PLAN_AGE_MS } from './plan-age.ts';
import { type PlanKey, sealedWithKey } from './plan-digest.ts';
import { readPrincipal } from './principal.ts';
import { parseRemediationPlan } from './read-files.ts';
import { checkPlanNotFromFuture, verifyPlan } from './verify-plan.ts';

export { checkPlanAge, DEFAULT_MAX_PLAN_AGE_MS, formatDuration } from './plan-age.ts';

export type StepOutcome = 'done' | 'already_done' | 'skipped' | 'failed';

export interface StepResult {
  step: PlanStep;
  outcome: StepOutcome;
  /** For skipped: an ApplySkipReason; for done: completed_before_interruption when resumed. */
  reason?: string;
  detail?: string;
}

/** Points between which a test can make the process die (see the CLI's CREDSWEEP_TEST_KILL_AT). */
export type StepPoint = 'after-intent' | 'after-call' | 'after-done';

export interface ApplyOptions {
  clients: RemediationClients;
  journal: JournalWriter;
  /**
   * Entries already in the journal (from earlier, possibly interrupted, runs): each is held to what a
   * line of the journal file would be (its schema, the plan's digest, with `key` its HMAC and chain),
   * and must be what `journal`'s file holds (readJournal of it): anything else is an InputError.
   */
  history: readonly JournalEntry[];
  /**
   * Take `history` as written even when it is not sealed with `key` (`apply --trust-unsigned-journal`),
   * where it records the role an earlier run began to delete (delete-role then finishes a deletion
   * that took the quarantine off). Default false: an unsealed history can make apply skip a step it
   * says is done, never act where the live role alone would not let it.
   */
  trustUnsignedHistory?: boolean;
  now: () => EpochMs;
  runId: string;
  /** The plan's file (or what to call the plan in errors and the journal's run line). */
  planFile: string;
  /** With a plan key, the plan must be sealed with it, and every journal line carries an HMAC. */
  key?: PlanKey | undefined;
  /** The key id this run signs with: never touched, whatever the plan says. */
  callerAccessKeyId: string | null;
  /** The ARN this run calls AWS as (live); the role actions never touch that role. Default: the plan's. */
  callerArn?: string;
  /**
   * The roles this run assumes in every account other than the caller's (`--role-name`): never acted
   * on there. Default none (the clients work in the caller's account only).
   */
  memberRoleNames?: readonly string[];
  /**
   * The oldest the plan's data may be at `now()` (`apply --max-plan-age`), in milliseconds: an older
   * plan is an InputError before anything is journalled (checkPlanAge). Default DEFAULT_MAX_PLAN_AGE_MS
   * (24 hours), as the CLI's.
   */
  maxPlanAgeMs?: number;
  /**
   * Apply the plan again although an undo has reversed it in this journal (`apply --reapply`).
   * Default false: such a journal is refused (checkNotUndone), before anything is journalled.
   */
  reapply?: boolean;
  /** apply's own --allow-irreversible (the plan's is needed too). */
  allowIrreversible: boolean;
  /** apply's own --include-service-roles (the plan's is needed too): a service's role is acted on only with both. */
  includeServiceRoles?: boolean;
  /**
   * The exempt tag and the configuration's exemptions as they are now. The exempt tags the plan
   * recorded (`options.exemptTags`, plan's --exempt-tag) are honoured besides, whatever this says.
   */
  exemptions: ExemptionCheck;
  /**
   * apply's own --days, --delete-after and configuration thresholds: for a plan not sealed with `key`,
   * each step is judged with the largest of the plan's value, the configuration's for its kind and
   * `days` (`days` never lowers the configuration's; with neither, credsweep's defaults, 90 and 30
   * days). A sealed plan's values hold; `days` and `deleteAfterDays` may raise them.
   */
  judging?: ApplyOwnThresholds;
  /**
   * credsweep's own journals (the plan's `options.journals`, read again: readDeactivationJournals),
   * from which applyPlan derives when credsweep deactivated each key or quarantined each role, for
   * delete-access-key, delete-root-access-key and delete-role (confirmedDeactivationDates): each line
   * held to a journal file's line check, and a journal's dates counted only when it is sealed with
   * `key`, or with `trustUnsignedJournal`. Default none: nothing is old enough to delete.
   */
  deactivationJournals?: readonly DeactivationJournal[];
  /**
   * Count the dates of `deactivationJournals` not sealed with `key` as written (`apply
   * --trust-unsigned-journal`). Default false.
   */
  trustUnsignedJournal?: boolean;
  /** IAM Access Analyzer as apply resolved it (restrict-permissions steps planned with its evidence). */
  accessAnalyzer?: LiveAccessAnalyzer;
  /** Accounts worked on at once (default 1: one step at a time). */
  concurrency?: number;
  /** Called as each step ends, whatever its outcome (e.g. to move a progress bar). */
  onStepDone?: (result: StepResult) => void;
  /** Called at each step point (index counts the steps acted on in this run, from 1). */
  onPoint?: (point: StepPoint, index: number) => void;
}

export interface ApplyResult {
  results: StepResult[];
  failed: number;
}

/**
 * Why the credential no longer matches what the plan was made from, or null when it does. Any use
 * later than the last use the plan knew of counts, as does a different status or a missing credential.
 * (This reads the step's `expected`, but can only make apply skip, never act.)
 */
export function changedSincePlan(step: PlanStep, state: CredentialState): string | null {
  if (!state.exists) return 'the credential no longer exists';
  if (step.expected.status !== undefined && state.status !== step.expected.status) {
    return `status is ${state.status ?? 'unknown'}, the plan expected ${step.expected.status}`;
  }
  const now = epochSeconds(state.lastUsed);
  if (now !== null) {
    const known = epochSeconds(step.expected.lastUsed);
    if (known === null || now > known) return `used at ${state.lastUsed}, after the plan's data was taken`;
  }
  return null;
}

/**
 * The thresholds and --delete-after apply judges `plan` with: the plan's as recorded when it is
 * sealed with `key` (apply's --days/--delete-after may only raise them), else the larger of the
 * plan's and apply's own (apply-thresholds.ts). The confirmation and applyPlan both ask this.
 */
export function judgingThresholds(
  plan: RemediationPlan,
  key: PlanKey | undefined,
  own: ApplyOwnThresholds = {},
): ApplyThresholds {
  return applyThresholds(plan, own, sealedWithKey(plan, key));
}

/**
 * Throws unless `reapply` when an undo has reversed the plan in this journal (`history`, its lines):
 * the user reversed it on purpose, and applying it again (a retry loop, a scheduled run) would undo
 * the undo. `credsweep apply` asks before its prompt, applyPlan again before anything is journalled.
 */
export function checkNotUndone(
  history: readonly JournalEntry[],
  journalFile: string,
  reapply: boolean,
): void {
  if (wasUndone(history) && !reapply) {
    throw new UsageError(
      `an undo has reversed this plan (journal ${journalFile}): refusing to apply it again`,
      'pass --reapply to apply it again, or audit and plan afresh',
    );
  }
}

/**
 * Why apply will not carry out `step` whatever AWS holds, from the plan and apply's own
 * --allow-irreversible alone: an account the plan's audit did not cover, an account id that is not
 * 12 digits or not the one the step's ARN names, an action not for that
 * principal type or credential kind, an irreversible action without --allow-irreversible at plan and
 * at apply. Null when only the live checks can tell. The confirmation lists such steps apart, so what
 * it asks about is what apply may carry out.
 */
export function gateStep(
  step: PlanStep,
  plan: RemediationPlan,
  allowIrreversible: boolean,
): { reason: ApplySkipReason; detail: string } | null {
  const action = ACTIONS[step.action];
  if (!plan.audit.accounts.includes(step.accountId)) {
    return {
      reason: 'account_not_audited',
      detail: `account ${step.accountId} is not one the plan's audit covered`,
    };
  }
  // An IAM account id is 12 digits, and a step acts in the account its ARN names: anything else is a
  // plan no audit made (plan --from refuses such findings), and no AWS call is made for it.
  const mismatch = accountArnMismatch(step.accountId, step.arn);
  if (mismatch) {
    return {
      reason: 'principal_mismatch',
      detail:
        mismatch.problem === 'arn'
          ? `its ARN does not name the step's account ${step.accountId}`
          : `account ${JSON.stringify(step.accountId.slice(0, 40))} is not an AWS account id (12 digits)`,
    };
  }
  if (!action.principalTypes.includes(step.principalType) || !action.credentials.includes(step.credential)) {
    return {
      reason: 'action_mismatch',
      detail: `${action.id} is not an action for a ${step.principalType}'s ${step.credential}`,
    };
  }
  if (!action.reversible && !(plan.options.allowIrreversible && allowIrreversible)) {
    const missingFlag = plan.options.allowIrreversible ? 'apply was not given' : 'the plan was not made with';
    return {
      reason: 'irreversible',
      detail: `${action.id} cannot be undone and ${missingFlag} --allow-irreversible`,
    };
  }
  return null;
}

/**
 * Carries out `given` (see the top of this file). What `credsweep apply` checks of a plan file, this
 * checks itself, so a library caller gets the same: `given` held to the plan's schema, its digest
 * (with `options.key`, its seal), its steps valid together, no date later than `options.now()`, and
 * every line of `options.history` held to what a journal file's would be (journalLineCheck, with the
 * plan's digest and the key) and being what the journal `options.journal` is open on holds
 * (checkJournalHolds), and holding no undo unless `options.reapply` (checkNotUndone). Any of them
 * failing is an InputError (or a UsageError: a sealed plan given no key, a plan undone) before anything is journalled or called. It then acts on the checked copy, never on
 * `given`, which its caller could change while a step awaits AWS.
 */
export async function applyPlan(given: RemediationPlan, options: ApplyOptions): Promise<ApplyResult> {
  const { journal, now, runId } = options;
  const plan = parseRemediationPlan(given, options.planFile);
  verifyPlan(plan, options.planFile, options.key);
  checkPlanNotFromFuture(plan, options.planFile, now());
  checkPlanAge(plan, options.planFile, now(), options.maxPlanAgeMs ?? DEFAULT_MAX_PLAN_AGE_MS);
  // When credsweep deactivated what the deletions delete: from journals checked here, never a caller's map.
  const deactivated = confirmedDeactivationDates(
    options.deactivationJournals ?? [],
    options.key,
    options.trustUnsignedJournal ?? false,
  ).dates;
  const historyLines = checkJournalLines(options.history, journal.path, {
    planDigest: plan.digest.value,
    key: options.key,
  });
  // What apply resumes from and where it writes are one journal's: a stale or another journal's copy
  // (an in-flight intent since confirmed and undone there) would make it confirm a change it did not make.
  checkJournalHolds(journal.path, historyLines, { planDigest: plan.digest.value, key: options.key });
  checkNotUndone(historyLines, journal.path, options.reapply ?? false);
  const history = foldJournal(historyLines);
  // What an earlier run journalled before a step it did not finish relaxes delete-role's check that
  // the quarantine is on: only when the journal is sealed with the key, or trusted as written.
  const historyTrusted =
    journalConfirms(historyLines, options.key) || (options.trustUnsignedHistory ?? false);
  const entry = journalEntries('apply', runId, now, {
    planDigest: plan.digest.value,
    key: options.key,
    journal,
  });
  const exemptTags = plan.options.exemptTags ?? [];
  journal.append(
    entry({
      type: 'run',
      plan: { file: options.planFile, dataCollectedAt: plan.dataCollectedAt },
      // undo honours them too (it reads the journal, not the plan).
      ...(exemptTags.length > 0 ? { exemptTags: exemptTags.map((t) => ({ ...t })) } : {}),
    }),
  );
  const judged = judgingThresholds(plan, options.key, options.judging);
  // A recorded exempt tag can only add protection: trusted from any plan, sealed or not.
  const exemptions = withExemptTags(options.exemptions, exemptTags);
  let acted = 0;
  const results = await inAccountOrder(
    plan.steps,
    (step) => step.accountId,
    options.concurrency ?? 1,
    async (step) => {
      const result = await applyStep(step, history.get(step.id));
      options.onStepDone?.(result);
      return result;
    },
  );
  return { results, failed: results.filter((r) => r.outcome === 'failed').length };

  async function applyStep(step: PlanStep, past: StepHistory | undefined): Promise<StepResult> {
    if (past?.state === 'applied') return { step, outcome: 'already_done', detail: 'done in an earlier run' };
    const action = ACTIONS[step.action];
    const skip = (reason: ApplySkipReason, detail: string, before?: CredentialState): StepResult => {
      journal.append(entry({ type: 'skipped', step, reason, detail, ...(before ? { before } : {}) }));
      return { step, outcome: 'skipped', reason, detail };
    };
    const failed = (e: unknown, doing: string): StepResult => {
      const error = describeStepError(e);
      journal.append(entry({ type: 'failed', step, error, detail: doing }));
      return { step, outcome: 'failed', reason: error.code, detail: `${doing}: ${error.message}` };
    };
    // What the plan file alone decides nothing about: where, what, whose, and how final.
    if (step.accessKeyId !== undefined && step.accessKeyId === options.callerAccessKeyId) {
      return skip('caller_key', 'credsweep is calling AWS with this access key');
    }
    const gated = gateStep(step, plan, options.allowIrreversible);
    if (gated) return skip(gated.reason, gated.detail);

    const ctx: EligibilityContext = {
      now: now(),
      thresholdDays: judged.thresholdDays,
      deleteAfterDays: judged.deleteAfterDays,
      deactivatedAt: (id) => deactivated.get(id),
      includeServiceRoles:
        (plan.options.includeServiceRoles ?? false) && (options.includeServiceRoles ?? false),
      callerArn: options.callerArn ?? plan.caller.arn,
      memberRoleNames: options.memberRoleNames ?? [],
      ...(options.accessAnalyzer ? { accessAnalyzer: options.accessAnalyzer } : {}),
      ...((past?.state === 'apply_failed' || past?.state === 'apply_in_flight') && past.before
        ? { earlierAttempt: past.before, ...(historyTrusted ? { interrupted: past.before } : {}) }
        : {}),
    };
    let state: CredentialState;
    try {
      state = await action.readState(options.clients, step, ctx);
    } catch (e) {
      return failed(e, 'reading the current state');
    }
    if (state.targetId !== undefined && state.targetId === options.callerAccessKeyId) {
      return skip('caller_key', 'credsweep is calling AWS with this access key', state);
    }
    if (past?.state === 'apply_in_flight' && action.isDone(state, plan.digest.value)) {
      // Killed between the AWS call and the `done` line: the call went through.
      journal.append(
        entry({ type: 'done', step, before: past.before, reason: 'completed_before_interruption' }),
      );
      return { step, outcome: 'done', reason: 'completed_before_interruption' };
    }

    // Never credsweep's own principal (nor a service's role): before anything the plan could differ in.
    const never = action.never?.(state, ctx, step);
    if (never) return skip(never.reason, never.detail, state);

    let principal: Awaited<ReturnType<typeof readPrincipal>>;
    try {
      principal = await readPrincipal(
        () => options.clients.iam(step.accountId),
        step,
        partitionOf(ctx.callerArn),
      );
    } catch (e) {
      return failed(e, 'reading the principal');
    }
    if (!principal.exists)
      return skip('principal_mismatch', `no ${step.principalType} ${step.principalName}`, state);
    if (principal.arn !== undefined && principal.arn !== step.arn) {
      return skip(
        'principal_mismatch',
        `the ${step.principalType}'s ARN is ${principal.arn}, not ${step.arn}`,
        state,
      );
    }
    if (step.principalType === 'root' && principal.name !== step.principalName) {
      return skip(
        'principal_mismatch',
        `the root user is ${principal.name}, not ${step.principalName}`,
        state,
      );
    }
    const exempt = stepExemption(exemptions, step, principal, action.locksOut);
    if (exempt !== null) return skip('exempt', exempt, state);

    const changed = changedSincePlan(step, state);
    if (changed) return skip('changed_since_plan', changed, state);
    const ineligible = action.eligibility(state, ctx, step);
    if (ineligible) return skip(ineligible.reason, ineligible.detail, state);

    acted += 1;
    journal.append(entry({ type: 'intent', step, before: state }));
    options.onPoint?.('after-intent', acted);
    try {
      await action.act(options.clients, step, state, { now: now(), planDigest: plan.digest.value });
    } catch (e) {
      const error = describeStepError(e);
      journal.append(entry({ type: 'failed', step, before: state, error }));
      return { step, outcome: 'failed', reason: error.code, detail: error.message };
    }
    options.onPoint?.('after-call', acted);
    journal.append(entry({ type: 'done', step, before: state }));
    options.onPoint?.('after-done', acted);
    return { step, outcome: 'done' };
  }
}
