/**
 * Reverses only credsweep's own, confirmed changes: steps the journal records as `done` (after the
 * AWS call, or confirmed `completed_before_interruption` by a resumed apply), and only while the
 * credential is still as credsweep left it (the action's isAsLeft). A step whose run was interrupted
 * before a `done` line is listed as not confirmed and left alone: credsweep cannot tell its own change
 * from a responder's. Deleted keys and login profiles are listed as impossible to undo. The journal's
 * lines were checked by readJournal (one plan digest, HMAC with a key). Undo writes to the same
 * journal (phase `undo`), so it too can be interrupted and re-run; after it, apply refuses the plan
 * unless given --reapply. One account's steps one after another, up to `concurrency` accounts at once.
 */
import type { JournalEntry } from '../model/remediation-journal.ts';
import type { PlanStep } from '../model/remediation-plan.ts';
import type { EpochMs } from '../time.ts';
import { describeStepError } from './actions/action.ts';
import { ACTIONS, type CredentialState, type RemediationClients } from './actions/index.ts';
import { inAccountOrder } from './by-account.ts';
import { foldJournal, journalEntries, type JournalWriter, type StepHistory } from './journal.ts';
import type { PlanKey } from './plan-digest.ts';

export type UndoOutcome =
  | 'undone'
  | 'already_undone'
  | 'irreversible'
  | 'not_confirmed'
  | 'skipped'
  | 'failed';

export interface UndoResult {
  step: PlanStep;
  outcome: UndoOutcome;
  detail?: string;
}

/** What undo would do with a journal, before any AWS call: what the confirmation lists. */
export interface UndoPreview {
  reversible: StepHistory[];
  irreversible: StepHistory[];
  /** Steps whose apply was interrupted before a `done` line: never reversed. */
  unconfirmed: StepHistory[];
}

/** Confirmed done, or an undo of a confirmed step that was itself interrupted or failed. */
const UNDO_CANDIDATES = new Set(['applied', 'undo_in_flight', 'undo_failed']);

export function previewUndo(entries: readonly JournalEntry[]): UndoPreview {
  const preview: UndoPreview = { reversible: [], irreversible: [], unconfirmed: [] };
  for (const h of foldJournal(entries).values()) {
    if (h.state === 'apply_in_flight') preview.unconfirmed.push(h);
    else if (!UNDO_CANDIDATES.has(h.state)) continue;
    // delete-role is irreversible to apply (it needs --allow-irreversible) yet has an undo: it recreates the role.
    else (ACTIONS[h.step.action].undo ? preview.reversible : preview.irreversible).push(h);
  }
  return preview;
}

export interface UndoOptions {
  clients: RemediationClients;
  journal: JournalWriter;
  now: () => EpochMs;
  runId: string;
  /** The digest of the plan the journal belongs to (its lines all carry it). */
  planDigest: string;
  key?: PlanKey | undefined;
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
  const entry = journalEntries('undo', runId, now, { planDigest: options.planDigest, key: options.key });
  journal.append(entry({ type: 'run' }));
  const preview = previewUndo(entries);
  const results: UndoResult[] = [
    ...preview.irreversible.map((h) => ({
      step: h.step,
      outcome: 'irreversible' as const,
      detail: `${h.step.action} cannot be undone`,
    })),
    ...preview.unconfirmed.map((h) => ({
      step: h.step,
      outcome: 'not_confirmed' as const,
      detail:
        'the apply was interrupted before confirming this step: left as it is (resume apply to confirm it)',
    })),
  ];
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
      state = await action.readState(options.clients, step, undefined, h.before);
    } catch (e) {
      const error = describeStepError(e);
      journal.append(entry({ type: 'failed', step, error, detail: 'reading the current state' }));
      return { step, outcome: 'failed', detail: `${error.code}: ${error.message}` };
    }
    if (h.state !== 'applied' && action.isUndone?.(state, h.before)) {
      // An earlier undo got this far (its `done` line was not written).
      journal.append(entry({ type: 'done', step, before: state, reason: 'already_undone' }));
      return { step, outcome: 'already_undone' };
    }
    if (!action.isAsLeft?.(state, h.before)) {
      const detail = !state.exists
        ? 'the credential no longer exists'
        : `not as credsweep left it (status ${state.status ?? 'unknown'}${state.lastUsed ? `, last used ${state.lastUsed}` : ''})`;
      journal.append(entry({ type: 'skipped', step, before: state, reason: 'changed_since_apply', detail }));
      return { step, outcome: 'skipped', detail };
    }
    journal.append(entry({ type: 'intent', step, before: state }));
    let note: string | undefined;
    try {
      const said = await action.undo!(options.clients, step, state, h.before);
      note = typeof said === 'string' ? said : undefined;
    } catch (e) {
      const error = describeStepError(e);
      journal.append(entry({ type: 'failed', step, before: state, error }));
      return { step, outcome: 'failed', detail: `${error.code}: ${error.message}` };
    }
    journal.append(entry({ type: 'done', step, before: state, ...(note ? { detail: note } : {}) }));
    return { step, outcome: 'undone', ...(note ? { detail: note } : {}) };
  }
}
