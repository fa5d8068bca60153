/**
 * Reverses only credsweep's own, confirmed changes: steps the journal records as `done` (after the
 * AWS call, or confirmed `completed_before_interruption` by a resumed apply), and only while the
 * credential is still as credsweep left it (the action's isAsLeft). A step whose run was interrupted
 * before a `done` line is listed as not confirmed and left alone: credsweep cannot tell its own change
 * from a responder's. Deleted keys and login profiles are listed as impossible to undo. The journal's
 * lines are checked as readJournal checks a file's (one plan digest, HMAC and chain with a key),
 * whoever read them; a journal not sealed with the plan key confirms nothing, and is undone only when
 * the user takes it as written (trustUnsignedJournal). Undo writes to the same journal (phase `undo`),
 * so it too can be interrupted and re-run; after it, apply refuses the plan unless given --reapply.
 * One account's steps one after another, up to `concurrency` accounts at once.
 */
import { accountOfIamArn, partitionOf } from '../arn.ts';
import { InputError } from '../errors.ts';
import type { JournalEntry } from '../model/remediation-journal.ts';
import { MAX_RECORDED_EXEMPT_TAGS, type PlanStep } from '../model/remediation-plan.ts';
import type { ExemptionPolicy } from '../rules/index.ts';
import type { EpochMs } from '../time.ts';
import { describeStepError } from './actions/action.ts';
import { ACTIONS, type CredentialState, type RemediationClients } from './actions/index.ts';
import { inAccountOrder } from './by-account.ts';
import { type ExemptionCheck, exemptionCheck, stepExemption, withExemptTags } from './exemptions.ts';
import {
  checkJournalHolds,
  checkJournalLines,
  foldJournal,
  journalConfirms,
  journalEntries,
  type JournalWriter,
  type StepHistory,
} from './journal.ts';
import type { PlanKey } from './plan-digest.ts';
import { readPrincipal } from './principal.ts';
import { counted } from '../plural.ts';

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

/**
 * The refusal of a journal that confirms nothing (not sealed with the plan key, journalConfirms) when
 * the user has not taken it as written: undo would reverse `steps` on the word of whoever can write
 * the file (a line added for a key an administrator deactivated on purpose would reactivate it). The
 * CLI asks before its prompt, undoJournal again before anything is journalled or read in AWS.
 */
export function unconfirmedJournalRefusal(file: string, steps: number): InputError {
  return new InputError(
    `this journal is not sealed with a plan key, so nothing in it is confirmed as credsweep's own: undo would reverse ${counted(steps, 'step')} on the word of whoever can write the file`,
    file,
    undefined,
    'give the key it was written with (--plan-key-file or CREDSWEEP_PLAN_KEY), or --trust-unsigned-journal to take the journal as written',
  );
}

/** True when undo may reverse what `entries` say: they are sealed with the key, or the user trusts them. */
export function undoMayTrust(
  entries: readonly JournalEntry[],
  options: Pick<UndoOptions, 'key' | 'trustUnsignedJournal'>,
): boolean {
  return options.trustUnsignedJournal === true || journalConfirms(entries, options.key);
}

/**
 * Why the step's principal is not one where credsweep runs now, or null: its ARN names another
 * account than the step's (undo's calls go to the step's account, by name), or another partition than
 * the caller's (a journal of aws-cn undone with credentials of aws).
 */
function notWhereCredsweepRuns(step: PlanStep, callerArn: string | undefined): string | null {
  const account = accountOfIamArn(step.arn);
  if (account !== step.accountId) {
    return `the journal's ARN ${step.arn} names account ${account ?? 'none'}, the step ${step.accountId}: left as it is`;
  }
  if (callerArn === undefined) return null;
  const journalled = partitionOf(step.arn);
  const current = partitionOf(callerArn);
  return journalled === current
    ? null
    : `the journal's ARN is in partition ${journalled}, credsweep runs in ${current}: not where credsweep runs now, left as it is`;
}

export interface UndoOptions {
  clients: RemediationClients;
  journal: JournalWriter;
  now: () => EpochMs;
  runId: string;
  /**
   * The digest of the plan the journal belongs to (its lines all carry it). Default: the first
   * entry's; given, every entry must carry it.
   */
  planDigest?: string;
  key?: PlanKey | undefined;
  /** Accounts worked on at once (default 1). */
  concurrency?: number;
  /**
   * Undo what the journal holds even though it is not sealed with `key` (`undo
   * --trust-unsigned-journal`): its lines, and a role recreated with the trust and permission
   * policies it names, are taken as written. Default false: a journal that confirms nothing
   * (journalConfirms) with any step to reverse is refused (unconfirmedJournalRefusal), before anything
   * is journalled or read in AWS.
   */
  trustUnsignedJournal?: boolean;
  /**
   * The ARN credsweep calls AWS as now: a step journalled in another partition than this one's is
   * left as it is (the same account id and name there are another principal). Without it, the
   * step's own partition is not checked.
   */
  callerArn?: string;
  /**
   * The exempt tag and the configuration's exemptions as they are now (default: the exempt tag
   * alone): a principal exempt now is left as it is, as apply leaves it (never an exempt principal).
   */
  exemptions?: ExemptionCheck;
  /** Called as each reversal ends, whatever its outcome (e.g. to move a progress bar). */
  onStepDone?: (result: UndoResult) => void;
}

/**
 * Reverses what `given` (the journal's entries) records as credsweep's confirmed changes (see the
 * top of this file). Each entry is first held to what a line of the journal file would be
 * (journalLineCheck: its schema, the plan's digest, with `options.key` its HMAC and chain), so
 * entries passed from code are refused as readJournal would refuse the file, and must be what the
 * journal `options.journal` is open on holds (checkJournalHolds): an InputError before anything is
 * journalled or called. Undo then works from the checked copies.
 */
export async function undoJournal(
  given: readonly JournalEntry[],
  options: UndoOptions,
): Promise<UndoResult[]> {
  const { journal, now, runId } = options;
  const entries = checkJournalLines(given, journal.path, {
    planDigest: options.planDigest,
    key: options.key,
  });
  const named = options.planDigest ?? entries[0]?.planDigest;
  if (named === undefined) return []; // an empty journal, no plan named: nothing to undo or say
  const planDigest: string = named;
  // What undo reverses and what it writes are one journal's: the lines it was given are the file's.
  checkJournalHolds(journal.path, entries, { planDigest, key: options.key });
  const entry = journalEntries('undo', runId, now, {
    planDigest,
    key: options.key,
    journal,
  });
  // The exempt tags the plan recorded, as apply's run lines name them: apply left a principal
  // carrying one as it was, and undo does too. A tag can only add protection, so any line's count.
  const exemptions = withExemptTags(
    options.exemptions ?? exemptionCheck([], now()),
    recordedExemptTags(entries, journal.path),
  );
  const preview = previewUndo(entries);
  if (preview.reversible.length > 0 && !undoMayTrust(entries, options)) {
    throw unconfirmedJournalRefusal(journal.path, preview.reversible.length);
  }
  journal.append(entry({ type: 'run' }));
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
  // Last done, first undone (in each account), as changes are unwound: a later step may have acted on
  // what an earlier one left. The results keep the journal's order.
  const reversed = await inAccountOrder(
    [...preview.reversible].reverse(),
    (h) => h.step.accountId,
    options.concurrency ?? 1,
    async (h) => {
      const result = await undoStep(h);
      options.onStepDone?.(result);
      return result;
    },
  );
  return [...results, ...reversed.reverse()];

  async function undoStep(h: StepHistory): Promise<UndoResult> {
    const step = h.step;
    const action = ACTIONS[step.action];
    const elsewhere = notWhereCredsweepRuns(step, options.callerArn);
    if (elsewhere) {
      journal.append(entry({ type: 'skipped', step, reason: 'principal_mismatch', detail: elsewhere }));
      return { step, outcome: 'skipped', detail: elsewhere };
    }
    let state: CredentialState;
    try {
      state = await action.readState(options.clients, step, { now: now() }, h.before);
    } catch (e) {
      const error = describeStepError(e);
      journal.append(entry({ type: 'failed', step, error, detail: 'reading the current state' }));
      return { step, outcome: 'failed', detail: `${error.code}: ${error.message}` };
    }
    // An earlier undo's progress counts only while it is unfinished (not after an apply again).
    const undoing = h.state === 'applied' ? undefined : h.undoing;
    if (h.state !== 'applied' && action.isUndone?.(state, h.before, undoing)) {
      // An earlier undo got this far (its `done` line was not written).
      journal.append(entry({ type: 'done', step, before: state, reason: 'already_undone' }));
      return { step, outcome: 'already_undone' };
    }
    let exempt: string | null;
    try {
      exempt = await exemptNow(step);
    } catch (e) {
      const error = describeStepError(e);
      journal.append(entry({ type: 'failed', step, error, detail: 'reading the principal' }));
      return { step, outcome: 'failed', detail: `${error.code}: ${error.message}` };
    }
    if (exempt !== null) {
      const detail = `exempt now (${exempt}): left as it is`;
      journal.append(entry({ type: 'skipped', step, before: state, reason: 'exempt', detail }));
      return { step, outcome: 'skipped', detail };
    }
    if (!action.isAsLeft?.(state, h.before, undoing, planDigest)) {
      const detail = !state.exists
        ? 'the credential no longer exists'
        : (action.notAsLeftDetail?.(state, undoing, planDigest) ??
          `not as credsweep left it (status ${state.status ?? 'unknown'}${state.lastUsed ? `, last used ${state.lastUsed}` : ''})`);
      journal.append(entry({ type: 'skipped', step, before: state, reason: 'changed_since_apply', detail }));
      return { step, outcome: 'skipped', detail };
    }
    journal.append(entry({ type: 'intent', step, before: state }));
    const progress = (reached: CredentialState, detail: string) =>
      journal.append(entry({ type: 'intent', step, before: reached, detail }));
    let note: string | undefined;
    try {
      const said = await action.undo!(options.clients, step, state, h.before, progress);
      note = typeof said === 'string' ? said : undefined;
    } catch (e) {
      const error = describeStepError(e);
      journal.append(entry({ type: 'failed', step, before: state, error }));
      return { step, outcome: 'failed', detail: `${error.code}: ${error.message}` };
    }
    journal.append(entry({ type: 'done', step, before: state, ...(note ? { detail: note } : {}) }));
    return { step, outcome: 'undone', ...(note ? { detail: note } : {}) };
  }

  /**
   * Why the step's principal is exempt now, or null: its live name, ARN and tags when it exists (a
   * deleted role has none: the journal's name and ARN, which apply checked live), as apply asks.
   */
  async function exemptNow(step: PlanStep): Promise<string | null> {
    // (No undo acts on root: its only action, delete-root-access-key, is irreversible.)
    const principal =
      step.principalType === 'root'
        ? { exists: false, tags: {} }
        : await readPrincipal(() => options.clients.iam(step.accountId), step, partitionOf(step.arn));
    return stepExemption(exemptions, step, principal, ACTIONS[step.action].locksOut);
  }
}

/**
 * The exempt tags apply's `run` lines record, each once. One plan records the same on every run, so
 * more than one plan can hold (MAX_RECORDED_EXEMPT_TAGS) is a journal someone wrote: refused.
 */
function recordedExemptTags(entries: readonly JournalEntry[], file: string): ExemptionPolicy[] {
  const tags = new Map<string, ExemptionPolicy>();
  for (const e of entries) {
    if (e.type !== 'run' || e.phase !== 'apply') continue;
    for (const { tagKey, tagValue } of e.exemptTags ?? []) {
      tags.set(JSON.stringify([tagKey.toLowerCase(), tagValue.toLowerCase()]), { tagKey, tagValue });
    }
    if (tags.size > MAX_RECORDED_EXEMPT_TAGS) {
      throw new InputError(
        `the journal's run lines record more than ${MAX_RECORDED_EXEMPT_TAGS} exempt tags, more than one plan can: refusing it`,
        file,
      );
    }
  }
  return [...tags.values()];
}
