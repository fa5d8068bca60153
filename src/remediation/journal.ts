/**
 * The journal: JSON Lines, each line written with one write() and fsync'd before the AWS call it
 * announces, so a run killed at any point leaves a journal that says what was done and what was in
 * flight. A last line cut off (killed mid-write, a full disk) is ignored, and reported to the caller;
 * any other bad line is an input error, and so is a line of another plan (its `planDigest`) or, with
 * a plan key, a line whose HMAC is wrong.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CredentialState } from './actions/index.ts';
import { InputError, InternalError } from '../errors.ts';
import { MAX_JSON_TEXT_BYTES, readWholeFileSync } from '../files/read-whole.ts';
import { openAppendOnly } from '../files/safe-write.ts';
import { recogniseText, wrongFileMessage } from '../model/file-kinds.ts';
import { acquireLock, type HeldLock } from '../files/pid-lock.ts';
import { journalEntryMacValid, macJournalEntry, type PlanKey } from './plan-digest.ts';
import { type JournalEntry, journalEntrySchema } from '../model/remediation-journal.ts';
import { type PlanStep, unknownFieldHint } from '../model/remediation-plan.ts';
import { type EpochMs, parseIsoDateTime, toIso } from '../time.ts';

/**
 * Builds a run's journal entries: schema version, time of writing, run id, phase and the plan's
 * digest filled in, and with a plan key the line's HMAC, chained to the line `journal` holds last
 * (append it there next: the writer checks).
 */
export function journalEntries(
  phase: JournalEntry['phase'],
  runId: string,
  now: () => EpochMs,
  seal: { planDigest: string; key?: PlanKey | undefined; journal?: Pick<JournalWriter, 'lastMac'> },
): (
  fields: Omit<JournalEntry, 'v' | 'at' | 'runId' | 'phase' | 'planDigest' | 'mac' | 'prev'>,
) => JournalEntry {
  return (fields) => {
    const prev = seal.key ? seal.journal?.lastMac() : undefined; // '' at a new journal's start
    return macJournalEntry(
      {
        v: 2,
        at: toIso(now()),
        runId,
        phase,
        planDigest: seal.planDigest,
        ...fields,
        ...(prev !== undefined ? { prev } : {}),
      },
      seal.key,
    );
  };
}

export class JournalWriter {
  private readonly fd: number;
  private readonly lock: HeldLock;
  /** The `mac` of the journal's last line (what the next sealed line chains to). */
  private last: string | undefined;
  constructor(readonly path: string) {
    // One writer per journal: two applies (or an apply and an undo) interleaving would make it lie.
    this.lock = acquireLock(`${path}.lock`, path, { file: path, what: 'cannot lock the journal' });
    try {
      // O_NOFOLLOW: a symbolic link planted where the journal goes is refused, not written through.
      this.fd = openAppendOnly(path);
      try {
        this.last = this.resumeAfterLastLine();
      } catch (e) {
        closeSync(this.fd);
        throw e;
      }
    } catch (e) {
      this.lock.release();
      throw e;
    }
    syncDirectory(dirname(path));
  }

  /**
   * Looks at what is there before appending: a regular file (a FIFO or device would hang or lie),
   * whose cut-off last line (a write that never finished: readJournal ignores it) is cut away, so the
   * next line does not land on its end and turn both into a line no reader can parse. A last line
   * whose newline alone is missing is whole (readJournal reads it): it gets its newline. Returns the
   * last whole line's `mac`.
   */
  private resumeAfterLastLine(): string | undefined {
    if (!fstatSync(this.fd).isFile()) {
      throw new InputError('not a regular file: a journal is a file credsweep appends to', this.path);
    }
    // Bytes, not text: the cut is at the last newline's byte, whatever the bytes before it decode to.
    const bytes = readFileSync(this.fd);
    let end = bytes.lastIndexOf(0x0a) + 1;
    if (end < bytes.length && isWholeLine(bytes.subarray(end).toString('utf8'))) {
      writeSync(this.fd, '\n');
      fsyncSync(this.fd);
      end = bytes.length;
    } else if (end < bytes.length) {
      ftruncateSync(this.fd, end);
      fsyncSync(this.fd);
    }
    const text = bytes.subarray(0, end).toString('utf8');
    // A new journal's first sealed line names the chain's start (''), so a copy of it cannot pass for
    // the start of an older, unchained journal.
    if (text.trim() === '') return '';
    const lines = text.trimEnd().split('\n');
    try {
      const mac = (JSON.parse(lines.at(-1) ?? '') as { mac?: unknown }).mac;
      return typeof mac === 'string' ? mac : undefined;
    } catch {
      return undefined; // not a journal line: readJournal refuses the file, naming the line
    }
  }

  /** The `mac` of the line written last (sealed lines chain to it). */
  lastMac(): string | undefined {
    return this.last;
  }

  append(entry: JournalEntry): void {
    if (entry.mac !== undefined && entry.prev !== this.last) {
      throw new InternalError('a sealed journal line was built for another place in the journal');
    }
    const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
    let written = 0;
    while (written < line.length) written += writeSync(this.fd, line, written);
    fsyncSync(this.fd);
    if (entry.mac !== undefined) this.last = entry.mac;
  }

  close(): void {
    closeSync(this.fd);
    this.lock.release();
  }
}

/** Makes a newly created journal's directory entry durable too (best effort: not every FS allows it). */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows and some file systems cannot fsync a directory.
  }
}

export interface ReadJournalOptions {
  missingOk?: boolean;
  /** Every line must carry this plan digest (default: the first line's). */
  planDigest?: string;
  /** With a plan key, every line's HMAC must be right. */
  key?: PlanKey | undefined;
  /** Called with the last line's number when it is cut off (and so ignored): for the caller to say so. */
  onCutOffLine?: (line: number) => void;
}

/**
 * The entries of a journal; `[]` when the file does not exist and `missingOk`. Every line must parse,
 * belong to one plan (`planDigest`) and, with a key, carry a right HMAC: otherwise an InputError
 * naming the line (a journal credsweep did not write is not acted on).
 */
export function readJournal(path: string, options: ReadJournalOptions = {}): JournalEntry[] {
  // A regular file, as JournalWriter writes one, up to the cap: a device (undo /dev/zero) or a FIFO
  // (which waits for a writer for ever) is refused, not read.
  const bytes = readWholeFileSync(path, { maxBytes: MAX_JSON_TEXT_BYTES, regularOnly: true });
  if (bytes === undefined) {
    if (options.missingOk) return [];
    throw new InputError('no such file', path);
  }
  const text = bytes.toString('utf8');
  const lines = text.split('\n');
  // Everything after the last newline is a line whose write never finished: the run was killed
  // mid-write or the disk was full, and the step it announced was not started (the intent is fsync'd
  // before the AWS call) or not confirmed. Such a line is the start of one credsweep writes; anything
  // else there (a plan, a report or `[]` with no newline at the end) is not a journal, and must not
  // read as an empty one. A line whose newline alone is missing is whole: it is checked like any other
  // (ignoring it would let anyone drop a sealed line by deleting one byte, unseen).
  const tail = lines.pop()!;
  if (!LINE_START.startsWith(tail) && !tail.startsWith(LINE_START)) {
    throw notAJournal(text, path) ?? new InputError('not a credsweep journal line', path, lines.length + 1);
  }
  if (isWholeLine(tail)) lines.push(tail);
  else if (tail !== '') options.onCutOffLine?.(lines.length + 1);
  const check = journalLineCheck(path, { ...options, notAJournal: () => notAJournal(text, path) });
  return lines.flatMap((line, i) => {
    if (line.trim() === '') return [];
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw (
        notAJournal(text, path) ?? new InputError('not a credsweep journal line (invalid JSON)', path, i + 1)
      );
    }
    return [check(json, i + 1)];
  });
}

export interface JournalLineCheckOptions {
  /** Every line must carry this plan digest (default: the first line's). */
  planDigest?: string | undefined;
  /** With a plan key, every line's HMAC must be right, and sealed lines must chain. */
  key?: PlanKey | undefined;
  /** A line that is not a journal entry: the error to throw instead, if any (readJournal: the file is a plan, a report…). */
  notAJournal?: () => InputError | undefined;
}

/**
 * The check each journal line passes, in order, wherever the lines come from: a file (readJournal),
 * or entries handed to applyPlan (`options.history`) or undoJournal from code, so an object passed
 * from code is held to what a file would be. The returned function takes the lines one after another
 * (`line` is 1-based, for the error) and returns each as the schema parsed it, a new object: an
 * InputError naming `file` and the line when it is not a journal entry, belongs to another plan, or
 * (with a key) has a wrong HMAC or does not follow the line before it.
 */
export function journalLineCheck(
  file: string,
  options: JournalLineCheckOptions = {},
): (value: unknown, line: number) => JournalEntry {
  let digest = options.planDigest;
  let chained = false;
  let previous: string | undefined = '';
  return (value, line) => {
    const parsed = journalEntrySchema.safeParse(value);
    if (!parsed.success) {
      const wrong = options.notAJournal?.();
      if (wrong) throw wrong;
      const issue = parsed.error.issues[0]!;
      throw new InputError(
        `not a credsweep journal line: ${issue.path.join('.') || '(line)'}: ${issue.message}${unknownFieldHint(issue)}`,
        file,
        line,
      );
    }
    const entry = parsed.data;
    digest ??= entry.planDigest;
    if (entry.planDigest !== digest) {
      throw new InputError(
        `this line belongs to another plan (digest ${entry.planDigest.slice(0, 12)}…, expected ${digest.slice(0, 12)}…)`,
        file,
        line,
        'each plan has its own journal: give apply another --journal',
      );
    }
    if (!journalEntryMacValid(entry, options.key)) {
      throw new InputError('this line was not written with the plan key (HMAC mismatch)', file, line);
    }
    if (options.key) {
      // Sealed lines chain: each names the line before it. Lines before the first that does are a
      // journal written before lines were chained, and are read as they are.
      chained ||= entry.prev !== undefined;
      if (chained && entry.prev !== previous) {
        throw new InputError(
          'this line does not follow the line before it: a line was added, copied, moved or removed',
          file,
          line,
        );
      }
      previous = entry.mac;
    }
    return entry;
  };
}

/** Each of `entries` through journalLineCheck, in order: the lines a journal at `file` would hold. */
export function checkJournalLines(
  entries: readonly unknown[],
  file: string,
  options: Omit<JournalLineCheckOptions, 'notAJournal'> = {},
): JournalEntry[] {
  if (!Array.isArray(entries))
    throw new InputError('not a credsweep journal: expected a list of lines', file);
  const check = journalLineCheck(file, options);
  return entries.map((e, i) => check(e, i + 1));
}

/**
 * Throws when the journal at `path` now holds other lines than `seen`, the lines a command read before
 * its confirmation: call it holding the journal (a JournalWriter open on it), so nothing can write in
 * between. Another credsweep wrote to it while this one waited for its answer (an undo reversing the
 * plan apply was about to carry on, an undo already reversing what another waits to reverse), and
 * acting on what was read then would act on a journal that no longer says so. The same check as
 * checkJournalHolds, worded for a command that read the journal itself before its prompt.
 */
export function checkJournalUnchanged(
  path: string,
  seen: readonly JournalEntry[],
  command: 'apply' | 'undo',
  options: ReadJournalOptions = {},
): void {
  if (heldInstead(path, seen, options)) {
    throw new InputError(
      `the journal changed while ${command} was waiting for the confirmation (another credsweep wrote to it): nothing was done`,
      path,
      undefined,
      `run credsweep ${command} again to see what it would do now`,
    );
  }
}

/**
 * Throws unless the journal at `path` holds exactly `entries` (as readJournal reads it with
 * `options`): undoJournal writes its lines where the apply's are, never beside another journal's.
 */
export function checkJournalHolds(
  path: string,
  entries: readonly JournalEntry[],
  options: ReadJournalOptions = {},
): void {
  const held = heldInstead(path, entries, options);
  if (held) {
    throw new InputError(
      `the entries given are not what the journal holds (${held.length} lines there, ${entries.length} given): nothing was done`,
      path,
      undefined,
      'pass what readJournal(path, { key }) returns for the journal the JournalWriter is open on',
    );
  }
}

/**
 * The lines the journal at `path` holds now (none if it is missing), as readJournal reads them with
 * `options`, when they are not exactly `entries`; undefined when they are.
 */
function heldInstead(
  path: string,
  entries: readonly JournalEntry[],
  options: ReadJournalOptions,
): JournalEntry[] | undefined {
  const held = readJournal(path, { ...options, missingOk: true });
  return JSON.stringify(held) === JSON.stringify(entries) ? undefined : held;
}

/** How every line JournalWriter writes begins (JSON.stringify keeps journalEntries' key order). */
const LINE_START = '{"v":2,"at":"';

/**
 * True when `tail` (the text after a journal's last newline) is a whole line that lacks only its
 * newline: a line credsweep writes is one JSON object, and no part of one cut short parses.
 */
function isWholeLine(tail: string): boolean {
  if (!tail.startsWith(LINE_START)) return false;
  try {
    JSON.parse(tail);
    return true;
  } catch {
    return false;
  }
}

/** A plan, an audit report, a credential report… given where a journal was wanted: what to do instead. */
function notAJournal(text: string, path: string): InputError | undefined {
  const kind = recogniseText(text);
  return kind && kind !== 'journal'
    ? new InputError(wrongFileMessage(kind, 'journal', path), path)
    : undefined;
}

export type StepState =
  | 'apply_in_flight'
  | 'applied'
  | 'apply_failed'
  | 'skipped'
  | 'undo_in_flight'
  | 'undone'
  | 'undo_failed'
  | 'undo_skipped';

export interface StepHistory {
  step: PlanStep;
  state: StepState;
  /** The state read right before the change (from the apply intent). */
  before?: CredentialState;
  appliedAt?: EpochMs;
  lastReason?: string;
  /**
   * The state the last undo line of an unfinished undo journalled (an undo's intent, or what it
   * reached on the way: delete-role's recreated role): what a re-run of undo may carry on from.
   */
  undoing?: CredentialState;
}

const RETRY_STATES = new Set<StepState>(['apply_failed', 'apply_in_flight', 'skipped']);

/**
 * Undo skips that leave the step as it was (still reversible by a later undo): the principal was
 * exempt then, or the journal not of the partition undo ran in. Those say who and where, not that the
 * credential changed since credsweep left it (changed_since_apply, final).
 */
const UNDO_SKIPS_KEPT = new Set(['exempt', 'principal_mismatch']);

/** What the journal says about each step, by step id, in order of first appearance. */
export function foldJournal(entries: readonly JournalEntry[]): Map<string, StepHistory> {
  const steps = new Map<string, StepHistory>();
  for (const e of entries) {
    if (!e.step) continue;
    const known = steps.get(e.step.id);
    const h: StepHistory = known ?? { step: e.step, state: 'skipped' };
    if (e.phase === 'apply') {
      if (e.type === 'intent') {
        // A retry after a failed or interrupted attempt keeps the state from before the first one:
        // a delete-role that failed part-way must still be undone from the whole role.
        const retry = known !== undefined && RETRY_STATES.has(h.state) && h.before !== undefined;
        h.state = 'apply_in_flight';
        if (!retry) h.before = e.before;
        h.undoing = undefined;
      } else if (e.type === 'done') {
        // Only a `done` line confirms a change (after the call, or a resume that saw it completed).
        h.state = 'applied';
        h.before = h.before ?? e.before;
        h.appliedAt = parseIsoDateTime(e.at) ?? undefined;
      } else if (e.type === 'failed') {
        h.state = 'apply_failed';
      } else if (e.type === 'skipped' && h.state !== 'applied') {
        h.state = 'skipped';
      }
    } else if (e.type === 'intent') {
      h.state = 'undo_in_flight';
      h.undoing = e.before;
    } else if (e.type === 'done') {
      h.state = 'undone';
    } else if (e.type === 'failed') {
      h.state = 'undo_failed';
    } else if (e.type === 'skipped' && !UNDO_SKIPS_KEPT.has(e.reason ?? '')) {
      h.state = 'undo_skipped';
    }
    if (e.reason) h.lastReason = e.reason;
    if (!known) steps.set(e.step.id, h);
  }
  return steps;
}

/** True when an undo has run on this journal (apply then refuses to act again unless told to). */
export function wasUndone(entries: readonly JournalEntry[]): boolean {
  return entries.some((e) => e.phase === 'undo' && e.step !== undefined);
}

/**
 * Access key id → when credsweep deactivated it, confirmed by a `done` line and not touched by an
 * undo since: the age of the inactive state for the `--delete-after` staging.
 */
export function deactivationDates(entries: readonly JournalEntry[]): Map<string, EpochMs> {
  const dates = new Map<string, EpochMs>();
  for (const h of foldJournal(entries).values()) {
    if (h.state !== 'applied' || h.appliedAt === undefined) continue;
    if (h.step.action === 'deactivate-access-key' && h.step.accessKeyId) {
      dates.set(h.step.accessKeyId, h.appliedAt);
    } else if (h.step.action === 'quarantine-role' && h.before?.targetId) {
      // By RoleId for apply (a role deleted and recreated by hand is another role), by ARN for plan.
      dates.set(h.before.targetId, h.appliedAt);
      dates.set(h.step.arn, h.appliedAt);
    }
  }
  return dates;
}

/**
 * True when the journal confirms what it says credsweep did: read with the plan key, every line
 * carries that key's HMAC. Without a key nothing is confirmed: an unsealed journal is plain JSON
 * Lines, and whoever can write it could have added a `done` line for a change an administrator made
 * (undo would reverse it, a deletion would count from its date).
 */
export function journalConfirms(entries: readonly JournalEntry[], key: PlanKey | undefined): boolean {
  return key !== undefined && entries.every((e) => e.mac !== undefined && journalEntryMacValid(e, key));
}

export interface JournalDates {
  /** Access key id (a role's RoleId and ARN) → the latest date credsweep deactivated (quarantined) it. */
  dates: Map<string, EpochMs>;
  /** Journals whose dates were not used: not sealed with a plan key, and not trusted as written. */
  unconfirmed: string[];
}

/** One of credsweep's own journals, as applyPlan takes it: where it is (for errors) and its lines. */
export interface DeactivationJournal {
  file: string;
  /** Its lines, as readJournal returns them (each is checked again: journalLineCheck). */
  entries: readonly unknown[];
}

/**
 * deactivationDates of several journals (the latest date wins: the key was Inactive since then at
 * least), each line first held to a journal file's line check (journalLineCheck with `key`: an
 * InputError naming the journal and the line). Only journals that confirm them count
 * (journalConfirms), or any with `trustUnsigned` (`--trust-unsigned-journal`): a forged date would
 * make a key deactivated yesterday look old enough to delete. applyPlan derives its dates this way.
 */
export function confirmedDeactivationDates(
  journals: readonly DeactivationJournal[],
  key: PlanKey | undefined,
  trustUnsigned: boolean,
): JournalDates {
  if (!Array.isArray(journals)) {
    throw new InputError('deactivationJournals: expected a list of { file, entries }', '(options)');
  }
  const dates = new Map<string, EpochMs>();
  const unconfirmed: string[] = [];
  for (const { file, entries: given } of journals) {
    const entries = checkJournalLines(given, file, { key });
    const found = deactivationDates(entries);
    if (found.size > 0 && !trustUnsigned && !journalConfirms(entries, key)) {
      unconfirmed.push(file);
      continue;
    }
    for (const [id, at] of found) dates.set(id, Math.max(at, dates.get(id) ?? 0));
  }
  return { dates, unconfirmed };
}

/** `files` read (readJournal with `key`): applyPlan's deactivationJournals, confirmedDeactivationDates' input. */
export function readDeactivationJournals(
  files: readonly string[],
  key: PlanKey | undefined,
  /** Hears of each journal whose last line is cut off (readJournal's onCutOffLine). */
  onCutOffLine?: (file: string, line: number) => void,
): DeactivationJournal[] {
  return files.map((file) => ({
    file,
    entries: readJournal(file, {
      key,
      ...(onCutOffLine ? { onCutOffLine: (line: number) => onCutOffLine(file, line) } : {}),
    }),
  }));
}

/** confirmedDeactivationDates of the journals at `files` (plan reads its --journal files so). */
export function deactivationDatesOf(
  files: readonly string[],
  key: PlanKey | undefined,
  trustUnsigned: boolean,
  onCutOffLine?: (file: string, line: number) => void,
): JournalDates {
  return confirmedDeactivationDates(readDeactivationJournals(files, key, onCutOffLine), key, trustUnsigned);
}
