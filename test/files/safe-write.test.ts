/**
 * Files written safely (issue 11, "Output files"): src/files/safe-write.ts in process, then through
 * the real binary for what only a process shows (a reader that goes away, Ctrl-C, exit codes).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, openSync, readlinkSync } from 'node:fs';
import {
  chmod,
  type FileHandle,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InputError } from '../../src/errors.ts';
import {
  openAppendOnly,
  openPendingFile,
  pendingStream,
  SYNC_EVERY,
  writeFileSafely,
} from '../../src/files/safe-write.ts';
import { liveTempFiles } from '../../src/files/temp-files.ts';
import { CLI, DEMO_AS_OF, DEMO_REPORT, REPO_ROOT, runCredsweep } from '../helpers/cli.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsweep-files-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;
/** What is in `folder` besides the file `target` names: temporary files left behind. */
const strays = async (folder: string, target = 'out.json') =>
  (await readdir(folder)).filter((n) => n !== target);

describe('openPendingFile', () => {
  it('creates a new file 0600, whatever the umask', async () => {
    const path = join(dir, 'new.json');
    const old = process.umask(0o000);
    try {
      await writeFileSafely(path, '{}\n');
    } finally {
      process.umask(old);
    }
    assert.equal(await mode(path), 0o600);
    assert.equal(await readFile(path, 'utf8'), '{}\n');
  });

  it('keeps the mode of an existing file (0600 stays 0600, 0640 stays 0640)', async () => {
    for (const m of [0o600, 0o640]) {
      const path = join(dir, `existing-${m.toString(8)}.json`);
      await writeFile(path, 'old');
      await chmod(path, m);
      await writeFileSafely(path, 'new');
      assert.equal(await mode(path), m);
      assert.equal(await readFile(path, 'utf8'), 'new');
    }
  });

  it('writes through a symbolic link to a file and keeps the link', async () => {
    const real = join(dir, 'real.txt');
    const link = join(dir, 'link.txt');
    await writeFile(real, 'old');
    await symlink(real, link);
    await writeFileSafely(link, 'through');
    assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
    assert.equal(readlinkSync(link), real);
    assert.equal(await readFile(real, 'utf8'), 'through');
  });

  it('refuses a file no one may write (0444, 0400), root included: nothing written, no temporary file', async () => {
    for (const m of [0o444, 0o400]) {
      const folder = await mkdtemp(join(dir, 'read-only-'));
      const path = join(folder, 'out.json');
      const link = join(folder, 'link.json');
      await writeFile(path, 'old');
      await chmod(path, m);
      await symlink(path, link);
      for (const requested of [path, link]) {
        await assert.rejects(
          writeFileSafely(requested, 'new'),
          (e) =>
            e instanceof InputError &&
            e.file === requested &&
            e.message === `is read-only (mode 0${m.toString(8)}); credsweep does not write over it`,
        );
      }
      assert.equal(await readFile(path, 'utf8'), 'old');
      assert.equal(await mode(path), m);
      assert.deepEqual(await strays(folder), ['link.json'], 'no temporary file');
    }
  });

  it('does not replace a file made read-only while the output was written', async () => {
    const folder = await mkdtemp(join(dir, 'made-read-only-'));
    const path = join(folder, 'out.json');
    await writeFile(path, 'old');
    const file = await openPendingFile(path);
    await file.write('new');
    await chmod(path, 0o444);
    await assert.rejects(file.commit(), (e) => e instanceof InputError && /is read-only/.test(e.message));
    assert.equal(await readFile(path, 'utf8'), 'old');
    assert.deepEqual(await strays(folder), [], 'no temporary file');
  });

  it("refuses a file whose write bit is not this user's (as root: nobody on root's 0644 file)", async () => {
    const refused = (m: number) =>
      `is read-only to this user (mode 0${m.toString(8)}); credsweep does not write over it`;
    if (process.getuid?.() !== 0) {
      // the group may write it, its owner (this user) not
      const folder = await mkdtemp(join(dir, 'not-mine-'));
      const path = join(folder, 'out.json');
      await writeFile(path, 'old');
      await chmod(path, 0o464);
      await assert.rejects(
        writeFileSafely(path, 'new'),
        (e) => e instanceof InputError && e.message === refused(0o464),
      );
      assert.equal(await readFile(path, 'utf8'), 'old');
      assert.deepEqual(await strays(folder), []);
      return;
    }
    // Root writes a file with any write bit (only one with none is read-only to it)...
    const own = join(dir, 'root-0464.json');
    await writeFile(own, 'old');
    await chmod(own, 0o464);
    await writeFileSafely(own, 'new');
    assert.equal(await readFile(own, 'utf8'), 'new');
    // ...and another user may not replace root's 0644 file, though the folder would let it rename.
    const folder = await mkdtemp(join('/tmp', 'credsweep-not-mine-'));
    try {
      await chmod(folder, 0o777);
      const path = join(folder, 'out.json');
      await writeFile(path, 'old');
      await chmod(path, 0o644);
      const run = spawnSync(
        nodeForNobody(),
        [CLI, 'audit', '--report', DEMO_REPORT, '--as-of', DEMO_AS_OF, '--output', path],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, NO_COLOR: '1', TMPDIR: folder },
          uid: 65534,
          gid: 65534,
          encoding: 'utf8',
        },
      );
      assert.equal(run.status, 2, run.stderr);
      assert.ok(run.stderr.startsWith(`credsweep: ${path}: ${refused(0o644)} (`), run.stderr);
      assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
      assert.equal(await readFile(path, 'utf8'), 'old');
      assert.deepEqual(await strays(folder), []);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('refuses a symbolic link to nothing (exit 2), creating nothing', async () => {
    const link = join(dir, 'dangling');
    await symlink(join(dir, 'planted-target'), link);
    await assert.rejects(
      writeFileSafely(link, 'x'),
      (e) => e instanceof InputError && /symbolic link/.test(e.message),
    );
    assert.ok(!existsSync(join(dir, 'planted-target')));
  });

  it('writes to a FIFO and leaves it a FIFO', async () => {
    const fifo = join(dir, 'fifo');
    spawnSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.setEncoding('utf8').on('data', (d) => {
      got += d;
    });
    const closed = new Promise((ok) => reader.on('close', ok));
    await writeFileSafely(fifo, 'through the fifo\n');
    await closed;
    assert.equal(got, 'through the fifo\n');
    assert.ok(lstatSync(fifo).isFIFO());
  });

  it('large blocks (written as they are) and small chunks land in order, to a file and to a FIFO', async () => {
    // A block of 64 KiB or more (a part rendered on a report audit thread) is written at once.
    const block = (byte: number, size: number) => new Uint8Array(size).fill(byte);
    const pieces: (string | Uint8Array)[] = [
      'head\n',
      block(0x61, 70_000),
      'mid',
      block(0x62, 1 << 16),
      'x'.repeat(70_000),
      block(0x63, 200_000),
      'end\n',
    ];
    const expected = Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    const path = join(dir, 'blocks.out');
    const file = await openPendingFile(path);
    for (const piece of pieces) await file.write(piece);
    await file.commit();
    assert.deepEqual(await readFile(path), expected);

    const fifo = join(dir, 'blocks.fifo');
    spawnSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    const chunks: Buffer[] = [];
    reader.stdout.on('data', (d: Buffer) => chunks.push(d));
    const closed = new Promise((ok) => reader.on('close', ok));
    const throughFifo = await openPendingFile(fifo);
    for (const piece of pieces) await throughFifo.write(piece);
    await throughFifo.commit();
    await closed;
    assert.deepEqual(Buffer.concat(chunks), expected);
  });

  describe('background flushes (SYNC_EVERY)', () => {
    // All through the page cache, as where the file system takes no direct writes
    // (direct-writes.test.ts: past DIRECT_FROM they go past it where it does).
    const THROUGH_CACHE = { directFrom: Number.POSITIVE_INFINITY };
    // FileHandle.datasync wrapped for these tests (its prototype, from a handle): calls counted, each
    // flush's end awaitable, and a failure injected where asked.
    let proto: { datasync(this: FileHandle): Promise<void> };
    let original: (this: FileHandle) => Promise<void>;
    let calls = 0;
    let running: Promise<void> | undefined;
    let failNext = false;
    /** Thrown by the next flush, as a bug in credsweep's own code would throw. */
    let bugNext: Error | undefined;
    before(async () => {
      const probe = await open('/dev/null');
      proto = Object.getPrototypeOf(probe);
      await probe.close();
      original = proto.datasync;
      proto.datasync = function (this: FileHandle) {
        calls++;
        const fail = failNext;
        const bug = bugNext;
        failNext = false;
        bugNext = undefined;
        const done = bug
          ? Promise.reject(bug)
          : fail
            ? Promise.reject(
                Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO', errno: -5 }),
              )
            : original.call(this);
        running = done.then(
          () => {},
          () => {},
        );
        return done;
      };
    });
    after(() => {
      proto.datasync = original;
    });
    const MiB = 1 << 20;
    const block = (i: number) => Buffer.alloc(MiB, i % 251);
    const blocks = Math.ceil((SYNC_EVERY * 3) / MiB) + 1;

    it('flushes every SYNC_EVERY bytes while writing, one at a time; the file whole and in order', async () => {
      const folder = await mkdtemp(join(dir, 'big-'));
      const path = join(folder, 'out.json');
      calls = 0;
      const file = await openPendingFile(path, THROUGH_CACHE);
      for (let i = 0; i < blocks; i++) {
        await file.write(block(i));
        await running; // each flush ends before the next block, so the next one can start
      }
      assert.equal(calls, 3, 'a flush at each SYNC_EVERY written');
      await file.write('end\n');
      await file.commit();
      assert.equal(calls, 4, 'and the last one at commit');
      const written = await readFile(path);
      assert.equal(written.length, blocks * MiB + 4);
      for (let i = 0; i < blocks; i++) assert.equal(written[i * MiB + 12_345], i % 251, `block ${i}`);
      assert.equal(written.subarray(-4).toString(), 'end\n');
      assert.deepEqual(await strays(folder), []);
    });

    it('abort while a flush runs leaves the target as it was and no temporary file', async () => {
      const folder = await mkdtemp(join(dir, 'abort-big-'));
      const path = join(folder, 'out.json');
      await writeFile(path, 'previous\n');
      calls = 0;
      const file = await openPendingFile(path, THROUGH_CACHE);
      for (let i = 0; i < SYNC_EVERY / MiB + 1; i++) await file.write(block(i));
      assert.equal(calls, 1, 'a flush started');
      await file.abort();
      assert.equal(await readFile(path, 'utf8'), 'previous\n');
      assert.deepEqual(await strays(folder), []);
      assert.deepEqual(liveTempFiles(), []);
    });

    it('a failed flush fails the next write and the commit (one line, exit 2), the target as it was', async () => {
      // (the write's error is an InputError, which the CLI prints as one line and exit 2)
      const folder = await mkdtemp(join(dir, 'eio-'));
      const path = join(folder, 'out.json');
      await writeFile(path, 'previous\n');
      const file = await openPendingFile(path, THROUGH_CACHE);
      failNext = true;
      for (let i = 0; i < SYNC_EVERY / MiB; i++) await file.write(block(i));
      await running;
      await assert.rejects(
        file.write(block(0)),
        (e) => e instanceof InputError && e.message === 'cannot write (EIO)' && e.file === path,
      );
      await assert.rejects(
        file.commit(),
        (e) => e instanceof InputError && /cannot write \(EIO\)/.test(e.message),
      );
      assert.equal(await readFile(path, 'utf8'), 'previous\n');
      assert.deepEqual(await strays(folder), []);
      assert.deepEqual(liveTempFiles(), []);
    });

    it('a failure at commit that is not the system\'s (a bug) is not dressed up as "cannot write"', async () => {
      // Only errors with an errno code become the one line; anything else reaches the CLI's
      // internal-error handler as it is, so a bug is reported as one. The target stays as it was.
      const folder = await mkdtemp(join(dir, 'bug-'));
      const path = join(folder, 'out.json');
      await writeFile(path, 'previous\n');
      const file = await openPendingFile(path, THROUGH_CACHE);
      await file.write('new\n');
      const bug = new TypeError('x is not a function');
      bugNext = bug;
      await assert.rejects(file.commit(), (e) => e === bug);
      assert.equal(await readFile(path, 'utf8'), 'previous\n');
      assert.deepEqual(await strays(folder), []);
      assert.deepEqual(liveTempFiles(), []);
    });
  });

  it('standard output buffered in a TMPDIR that is full: the write or the commit fails with one line', async () => {
    // FileHandle.write wrapped to fail as a full disk does (ENOSPC), for the nameless buffer file.
    const probe = await open('/dev/null');
    const proto: { write(this: FileHandle, ...args: unknown[]): Promise<unknown> } =
      Object.getPrototypeOf(probe);
    await probe.close();
    const original = proto.write;
    proto.write = () =>
      Promise.reject(
        Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 }),
      );
    const expected = (e: unknown) =>
      e instanceof InputError &&
      e.message === 'cannot buffer the output there (no space left on the device)' &&
      e.file === tmpdir();
    const published: Buffer[] = [];
    const sink = { write: async (b: Uint8Array) => void published.push(Buffer.from(b)) };
    try {
      const small = await pendingStream(sink);
      await small.write('a few bytes, held until commit');
      await assert.rejects(small.commit(), expected);
      const large = await pendingStream(sink);
      // Chunks below 64 KiB are gathered; the one that brings them to 64 KiB writes them to the buffer.
      await large.write('x'.repeat(40_000));
      await assert.rejects(large.write('y'.repeat(40_000)), expected);
      await large.abort();
    } finally {
      proto.write = original;
    }
    assert.deepEqual(published, [], 'nothing reached standard output');
  });

  it('a misuse of the file (a bug) is not dressed up as "cannot write": wrong type, write after abort', async () => {
    // Node's own errors have a code (ERR_INVALID_ARG_TYPE, EBADF for a closed FileHandle) but no errno.
    const file = await openPendingFile(join(await mkdtemp(join(dir, 'misuse-')), 'out.json'));
    await assert.rejects(file.write(123 as unknown as string), (e) => !(e instanceof InputError));
    await file.abort();
    await assert.rejects(file.write(new Uint8Array(70_000)), (e) => !(e instanceof InputError));
  });

  it('a FIFO swapped for a file before the commit is not written over', async () => {
    const folder = await mkdtemp(join(dir, 'swapped-'));
    const fifo = join(folder, 'out.json');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const file = await openPendingFile(fifo);
    await file.write('{"new":1}\n');
    await rm(fifo);
    await writeFile(fifo, 'A FILE PUT THERE THAT IS LONGER THAN THE OUTPUT\n');
    await assert.rejects(
      file.commit(),
      (e) => e instanceof InputError && /changed from a FIFO or device into something else/.test(e.message),
    );
    assert.equal(await readFile(fifo, 'utf8'), 'A FILE PUT THERE THAT IS LONGER THAN THE OUTPUT\n');
  });

  it('writes to /dev/null and leaves it a character device', async () => {
    await writeFileSafely('/dev/null', 'discarded');
    assert.ok(lstatSync('/dev/null').isCharacterDevice());
  });

  it('refuses a missing folder and a folder as target with an InputError', async () => {
    await assert.rejects(
      openPendingFile(join(dir, 'no-such-folder', 'out.json')),
      (e) => e instanceof InputError && /folder .*no-such-folder does not exist/.test(e.message),
    );
    await mkdir(join(dir, 'a-folder'));
    await assert.rejects(
      openPendingFile(join(dir, 'a-folder')),
      (e) => e instanceof InputError && /is a folder/.test(e.message),
    );
  });

  it('abort leaves the target as it was and no temporary file; the temp file is O_EXCL beside it', async () => {
    const folder = await mkdtemp(join(dir, 'abort-'));
    const path = join(folder, 'out.json');
    await writeFile(path, 'before');
    const pending = await openPendingFile(path);
    await pending.write('partial');
    const temps = await strays(folder);
    assert.equal(temps.length, 1, 'one temporary file, beside the target');
    assert.equal((await stat(join(folder, temps[0]!))).mode & 0o777, 0o600);
    assert.deepEqual(liveTempFiles(), [join(folder, temps[0]!)], 'registered for removal at exit');
    await pending.abort();
    assert.equal(await readFile(path, 'utf8'), 'before');
    assert.deepEqual(await strays(folder), []);
    assert.deepEqual(liveTempFiles(), []);
  });

  it('the journal is opened without following a symbolic link, created 0600', async () => {
    const real = join(dir, 'journal-real');
    const link = join(dir, 'journal-link');
    await writeFile(real, '');
    await symlink(real, link);
    assert.throws(
      () => openAppendOnly(link),
      (e) => e instanceof InputError && /symbolic link/.test(e.message),
    );
    assert.throws(
      () => openAppendOnly(join(dir, 'missing', 'j.jsonl')),
      (e) => e instanceof InputError && /no such folder/.test(e.message),
    );
  });
});

describe('--output through the binary', () => {
  const audit = (extra: string[], env?: NodeJS.ProcessEnv) =>
    runCredsweep(['audit', '--report', DEMO_REPORT, '--as-of', DEMO_AS_OF, ...extra], { env });

  it('--output onto a read-only file: exit 2, one line naming it, the file as it was, no temporary file', async () => {
    const folder = await mkdtemp(join(dir, 'read-only-output-'));
    const target = join(folder, 'out.json');
    await writeFile(target, 'kept');
    await chmod(target, 0o444);
    const run = await audit(['--format', 'json', '--output', target]);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(
      run.stderr,
      `credsweep: ${target}: is read-only (mode 0444); credsweep does not write over it (make it writable (chmod u+w), or write to another file)\n`,
    );
    assert.equal(await readFile(target, 'utf8'), 'kept');
    assert.equal(await mode(target), 0o444);
    assert.deepEqual(await strays(folder), []);
  });

  it('a missing folder or a folder is exit 2 with one line, no stack trace', async () => {
    for (const [target, what] of [
      [join(dir, 'missing-folder', 'x.json'), /folder .* does not exist/],
      [dir, /is a folder/],
    ] as const) {
      const run = await audit(['--output', target]);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
      assert.match(run.stderr, what);
    }
  });

  it('a device that refuses the bytes (/dev/full), as --output or as standard output: exit 2, one line', async () => {
    const run = await audit(['--output', '/dev/full']);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stderr, 'credsweep: /dev/full: cannot write (no space left on the device)\n');
    const full = openSync('/dev/full', 'w');
    try {
      const shell = spawnSync(
        process.execPath,
        [CLI, 'audit', '--report', DEMO_REPORT, '--as-of', DEMO_AS_OF],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, NO_COLOR: '1' },
          stdio: ['ignore', full, 'pipe'],
          encoding: 'utf8',
        },
      );
      assert.equal(shell.status, 2, shell.stderr);
      assert.equal(shell.stderr, 'credsweep: standard output: cannot write (no space left on the device)\n');
      // `history` prints to standard output too: the same one line, not exit 0 with nothing written
      const db = join(await mkdtemp(join(dir, 'history-')), 'h.sqlite');
      assert.equal((await audit(['--db', db, '--output', '/dev/null'])).code, 0);
      const history = spawnSync(process.execPath, [CLI, 'history', '--db', db], {
        cwd: REPO_ROOT,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', full, 'pipe'],
        encoding: 'utf8',
      });
      assert.equal(history.status, 2, history.stderr);
      assert.equal(
        history.stderr,
        'credsweep: standard output: cannot write (no space left on the device)\n',
      );
    } finally {
      closeSync(full);
    }
  });

  it('help and status lines onto /dev/full: exit 2, one line (they were lost with exit 0)', async () => {
    const journal = join(await mkdtemp(join(dir, 'status-')), 'empty.jsonl');
    await writeFile(journal, '', { mode: 0o600 });
    const full = openSync('/dev/full', 'w');
    try {
      for (const args of [
        ['--version'],
        ['--help'],
        ['audit', '--help'],
        ['help', 'plan'],
        ['undo', journal], // "nothing to reverse"
      ]) {
        const run = spawnSync(process.execPath, [CLI, ...args], {
          cwd: REPO_ROOT,
          env: { ...process.env, NO_COLOR: '1' },
          stdio: ['ignore', full, 'pipe'],
          encoding: 'utf8',
        });
        assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
        assert.equal(
          run.stderr,
          'credsweep: standard output: cannot write (no space left on the device)\n',
          args.join(' '),
        );
      }
    } finally {
      closeSync(full);
    }
  });

  it('output made whole in memory needs no TMPDIR: --version, help, history, undo with nothing to reverse', async () => {
    const db = join(await mkdtemp(join(dir, 'no-tmpdir-')), 'h.sqlite');
    assert.equal((await audit(['--db', db, '--output', '/dev/null'])).code, 0);
    const journal = join(dirname(db), 'empty.jsonl');
    await writeFile(journal, '', { mode: 0o600 });
    const env = { TMPDIR: join(dir, 'no-such-tmpdir') };
    for (const [args, expected] of [
      [['--version'], /^\d+\.\d+\.\d+\n$/],
      [['audit', '--help'], /^Usage: credsweep audit/],
      [['history', '--db', db], /credential report file/],
      [['undo', journal], /^nothing to reverse\n$/],
    ] as const) {
      const run = await runCredsweep([...args], { env });
      assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stdout, expected, args.join(' '));
    }
  });

  // A write the system takes only part of (here the file-size limit, 8 × 512 bytes in sh; Node
  // ignores SIGXFSZ, so the next write fails with EFBIG): the 22 KB JSON is never published or
  // printed short. Before, the first 4096 bytes were, with exit 0.
  const limited = (extra: string, env: NodeJS.ProcessEnv = {}) =>
    spawnSync(
      'sh',
      [
        '-c',
        `ulimit -f 8; exec "${process.execPath}" "${CLI}" audit --report ${DEMO_REPORT} --as-of ${DEMO_AS_OF} --format json ${extra}`,
      ],
      { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, encoding: 'utf8' },
    );

  it('a write cut short by a file-size limit: --output left as it was, exit 2, one line', async () => {
    const folder = await mkdtemp(join(dir, 'short-'));
    const target = join(folder, 'out.json');
    await writeFile(target, 'previous\n');
    const run = limited(`--output "${target}"`);
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stderr, `credsweep: ${target}: cannot write (file too large)\n`);
    assert.equal(await readFile(target, 'utf8'), 'previous\n');
    assert.deepEqual(await strays(folder), []);
  });

  it('a write cut short by a file-size limit: nothing on standard output, exit 2, one line', async () => {
    const tmp = await mkdtemp(join(dir, 'short-tmp-'));
    const run = limited('', { TMPDIR: tmp });
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, `credsweep: ${tmp}: cannot buffer the output there (file too large)\n`);
    assert.deepEqual(await readdir(tmp), []);
  });

  it('a TMPDIR that does not exist, or is a file: exit 2, one line', async () => {
    const file = join(dir, 'tmpdir-is-a-file');
    await writeFile(file, '');
    for (const [tmp, why] of [
      [join(dir, 'no-such-tmpdir'), 'no such folder'],
      [file, 'a part of the path is not a folder'],
    ] as const) {
      const run = await audit([], { TMPDIR: tmp });
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stderr, `credsweep: ${tmp}: cannot buffer the output there (${why})\n`);
    }
  });

  it('--output onto an existing 0600 file keeps 0600; a new one is 0600', async () => {
    const existing = join(dir, 'cli-existing.json');
    await writeFile(existing, '');
    await chmod(existing, 0o600);
    assert.equal((await audit(['--format', 'json', '--output', existing])).code, 0);
    assert.equal(await mode(existing), 0o600);
    const fresh = join(dir, 'cli-fresh.html');
    assert.equal((await audit(['--format', 'html', '--output', fresh])).code, 0);
    assert.equal(await mode(fresh), 0o600);
  });

  it('`audit --format asff | head -c 100` leaves no temporary file under TMPDIR', async () => {
    const tmp = await mkdtemp(join(dir, 'tmpdir-'));
    const shell = spawnSync(
      'sh',
      [
        '-c',
        `"${process.execPath}" "${CLI}" audit --report ${DEMO_REPORT} --as-of ${DEMO_AS_OF} --format asff | head -c 100`,
      ],
      { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: tmp, NO_COLOR: '1' }, encoding: 'utf8' },
    );
    assert.equal(shell.stdout.length, 100);
    assert.deepEqual(await readdir(tmp), []);
  });

  it('Ctrl-C while the audit runs removes the temporary file beside --output', async () => {
    const folder = await mkdtemp(join(dir, 'sigint-'));
    const target = join(folder, 'out.json');
    await writeFile(target, 'before');
    // The report comes on standard input, held open, so the run waits with its temporary file open.
    const child = spawn(
      process.execPath,
      [CLI, 'audit', '--report', '-', '--as-of', DEMO_AS_OF, '--output', target],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    child.stdin.write(`${(await readFile(join(REPO_ROOT, DEMO_REPORT), 'utf8')).split('\n')[0]}\n`);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
    });
    // Up to 30 s for the process to start and open its temporary file (the test machine may be loaded).
    for (let i = 0; i < 1200 && (await strays(folder)).length === 0; i++) {
      await new Promise((ok) => setTimeout(ok, 25));
    }
    assert.equal((await strays(folder)).length, 1, `the run opened its temporary file (${stderr})`);
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((ok) =>
      child.on('exit', (code, signal) => ok([code, signal])),
    );
    child.kill('SIGINT');
    const [, signal] = await exited;
    assert.equal(signal, 'SIGINT', 'ends as interrupted');
    assert.deepEqual(await strays(folder), []);
    assert.equal(await readFile(target, 'utf8'), 'before');
  });
});

/**
 * A Node.js that the user nobody may run: this one, unless it sits where nobody cannot reach it (CI's
 * Node 24 is installed under a 0700 mktemp folder), then the machine's own. The rule under test is
 * credsweep's, not the Node version's; a machine with neither fails, naming both.
 */
function nodeForNobody(): string {
  const candidates = [process.execPath, '/usr/bin/node', '/usr/local/bin/node'];
  const runs = (node: string) =>
    spawnSync(node, ['-e', ''], { uid: 65534, gid: 65534, timeout: 30_000 }).status === 0;
  const node = candidates.find(runs);
  assert.ok(node, `the user nobody (65534) can run none of ${candidates.join(', ')}`);
  return node;
}
