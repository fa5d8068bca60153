/**
 * The lock file (src/files/pid-lock.ts), on the real file system with no AWS: a fresh lock, a live
 * one refused, a stale one (its pid gone) taken over — and two runs finding the same stale lock at
 * once, the interleaving driven through the onStale hook rather than timing: only one holds the lock,
 * the other is refused naming it, and no temporary or claim file is left behind.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../../src/errors.ts';
import { acquireLock, type HeldLock } from '../../src/files/pid-lock.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

/** The pid of a process that has exited (its lock is stale). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

describe('acquireLock', () => {
  let dir: string;
  let n = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'credsweep-lock-unit-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const lockPath = () => join(dir, `${++n}.lock`);
  /** Files beside the lock (temporary and claim files would show up here). */
  const beside = (path: string) => readdirSync(dir).filter((f) => f.startsWith(path.split('/').at(-1)!));

  it('a fresh lock holds this pid, mode 0600, nothing else beside it; release removes it', () => {
    const path = lockPath();
    const lock = acquireLock(path, 'the thing');
    assert.equal(readFileSync(path, 'utf8'), String(process.pid));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(beside(path), [path.split('/').at(-1)]);
    lock.release();
    assert.deepEqual(beside(path), []);
  });

  it('a live lock is refused, naming its pid', () => {
    const path = lockPath();
    const lock = acquireLock(path, 'the thing');
    assert.throws(
      () => acquireLock(path, 'the thing'),
      (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.match(
          e.message,
          new RegExp(`the thing is in use by another credsweep \\(pid ${process.pid}\\)`),
        );
        return true;
      },
    );
    lock.release();
  });

  it('a stale lock (its pid gone) is taken over: mode 0600, no temporary or claim file left', () => {
    const path = lockPath();
    writeFileSync(path, String(deadPid()), { mode: 0o600 });
    const lock = acquireLock(path, 'the thing');
    assert.equal(readFileSync(path, 'utf8'), String(process.pid));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(beside(path), [path.split('/').at(-1)]);
    lock.release();
  });

  it('an empty or garbled lock (a writer killed mid-write by an older version) is stale too', () => {
    const path = lockPath();
    writeFileSync(path, '', { mode: 0o600 });
    acquireLock(path, 'the thing').release();
  });

  it('two runs take over one stale lock at once: one holds it, the other is refused and removes nothing', () => {
    const path = lockPath();
    writeFileSync(path, String(deadPid()), { mode: 0o600 });
    // B has read the dead pid; before it acts, A takes the lock over whole.
    let a: HeldLock | undefined;
    const b = () =>
      acquireLock(path, 'the thing', undefined, {
        onStale: () => {
          a ??= acquireLock(path, 'the thing');
        },
      });
    assert.throws(b, /the thing is in use by another credsweep/);
    assert.ok(a, 'A took the stale lock over');
    assert.equal(readFileSync(path, 'utf8'), String(process.pid), "A's lock is still there");
    assert.deepEqual(beside(path), [path.split('/').at(-1)], 'no temporary or claim file left');
    a.release();
    assert.deepEqual(beside(path), []);
  });

  // Before, a FIFO there made acquireLock wait for ever (readFileSync waits for a writer), and a
  // symbolic link to a stale-looking file was followed, read and then renamed over.
  it('a FIFO, a device or a symbolic link where the lock goes is refused, naming it, and left as it is', () => {
    const module = pathToFileURL(join(REPO_ROOT, 'src/files/pid-lock.ts')).href;
    const target = join(dir, 'elsewhere');
    const targetText = String(deadPid());
    writeFileSync(target, targetText, { mode: 0o600 });
    const cases: [string, (path: string) => void, RegExp][] = [
      ['a FIFO', (path) => spawnSync('mkfifo', [path]), /is a FIFO, not a lock credsweep made/],
      ['a link to a device', (path) => symlinkSync('/dev/zero', path), /is a symbolic link/],
      ['a link to a stale-looking file', (path) => symlinkSync(target, path), /is a symbolic link/],
    ];
    for (const [name, plant, expected] of cases) {
      const path = lockPath();
      plant(path);
      const kind = (p: string) =>
        lstatSync(p).isFIFO() ? 'fifo' : lstatSync(p).isSymbolicLink() ? 'link' : 'file';
      const before = kind(path);
      const script = `import { acquireLock } from ${JSON.stringify(module)};
try { acquireLock(${JSON.stringify(path)}, 'the thing'); console.log('locked'); }
catch (e) { console.log(e.constructor.name + ': ' + e.message); }`;
      const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        // SIGKILL: a process blocked in a read never runs the SIGTERM handler of ./temp-files.ts
        timeout: 20_000,
        killSignal: 'SIGKILL',
      });
      assert.equal(run.signal, null, `${name}: returns, does not wait (${run.stderr})`);
      assert.match(run.stdout, /^UsageError: cannot lock the thing: /, name);
      assert.match(run.stdout, expected, name);
      assert.equal(kind(path), before, `${name}: left as it is`);
      assert.deepEqual(beside(path), [path.split('/').at(-1)], `${name}: no temporary or claim file left`);
    }
    assert.equal(readFileSync(target, 'utf8'), targetText, 'what the link named is untouched');
  });

  it('a Ctrl-C or SIGTERM while taking or holding a lock leaves none of its files, and ends the run as signalled', () => {
    const module = pathToFileURL(join(REPO_ROOT, 'src/files/pid-lock.ts')).href;
    const cases: [string, NodeJS.Signals, string][] = [
      // mid-takeover (its temporary file and claim on disk), the signal sent by the stale hook
      [
        'takeover',
        'SIGTERM',
        `acquireLock(path, 'the thing', undefined, { onStale: () => process.kill(process.pid, 'SIGTERM') });`,
      ],
      // held, while the run works
      ['held', 'SIGINT', `acquireLock(path, 'the thing'); process.kill(process.pid, 'SIGINT');`],
    ];
    for (const [name, signal, body] of cases) {
      const path = lockPath();
      writeFileSync(path, String(deadPid()), { mode: 0o600 });
      const script = `import { acquireLock } from ${JSON.stringify(module)};
const path = ${JSON.stringify(path)};
${body}
await new Promise((ok) => setTimeout(ok, 2000));
console.log('not reached');`;
      const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(run.signal, signal, `${name}: ends as signalled (${run.stderr})`);
      assert.equal(run.stdout, '');
      assert.deepEqual(beside(path), [], `${name}: no lock, temporary or claim file left`);
    }
  });
});
