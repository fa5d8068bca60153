/**
 * Temporary files that never outlive the process. Each one is registered while it exists; the
 * process's `exit` (a normal end, `process.exit` after EPIPE, an uncaught error) and SIGINT, SIGTERM
 * and SIGHUP remove whatever is still registered. The signal handlers are installed only while a
 * temporary file exists, and re-raise the signal after cleaning up, so Ctrl-C still ends the run
 * with the usual status. (SIGKILL cannot be caught: that is why standard-output buffers are unlinked
 * as soon as they are opened, see ./safe-write.ts.)
 */
import { unlinkSync } from 'node:fs';

const live = new Set<string>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let exitHookInstalled = false;

function removeAll(): void {
  for (const path of live) {
    try {
      unlinkSync(path);
    } catch {
      // already gone (renamed onto its target, or removed by hand)
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  uninstallSignalHandlers();
  process.kill(process.pid, signal);
}

function installSignalHandlers(): void {
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstallSignalHandlers(): void {
  for (const s of SIGNALS) process.off(s, onSignal);
}

export function registerTempFile(path: string): void {
  if (!exitHookInstalled) {
    process.on('exit', removeAll);
    exitHookInstalled = true;
  }
  if (live.size === 0) installSignalHandlers();
  live.add(path);
}

/** The file was renamed away or removed: nothing left to clean. */
export function forgetTempFile(path: string): void {
  if (!live.delete(path)) return;
  if (live.size === 0) uninstallSignalHandlers();
}

/** For tests: the temporary files this process holds right now. */
export function liveTempFiles(): readonly string[] {
  return [...live];
}
