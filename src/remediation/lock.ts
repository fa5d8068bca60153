/**
 * One lock file mechanism for remediation: a file created O_EXCL holding the owner's pid. A lock left
 * by a killed run (its pid gone) is taken over, so resuming after SIGKILL just works. Used per journal
 * (two writers would make it lie) and per plan digest (two applies of one plan with different
 * journals would both act).
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { cannotWrite } from '../files/target.ts';

export interface HeldLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes `lockPath` for this process, or throws a UsageError naming `what` and the pid holding it;
 * a lock that cannot be created at all is an InputError about `onError.file` (one line, exit 2).
 */
export function acquireLock(
  lockPath: string,
  what: string,
  onError: { file: string; what: string } = { file: lockPath, what: 'cannot lock' },
): HeldLock {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { path: lockPath, release: () => rmSync(lockPath, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotWrite(e, onError.file, onError.what);
    }
    let pid = Number.NaN;
    try {
      pid = Number(readFileSync(lockPath, 'utf8').trim());
    } catch {
      // removed in between: try again
    }
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
      throw new UsageError(
        `${what} is in use by another credsweep (pid ${pid})`,
        `wait for it, or remove ${lockPath} if that process is not credsweep`,
      );
    }
    rmSync(lockPath, { force: true });
  }
  throw new UsageError(`cannot lock ${what}`);
}

/** The lock of a plan, by its digest: one apply of a plan at a time on this machine, whatever the journal. */
export function acquirePlanLock(planDigest: string, planFile: string, dir: string = tmpdir()): HeldLock {
  return acquireLock(join(dir, `credsweep-plan-${planDigest.slice(0, 32)}.lock`), `plan ${planFile}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
