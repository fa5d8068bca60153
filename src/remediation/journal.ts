/**
 * The journal: JSON Lines, each line written with one write() and fsync'd before the AWS call it
 * announces, so a run killed at any point leaves a journal that says what was done and what was in
 * flight. A torn last line (killed mid-write) is ignored; any other bad line is an input error.
 */
import { closeSync, fsyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CredentialState } from './actions/index.ts';
import { InputError, UsageError } from '../errors.ts';
import { openAppendOnly } from '../files/safe-write.ts';
import { cannotWrite } from '../files/target.ts';
import { recogniseText, wrongFileMessage } from '../model/file-kinds.ts';
import { type JournalEntry, journalEntrySchema } from '../model/remediation-journal.ts';
import type { PlanStep } from '../model/remediation-plan.ts';
import { type EpochMs, parseIsoDateTime, toIso } from '../time.ts';

/** Builds a run's journal entries: schema version, time of writing, run id and phase filled in. */
export function journalEntries(
  phase: JournalEntry['phase'],
  runId: string,
  now: () => EpochMs,
): (fields: Omit<JournalEntry, 'v' | 'at' | 'runId' | 'phase'>) => JournalEntry {
  return (fields) => ({ v: 1, at: toIso(now()), runId, phase, ...fields });
}

export class JournalWriter {
  private readonly fd: number;
  private readonly lockPath: string;
  constructor(readonly path: string) {
    this.lockPath = `${path}.lock`;
    acquireLock(this.lockPath, path);
    try {
      // O_NOFOLLOW: a symbolic link planted where the journal goes is refused, not written through.
      this.fd = openAppendOnly(path);
    } catch (e) {
      rmSync(this.lockPath, { force: true });
      throw e;
    }
    syncDirectory(dirname(path));
  }

  append(entry: JournalEntry): void {
    const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
    let written = 0;
    while (written < line.length) written += writeSync(this.fd, line, written);
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
    rmSync(this.lockPath, { force: true });
  }
}

/**
 * One writer per journal: two applies (or an apply and an undo) interleaving on the same credentials
 * would make the journal lie. The lock file holds the writer's pid; a lock left by a killed run (its
 * pid gone) is taken over, so resuming after SIGKILL just works.
 */
function acquireLock(lockPath: string, journalPath: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        throw cannotWrite(e, journalPath, 'cannot lock the journal');
    }
    const pid = Number(readFileSync(lockPath, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
      throw new UsageError(
        `${journalPath} is in use by another credsweep (pid ${pid})`,
        `wait for it, or remove ${lockPath} if that process is not credsweep`,
      );
    }
    rmSync(lockPath, { force: true });
  }
  throw new UsageError(`cannot lock ${journalPath}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
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

/** The entries of a journal; `[]` when the file does not exist and `missingOk`. */
export function readJournal(path: string, options: { missingOk?: boolean } = {}): JournalEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && options.missingOk) return [];
    throw new InputError(code === 'ENOENT' ? 'no such file' : `cannot read (${code})`, path);
  }
  const lines = text.split('\n');
  // Everything after the last newline is a line whose write never finished: the run was killed
  // mid-write, and the step it announced was not started (the intent is fsync'd before the AWS call).
  lines.pop();
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
    const parsed = journalEntrySchema.safeParse(json);
    if (!parsed.success) {
      const wrong = notAJournal(text, path);
      if (wrong) throw wrong;
      const issue = parsed.error.issues[0]!;
      throw new InputError(
        `not a credsweep journal line: ${issue.path.join('.') || '(line)'}: ${issue.message}`,
        path,
        i + 1,
      );
    }
    return [parsed.data];
  });
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
}

/** What the journal says about each step, by step id, in order of first appearance. */
export function foldJournal(entries: readonly JournalEntry[]): Map<string, StepHistory> {
  const steps = new Map<string, StepHistory>();
  for (const e of entries) {
    if (!e.step) continue;
    const known = steps.get(e.step.id);
    const h: StepHistory = known ?? { step: e.step, state: 'skipped' };
    if (e.phase === 'apply') {
      if (e.type === 'intent') {
        h.state = 'apply_in_flight';
        h.before = e.before;
      } else if (e.type === 'done') {
        h.state = 'applied';
        h.before = e.before ?? h.before;
        h.appliedAt = parseIsoDateTime(e.at) ?? undefined;
      } else if (e.type === 'failed') {
        h.state = 'apply_failed';
      } else if (e.type === 'skipped' && h.state !== 'applied') {
        h.state = 'skipped';
      }
    } else if (e.type === 'intent') {
      h.state = 'undo_in_flight';
    } else if (e.type === 'done') {
      h.state = 'undone';
    } else if (e.type === 'failed') {
      h.state = 'undo_failed';
    } else if (e.type === 'skipped') {
      h.state = 'undo_skipped';
    }
    if (e.reason) h.lastReason = e.reason;
    if (!known) steps.set(e.step.id, h);
  }
  return steps;
}

/**
 * Access key id → when credsweep deactivated it (and has not undone it since): the age of the inactive
 * state for the `--delete-after` staging.
 */
export function deactivationDates(entries: readonly JournalEntry[]): Map<string, EpochMs> {
  const dates = new Map<string, EpochMs>();
  for (const h of foldJournal(entries).values()) {
    if (h.step.action !== 'deactivate-access-key' || !h.step.accessKeyId) continue;
    if ((h.state === 'applied' || h.state === 'undo_skipped') && h.appliedAt !== undefined) {
      dates.set(h.step.accessKeyId, h.appliedAt);
    }
  }
  return dates;
}
