/**
 * One lock file mechanism: a file holding the owner's pid, created whole (written to a temporary file
 * of our own, then linked into place: link fails when the lock exists, and the lock is never seen
 * empty). Used per remediation journal (two writers would make it lie), per plan digest (two applies
 * of one plan with different journals would both act: ../remediation/plan-lock.ts) and per history
 * database (two runs would each write back what they read, one losing the other's run).
 *
 * A lock left by a killed run (its pid gone) is taken over, so resuming after SIGKILL just works. Two
 * runs may find the same stale lock at once, and removing it by name would remove whatever is there
 * by then, perhaps the other's new lock. So a takeover first claims that very file — an O_EXCL
 * `<lock>.takeover-<inode>`: one claim per stale file, one winner — then checks it is still that file
 * (inode and pid) and renames its own lock over it; the loser finds the winner's live lock. A run
 * killed holding a claim leaves the lock stuck rather than shared: the error names the files.
 *
 * The files of a live lock (its temporary file, a claim, the lock itself once held) are registered
 * with ./temp-files.ts, so SIGINT, SIGTERM or SIGHUP removes them and then ends the process:
 * with the default action a signal ended it wherever it was, between creating `<lock>.<pid>.….tmp`
 * and removing it (left behind for good), or with the lock held (left for the next run to take
 * over). Only SIGKILL still leaves a lock, which the next run takes over.
 */
import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.ts';
import { cannotWrite } from './target.ts';
import { forgetTempFile, registerTempFile } from './temp-files.ts';

export interface HeldLock {
  readonly path: string;
  release(): void;
}

/** Test hook: called when a run has found the lock stale, before it takes it over. */
export interface LockHooks {
  onStale?(): void;
}

/**
 * Takes `lockPath` for this process, or throws a UsageError naming `what` and the pid holding it;
 * a lock that cannot be created at all is an InputError about `onError.file` (one line, exit 2).
 */
export function acquireLock(
  lockPath: string,
  what: string,
  onError: { file: string; what: string } = { file: lockPath, what: 'cannot lock' },
  hooks: LockHooks = {},
): HeldLock {
  const mine = `${lockPath}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  // (registered from before it exists: a signal from here on waits for the cleanup)
  registerTempFile(mine);
  try {
    writeWhole(mine, String(process.pid));
  } catch (e) {
    forgetTempFile(mine);
    throw cannotWrite(e, onError.file, onError.what);
  }
  try {
    // Three rounds: a fresh lock; a stale one taken over; a round after losing a takeover, which
    // then finds the winner's lock.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        placeLock(mine, lockPath);
        return held(lockPath);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotWrite(e, onError.file, onError.what);
      }
      const seen = readLock(lockPath, what);
      if (seen === null) continue; // released in between: try again
      if (Number.isInteger(seen.pid) && seen.pid > 0 && isAlive(seen.pid))
        throw inUse(what, seen.pid, lockPath);
      hooks.onStale?.();
      if (takeOver(lockPath, seen, mine, what)) return held(lockPath);
    }
    throw new UsageError(`cannot lock ${what}`);
  } finally {
    rmSync(mine, { force: true });
    forgetTempFile(mine);
  }
}

/** A lock file as read: its inode, its text and the pid in it (NaN when it holds none). */
interface SeenLock {
  ino: number;
  text: string;
  pid: number;
}

/** Opens what is at a lock's path for reading: never through a link, never waiting for a FIFO's writer. */
const READ_LOCK = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * The lock at `lockPath`, or null when there is none. A lock is a regular file credsweep made: a FIFO
 * (reading it waited for a writer for ever), a device or a symbolic link planted there is neither read
 * nor replaced, but refused (a UsageError naming it).
 */
function readLock(lockPath: string, what: string): SeenLock | null {
  let fd: number;
  try {
    fd = openSync(lockPath, READ_LOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw notALock(what, lockPath, 'a symbolic link');
    return null;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw notALock(what, lockPath, stats.isFIFO() ? 'a FIFO' : 'not a regular file');
    }
    const text = readFileSync(fd, 'utf8');
    return { ino: stats.ino, text, pid: Number(text.trim()) };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    return null;
  } finally {
    closeSync(fd);
  }
}

function notALock(what: string, lockPath: string, kind: string): UsageError {
  return new UsageError(
    `cannot lock ${what}: ${lockPath} is ${kind}, not a lock credsweep made`,
    'remove it (a lock is a regular file holding a pid)',
  );
}

/**
 * Replaces the stale lock `seen` with `mine` when this run wins its claim and it is still that file;
 * false when another run got there first (the caller looks again).
 */
function takeOver(lockPath: string, seen: SeenLock, mine: string, what: string): boolean {
  const claim = `${lockPath}.takeover-${seen.ino}`;
  registerTempFile(claim);
  try {
    writeWhole(claim, String(process.pid));
  } catch (e) {
    // (another run's claim, or none: not ours to remove)
    forgetTempFile(claim);
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const by = readLock(claim, what)?.pid ?? Number.NaN;
    if (Number.isInteger(by) && by > 0 && isAlive(by)) throw inUse(what, by, lockPath);
    throw new UsageError(
      `cannot lock ${what}: a takeover of its stale lock was interrupted`,
      `remove ${lockPath} and ${claim} if no credsweep is running`,
    );
  }
  try {
    const now = readLock(lockPath, what);
    // Only this claim's holder replaces that file; anything else there now is someone's new lock.
    if (now === null || now.ino !== seen.ino || now.text !== seen.text) return false;
    // (ours from the rename on: registered first, so a signal meanwhile removes it)
    registerTempFile(lockPath);
    try {
      renameSync(mine, lockPath);
    } catch (e) {
      forgetTempFile(lockPath);
      throw e;
    }
    return true;
  } finally {
    rmSync(claim, { force: true });
    forgetTempFile(claim);
  }
}

/**
 * Links `mine` (written whole) into place; where the file system has no hard links (some network and
 * FUSE mounts), creates the lock O_EXCL instead. Either fails with EEXIST when a lock is there.
 */
function placeLock(mine: string, lockPath: string): void {
  try {
    linkSync(mine, lockPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
    writeWhole(lockPath, String(process.pid));
  }
}

/** The lock, ours: registered until released (see the top of this file). */
function held(lockPath: string): HeldLock {
  registerTempFile(lockPath);
  return {
    path: lockPath,
    release: () => {
      rmSync(lockPath, { force: true });
      forgetTempFile(lockPath);
    },
  };
}

/** Creates `file` (O_EXCL, 0600) holding `text`, or nothing when the write fails. */
function writeWhole(file: string, text: string): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, text);
  } catch (e) {
    closeSync(fd);
    rmSync(file, { force: true });
    throw e;
  }
  closeSync(fd);
}

function inUse(what: string, pid: number, lockPath: string): UsageError {
  return new UsageError(
    `${what} is in use by another credsweep (pid ${pid})`,
    `wait for it, or remove ${lockPath} if that process is not credsweep`,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
