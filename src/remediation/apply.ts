/**
 * Carries out a plan, journalled: for each step, re-read the credential's state right before acting
 * and skip it (`changed_since_plan`) when it was used after the plan's data was taken or its state
 * changed; write an fsync'd `intent`, make the one AWS call, write `done` or `failed`. A failing step
 * never stops the others. Re-running with the same journal resumes: steps already done are not
 * repeated, and a step that was in flight is re-checked (it may or may not have happened). Steps of
 * one account run in plan order; up to `concurrency` accounts are worked on at once (by-account.ts).
 */
import { InputError } from '../errors.ts';
import type { JournalEntry } from '../model/remediation-journal.ts';
import type { PlanStep, RemediationPlan } from '../model/remediation-plan.ts';
import { type EpochMs, parseIsoDateTime } from '../time.ts';
import { describeStepError } from './actions/action.ts';
import { ACTIONS, type CredentialState, type RemediationClients } from './actions/index.ts';
import { inAccountOrder } from './by-account.ts';
import { foldJournal, journalEntries, type JournalWriter, type StepHistory } from './journal.ts';

export type StepOutcome = 'done' | 'already_done' | 'skipped' | 'failed';

export interface StepResult {
  step: PlanStep;
  outcome: StepOutcome;
  /** For skipped: changed_since_plan, caller_key; for done: completed_before_interruption when resumed. */
  reason?: string;
  detail?: string;
}

/** Points between which a test can make the process die (see the CLI's CREDSWEEP_TEST_KILL_AT). */
export type StepPoint = 'after-intent' | 'after-call' | 'after-done';

export interface ApplyOptions {
  clients: RemediationClients;
  journal: JournalWriter;
  /** Entries already in the journal (from earlier, possibly interrupted, runs). */
  history: readonly JournalEntry[];
  now: () => EpochMs;
  runId: string;
  planFile: string;
  planSha256: string;
  /** The key id this run signs with: never touched, whatever the plan says. */
  callerAccessKeyId: string | null;
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

/** Throws an InputError when the plan's data is older than `maxAgeMs` at `now`. */
export function checkPlanAge(plan: RemediationPlan, planFile: string, now: EpochMs, maxAgeMs: number): void {
  const collected = parseIsoDateTime(plan.dataCollectedAt)!;
  const ageMs = now - collected;
  if (ageMs > maxAgeMs) {
    throw new InputError(
      `the plan's data was collected ${formatDuration(ageMs)} ago (${plan.dataCollectedAt}), more than --max-plan-age ${formatDuration(maxAgeMs)}`,
      planFile,
      undefined,
      'audit and plan again, or pass a larger --max-plan-age',
    );
  }
}

export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 72) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/**
 * Why the credential no longer matches what the plan was made from, or null when it does. Any use
 * later than the last use the plan knew of counts, as does a different status or a missing credential.
 */
export function changedSincePlan(step: PlanStep, state: CredentialState): string | null {
  if (!state.exists) return 'the credential no longer exists';
  if (step.expected.status !== undefined && state.status !== step.expected.status) {
    return `status is ${state.status ?? 'unknown'}, the plan expected ${step.expected.status}`;
  }
  if (state.lastUsed !== null) {
    // Whole seconds: the credential report writes seconds only, GetAccessKeyLastUsed may carry
    // milliseconds (moto does), and the same use must not look like a new one.
    const now = Math.floor(parseIsoDateTime(state.lastUsed)! / 1000);
    const known =
      step.expected.lastUsed === null ? null : Math.floor(parseIsoDateTime(step.expected.lastUsed)! / 1000);
    if (known === null || now > known) return `used at ${state.lastUsed}, after the plan's data was taken`;
  }
  return null;
}

export async function applyPlan(plan: RemediationPlan, options: ApplyOptions): Promise<ApplyResult> {
  const { journal, now, runId } = options;
  const entry = journalEntries('apply', runId, now);
  journal.append(
    entry({
      type: 'run',
      plan: { file: options.planFile, sha256: options.planSha256, dataCollectedAt: plan.dataCollectedAt },
    }),
  );
  const history = foldJournal(options.history);
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
    const action = ACTIONS[step.action];
    if (past?.state === 'applied') return { step, outcome: 'already_done', detail: 'done in an earlier run' };
    const skip = (reason: string, detail: string): StepResult => {
      journal.append(entry({ type: 'skipped', step, reason, detail }));
      return { step, outcome: 'skipped', reason, detail };
    };
    if (step.accessKeyId !== undefined && step.accessKeyId === options.callerAccessKeyId) {
      return skip('caller_key', 'credsweep is calling AWS with this access key');
    }
    let state: CredentialState;
    try {
      state = await action.readState(options.clients, step);
    } catch (e) {
      const error = describeStepError(e);
      journal.append(entry({ type: 'failed', step, error, detail: 'reading the current state' }));
      return {
        step,
        outcome: 'failed',
        reason: error.code,
        detail: `reading the current state: ${error.message}`,
      };
    }
    if (past?.state === 'apply_in_flight' && action.isDone(state)) {
      // Killed between the AWS call and the `done` line: the call went through.
      journal.append(
        entry({ type: 'done', step, before: past.before, reason: 'completed_before_interruption' }),
      );
      return { step, outcome: 'done', reason: 'completed_before_interruption' };
    }
    const changed = changedSincePlan(step, state);
    if (changed) return skip('changed_since_plan', changed);
    acted += 1;
    journal.append(entry({ type: 'intent', step, before: state }));
    options.onPoint?.('after-intent', acted);
    try {
      await action.act(options.clients, step, state);
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
