/**
 * Files read whole (src/files/read-whole.ts): a regular file or a FIFO up to the cap; a device, a
 * folder or a file past the cap is one InputError line, and a reason is never "undefined". Then
 * through the binary, each command that reads a file whole: /dev/zero is refused at once, exit 2.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InputError } from '../../src/errors.ts';
import { readFailure, readWholeFile, readWholeFileSync } from '../../src/files/read-whole.ts';
import { DEMO_AS_OF, DEMO_REPORT, runCredsweep } from '../helpers/cli.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsweep-read-whole-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A FIFO with a writer (another process) that writes `text` into it once a reader opens it. */
function fifoWriting(name: string, text: string): string {
  const fifo = join(dir, name);
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  spawn('sh', ['-c', 'printf %s "$1" > "$2"', 'sh', text, fifo], { stdio: 'ignore' });
  return fifo;
}

const readers = [
  ['readWholeFile', readWholeFile],
  ['readWholeFileSync', async (...args: Parameters<typeof readWholeFileSync>) => readWholeFileSync(...args)],
] as const;

for (const [name, read] of readers) {
  describe(name, () => {
    it('reads a regular file, through a link too', async () => {
      const file = join(dir, `${name}-plain.json`);
      await writeFile(file, '{"a":1}');
      await symlink(file, `${file}.link`);
      assert.equal((await read(file, { maxBytes: 100 }))?.toString(), '{"a":1}');
      assert.equal((await read(`${file}.link`, { maxBytes: 100 }))?.toString(), '{"a":1}');
    });

    it('a missing file is undefined (the caller says whether that is an error)', async () => {
      assert.equal(await read(join(dir, 'nothing-here'), { maxBytes: 100 }), undefined);
    });

    it('refuses a device before reading it, also through a link', async () => {
      await symlink('/dev/zero', join(dir, `${name}-zero.json`));
      for (const path of ['/dev/zero', '/dev/null', join(dir, `${name}-zero.json`)]) {
        await assert.rejects(
          read(path, { maxBytes: 100 }),
          (e) => e instanceof InputError && e.message === 'is a device, not a file; give the path of a file',
        );
      }
    });

    it('refuses a folder', async () => {
      await assert.rejects(
        read(dir, { maxBytes: 100 }),
        (e) => e instanceof InputError && /^is a folder, not a file/.test(e.message),
      );
    });

    it('refuses a file past the cap by its size, without reading it', async () => {
      const file = join(dir, `${name}-sparse.json`);
      await writeFile(file, '');
      await truncate(file, 3 * 1024 * 1024);
      await assert.rejects(
        read(file, { maxBytes: 1024 * 1024, tooLargeHint: 'split it' }),
        (e) =>
          e instanceof InputError &&
          e.message === '3 MiB: larger than the 1 MiB credsweep reads whole' &&
          e.hint === 'split it',
      );
    });

    it('reads a FIFO (process substitution) up to the cap', async () => {
      const small = fifoWriting(`${name}-small`, 'x'.repeat(100));
      assert.equal((await read(small, { maxBytes: 100 }))?.toString(), 'x'.repeat(100));
      const large = fifoWriting(`${name}-large`, 'x'.repeat(101));
      await assert.rejects(
        read(large, { maxBytes: 100 }),
        (e) => e instanceof InputError && /^larger than the 100 bytes credsweep reads whole$/.test(e.message),
      );
    });

    it('refuses a FIFO where only a regular file will do (a database written back)', async () => {
      const fifo = join(dir, `${name}-db`);
      assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
      await assert.rejects(
        read(fifo, { maxBytes: 100, regularOnly: true }),
        (e) => e instanceof InputError && /^is a FIFO \(a pipe\), not a file/.test(e.message),
      );
    });
  });
}

describe('readFailure', () => {
  it('has a reason for an error without a code (V8 RangeError), never "undefined"', () => {
    assert.equal(readFailure(new RangeError('Invalid string length')), 'Invalid string length');
    assert.equal(readFailure(Object.assign(new Error('x'), { code: 'EACCES' })), 'permission denied');
    assert.equal(readFailure(Object.assign(new Error('x'), { code: 'EWHAT' })), 'EWHAT');
    assert.equal(readFailure(undefined), 'unknown error');
  });
});

describe('commands that read a file whole refuse /dev/zero at once: one line, exit 2', () => {
  const report = ['--report', DEMO_REPORT, '--as-of', DEMO_AS_OF, '--output', '/dev/null'];
  const cases: Array<[string, string[], RegExp]> = [
    ['plan --from', ['plan', '--from', '/dev/zero'], /^credsweep: \/dev\/zero: is a device, not a file/],
    ['apply', ['apply', '/dev/zero', '--yes'], /^credsweep: \/dev\/zero: is a device, not a file/],
    ['undo', ['undo', '/dev/zero', '--yes'], /^credsweep: \/dev\/zero: is a device, not a file/],
    [
      'export securityhub --from',
      ['export', 'securityhub', '--from', '/dev/zero'],
      /^credsweep: \/dev\/zero: is a device, not a file/,
    ],
    ['history --db', ['history', '--db', '/dev/zero'], /^credsweep: \/dev\/zero: is a device, not a file/],
    ['diff --db', ['diff', '--db', '/dev/zero'], /^credsweep: \/dev\/zero: is a device, not a file/],
    [
      'audit --db /dev/full',
      ['audit', ...report, '--db', '/dev/full'],
      /^credsweep: \/dev\/full: is a device/,
    ],
    [
      'audit --db /dev/null',
      ['audit', ...report, '--db', '/dev/null'],
      /^credsweep: \/dev\/null: is a device/,
    ],
    ['trail', ['trail', '/dev/zero'], /^credsweep: \/dev\/zero: is a device or socket, not a trail file/],
    [
      'audit --cloudtrail',
      ['audit', ...report, '--cloudtrail', '/dev/zero'],
      /^credsweep: \/dev\/zero: is a device or socket, not a trail file/,
    ],
    [
      'apply --plan-key-file',
      ['apply', 'plan.json', '--plan-key-file', '/dev/zero', '--yes'],
      /^credsweep: \/dev\/zero: is a device, not a file/,
    ],
  ];
  for (const [name, args, pattern] of cases) {
    it(name, async () => {
      const run = await runCredsweep(args, { timeoutMs: 30_000 });
      assert.equal(run.code, 2, run.stderr);
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, pattern);
    });
  }

  it('a findings JSON past 500 MiB (a 1M-row audit writes 630 MB) names the limit and what to do', async () => {
    const big = join(dir, 'findings.json');
    await writeFile(big, '');
    await truncate(big, 560 * 1024 * 1024); // sparse: no disk, and refused by its size before a read
    const run = await runCredsweep(['plan', '--from', big], { timeoutMs: 30_000 });
    assert.equal(run.code, 2, run.stderr);
    assert.equal(
      run.stderr,
      `credsweep: ${big}: 560 MiB: larger than the 500 MiB credsweep reads whole (plan from smaller audits: one per account (--accounts), or the credential report split by account)\n`,
    );
  });
});
