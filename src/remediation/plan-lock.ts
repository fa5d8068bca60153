import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock, type HeldLock } from '../files/pid-lock.ts';

/** The lock of a plan, by its digest: one apply of a plan at a time on this machine, whatever the journal. */
export function acquirePlanLock(planDigest: string, planFile: string, dir: string = tmpdir()): HeldLock {
  return acquireLock(join(dir, `credsweep-plan-${planDigest.slice(0, 32)}.lock`), `plan ${planFile}`);
}
