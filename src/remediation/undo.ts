/**
 * Reverses what a journal says was done, as far as AWS allows: deactivated keys and certificates are
 * made Active again; deleted keys and login profiles are listed as impossible to undo. Undo writes to
 * the same journal (phase `undo`), so it too can be interrupted and re-run. Like apply, one account's
 * steps one after another, up to `concurrency` accounts at once.
 */
import type { JournalEntry } from '../model/remediation-journal.ts';
import type { PlanStep } from '../model/remediation-plan.ts';
import type { EpochMs } from '../time.ts';
import { describeStepError } from './actions/action.ts';
import { ACTIONS, type CredentialState, type RemediationClients } from './actions/index.ts';
import { inAccountOrder } from './by-account.ts';
import { foldJournal, journalEntries, type JournalWriter, type StepHistory } from './journal.ts';

export type UndoOutcome = 'undone' | 'already_undone' | 'irreversible' | 'skipped' | 'failed';

export interface UndoResult {
  step: PlanStep;
  outcome: UndoOutcome;
  detail?: string;
}

/** What undo would do with a journal, before any AWS call: the counts the confirmation shows. */
export interface UndoPreview {
  reversible: StepHistory[];
  irreversible: StepHistory[];
}

const UNDO_CANDIDATES = new Set(['applied', 'apply_in_flight', 'undo_in_flight', 'undo_failed']);

export function previewUndo(entries: readonly JournalEntry[]): UndoPreview {
  const reversible: StepHistory[] = [];
  const irreversible: StepHistory[] = [];
  for (const h of foldJournal(entries).values()) {
    if (!UNDO_CANDIDATES.has(h.state)) continue;
    (ACTIONS[h.step.action].reversible ? reversible : irreversible).push(h);
  }
  return { reversible, irreversible };
}

export interface UndoOptions {
  clients: RemediationClients;
  journal: JournalWriter;
  now: () => EpochMs;
  runId: string;
  /** Accounts worked on at once (default 1). */
  concurrency?: number;
  /** Called as each reversal ends, whatever its outcome (e.g. to move a progress bar). */
  onStepDone?: (result: UndoResult) => void;
}

export async function undoJournal(
  entries: readonly JournalEntry[],
  options: UndoOptions,
): Promise<UndoResult[]> {
  const { journal, now, runId } = options;
  const entry = journalEntries('undo', runId, now);
  journal.append(entry({ type: 'run' }));
  const preview = previewUndo(entries);
  const results: UndoResult[] = preview.irreversible.map((h) => ({
    step: h.step,
    outcome: 'irreversible' as const,
    detail:
      h.state === 'apply_in_flight'
        ? `${h.step.action} cannot be undone (the run was interrupted during this step: it may not have happened)`
        : `${h.step.action} cannot be undone`,
  }));
  const reversed = await inAccountOrder(
    preview.reversible,
    (h) => h.step.accountId,
    options.concurrency ?? 1,
    async (h) => {
      const result = await undoStep(h);
      options.onStepDone?.(result);
      return result;
    },
  );
  return [...results, ...reversed];

  async function undoStep(h: StepHistory): Promise<UndoResult> {
    const step = h.step;
    const action = ACTIONS[step.action];
    let state: CredentialState;
    try {
      state = await action.readState(options.clients, step);
    } catch (e) {
      const error = describeStepError(e);
      journal.append(entry({ type: 'failed', step, error, detail: 'reading the current state' }));
      return { step, outcome: 'failed', detail: `${error.code}: ${error.message}` };
    }
    if (action.isUndone?.(state)) {
      // Either the apply was killed before its call, or an earlier undo got this far.
      journal.append(entry({ type: 'done', step, before: state, reason: 'already_undone' }));
      return { step, outcome: 'already_undone' };
    }
    if (!action.isDone(state)) {
      const detail = state.exists
        ? `status is ${state.status ?? 'unknown'}`
        : 'the credential no longer exists';
      journal.append(entry({ type: 'skipped', step, before: state, reason: 'changed_since_apply', detail }));
      return { step, outcome: 'skipped', detail };
    }
    journal.append(entry({ type: 'intent', step, before: state }));
    try {
      await action.undo!(options.clients, step, state);
    } catch (e) {
      const error = describeStepError(e);
      journal.append(entry({ type: 'failed', step, before: state, error }));
      return { step, outcome: 'failed', detail: `${error.code}: ${error.message}` };
    }
    journal.append(entry({ type: 'done', step, before: state }));
    return { step, outcome: 'undone' };
  }
}
