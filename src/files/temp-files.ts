/**
 * Temporary files that never outlive the process. Each one is registered from before it exists until
 * it is gone; the process's `exit` (a normal end, `process.exit` after EPIPE, an uncaught error) and
 * SIGINT, SIGTERM and SIGHUP remove whatever is still registered. The signal handlers are installed
 * only while a temporary file exists (or is being created), and re-raise the signal after cleaning
 * up, so Ctrl-C still ends the run with the usual status. (SIGKILL cannot be caught: that is why
 * standard-output buffers are unlinked as soon as they are opened, see ./safe-write.ts.)
 *
 * A file is registered before it is created (`createTempFile`): a Ctrl-C that came after the file
 * appeared on disk but before an asynchronous open had returned used to end the process by the
 * default action, leaving the file behind (seen on a loaded machine). A signal that arrives while a
 * creation is under way now waits for it to finish, removes the file, then ends the process.
 */
import { unlinkSync } from 'node:fs';

const live = new Set<string>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let exitHookInstalled = false;
let handlersInstalled = false;
/** Creations in flight, and the signal that came meanwhile (raised once they are done). */
let creating = 0;
let deferredSignal: NodeJS.Signals | undefined;

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone (renamed onto its target, removed by hand, or not created yet)
  }
}

function removeAll(): void {
  for (const path of live) unlinkQuietly(path);
  live.clear();
}

function raise(signal: NodeJS.Signals): void {
  uninstallSignalHandlers();
  process.kill(process.pid, signal);
}

function onSignal(signal: NodeJS.Signals): void {
  if (creating > 0) {
    // A file may be appearing right now: remove everything once it has (createTempFile).
    deferredSignal ??= signal;
    return;
  }
  removeAll();
  raise(signal);
}

function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstallSignalHandlers(): void {
  if (!handlersInstalled) return;
  handlersInstalled = false;
  for (const s of SIGNALS) process.off(s, onSignal);
}

export function registerTempFile(path: string): void {
  if (!exitHookInstalled) {
    process.on('exit', removeAll);
    exitHookInstalled = true;
  }
  installSignalHandlers();
  live.add(path);
}

/** The file was renamed away or removed: nothing left to clean. */
export function forgetTempFile(path: string): void {
  if (!live.delete(path)) return;
  if (live.size === 0 && creating === 0) uninstallSignalHandlers();
}

/**
 * Creates the temporary file `path` with `create` (an exclusive open), registered for removal from
 * before it exists; a failed creation is forgotten. A signal during the creation ends the process
 * once it is done, the file removed.
 */
export async function createTempFile<T>(path: string, create: () => Promise<T>): Promise<T> {
  registerTempFile(path);
  creating++;
  try {
    return await create();
  } catch (e) {
    forgetTempFile(path);
    throw e;
  } finally {
    creating--;
    if (creating === 0 && deferredSignal !== undefined) {
      removeAll();
      raise(deferredSignal);
    } else if (creating === 0 && live.size === 0) uninstallSignalHandlers();
  }
}

/** For tests: the temporary files this process holds right now. */
export function liveTempFiles(): readonly string[] {
  return [...live];
}
