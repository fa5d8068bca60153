/**
 * The bulk of a large output written past the page cache (src/files/direct-writes.ts), in process:
 * through openPendingFile as the report audit writes (strings and blocks of odd sizes, a tail that is
 * not a whole 4 KiB), and DirectWrites alone with a file system's refusal (EINVAL) or failure put in
 * where the real one would give it. Real files in TMPDIR; nothing is mocked but the refusals.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  write,
  writeSync,
} from 'node:fs';
import { type FileHandle, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InputError } from '../../src/errors.ts';
import { DIRECT_ALIGN, type DirectWrite, DirectWrites, STAGE_BYTES } from '../../src/files/direct-writes.ts';
import { openPendingFile } from '../../src/files/safe-write.ts';
import { liveTempFiles } from '../../src/files/temp-files.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

let dir: string;
/** Whether TMPDIR's file system takes direct writes: then the tests also see that they were made. */
let directHere = false;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsweep-direct-'));
  directHere = probeDirect(join(dir, 'probe'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function probeDirect(path: string): boolean {
  if (process.platform !== 'linux' || constants.O_DIRECT === undefined) return false;
  try {
    const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_DIRECT, 0o600);
    try {
      const aligned = Buffer.from(new WebAssembly.Memory({ initial: 1 }).buffer, 0, DIRECT_ALIGN);
      return writeSync(fd, aligned, 0, DIRECT_ALIGN, 0) === DIRECT_ALIGN;
    } finally {
      closeSync(fd);
      rmSync(path, { force: true });
    }
  } catch {
    return false;
  }
}

/** Bytes where every position differs from its neighbours (a misplaced block shows). */
function pattern(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 7 + (i >> 12)) & 0xff;
  return b;
}

const strays = async (folder: string) => (await readdir(folder)).filter((n) => n.includes('credsweep-tmp'));

/** What this process's open descriptors name inside `folder` (Linux; nothing elsewhere). */
function descriptorsInto(folder: string): string[] {
  if (process.platform !== 'linux') return [];
  return readdirSync('/proc/self/fd').flatMap((n) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${n}`);
      return target.startsWith(`${folder}/`) ? [target] : [];
    } catch {
      return []; // the descriptor readdir itself used, closed since
    }
  });
}

describe('openPendingFile past the page cache', () => {
  // Strings and blocks of odd sizes around the start (directFrom) and across several stages, the
  // last not a whole 4 KiB: the file is exactly what was written, in order.
  const pieces = (): (string | Uint8Array)[] => [
    'head {\n',
    pattern(70_001, 1),
    '"é" and ✓\n',
    pattern(3 * STAGE_BYTES + 12_345, 2),
    'x'.repeat(65_537),
    pattern(1, 3),
    pattern(STAGE_BYTES, 4),
    'end }\n',
  ];
  const bytesOf = (p: (string | Uint8Array)[]) =>
    Buffer.concat(p.map((x) => (typeof x === 'string' ? Buffer.from(x) : x)));

  for (const directFrom of [0, 10_000, 70_008, DIRECT_ALIGN * 17]) {
    it(`writes the file whole and in order (direct from ${directFrom} bytes), 0600, no temporary file left`, async () => {
      const folder = await mkdtemp(join(dir, 'whole-'));
      const path = join(folder, 'out.json');
      const file = await openPendingFile(path, { directFrom });
      const all = pieces();
      for (const piece of all) await file.write(piece);
      await file.commit();
      assert.deepEqual(await readFile(path), bytesOf(all));
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      const direct = file.directBytes?.() ?? 0;
      if (directHere) {
        // all but what came before the first aligned offset after directFrom (at most the chunk
        // that crossed it) and the tail that is not a whole 4 KiB
        const total = bytesOf(all).length;
        assert.ok(
          direct >= total - directFrom - 70_001 - 2 * DIRECT_ALIGN,
          `direct bytes: ${direct} of ${total}`,
        );
        assert.equal(direct % DIRECT_ALIGN, 0);
      } else assert.equal(direct, 0, 'no direct writes where the file system takes none');
      assert.deepEqual(await strays(folder), []);
    });
  }

  it('a small output is written as before: nothing past the page cache', async () => {
    const path = join(dir, 'small.json');
    const file = await openPendingFile(path);
    await file.write(pattern(1 << 20, 5));
    await file.commit();
    assert.equal(file.directBytes?.(), 0);
    assert.deepEqual(await readFile(path), pattern(1 << 20, 5));
  });

  it('abort after direct writes leaves the target as it was and no temporary file', async () => {
    const folder = await mkdtemp(join(dir, 'abort-'));
    const path = join(folder, 'out.json');
    await writeFile(path, 'previous\n');
    const file = await openPendingFile(path, { directFrom: 0 });
    for (let i = 0; i < 5; i++) await file.write(pattern(STAGE_BYTES + 100, i));
    if (directHere) assert.ok((file.directBytes?.() ?? 0) > 0);
    await file.abort();
    assert.equal(await readFile(path, 'utf8'), 'previous\n');
    assert.deepEqual(await strays(folder), []);
    assert.deepEqual(liveTempFiles(), []);
  });

  it('a commit that fails at the last write (a full disk): one line, the target as it was, no descriptor left open', async () => {
    // FileHandle.write wrapped to fail as a full disk does, for the tail that is not a whole 4 KiB
    // (written through the ordinary descriptor at commit, after the direct writes are done).
    const folder = await mkdtemp(join(dir, 'tail-enospc-'));
    const path = join(folder, 'out.json');
    await writeFile(path, 'previous\n');
    const probe = await open('/dev/null');
    const proto: { write(this: FileHandle, ...args: unknown[]): Promise<unknown> } =
      Object.getPrototypeOf(probe);
    await probe.close();
    const original = proto.write;
    let full = false;
    proto.write = function (this: FileHandle, ...args: unknown[]) {
      if (full)
        return Promise.reject(
          Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 }),
        );
      return original.apply(this, args);
    };
    try {
      const file = await openPendingFile(path, { directFrom: 0 });
      await file.write(pattern(2 * STAGE_BYTES + 5, 10));
      full = true;
      await assert.rejects(
        file.commit(),
        (e) => e instanceof InputError && e.message === 'cannot write (no space left on the device)',
      );
    } finally {
      proto.write = original;
    }
    assert.equal(await readFile(path, 'utf8'), 'previous\n');
    assert.deepEqual(await strays(folder), []);
    assert.deepEqual(liveTempFiles(), []);
    // Neither descriptor of the temporary file is left open (it would hold its disk space).
    assert.deepEqual(descriptorsInto(folder), []);
  });

  // The audit's writes are chained (src/reporters/batched-write.ts) and an abort does not wait for the
  // one under way: here it comes as that write starts the direct writes (at the first aligned offset,
  // or after writing the gap up to it), or while they run.
  for (const [when, directFrom, before] of [
    ['as a write starts them', 0, ''],
    ['as a write fills the gap before them', 100_000, 'y'.repeat(70_001)],
    ['while they run', 0, 'z'.repeat(2 * STAGE_BYTES)],
  ] as const) {
    it(`an abort that comes ${when}: the target as it was, no descriptor left open`, async () => {
      const folder = await mkdtemp(join(dir, 'abort-race-'));
      const path = join(folder, 'out.json');
      await writeFile(path, 'previous\n');
      const file = await openPendingFile(path, { directFrom });
      if (before) await file.write(before);
      // (the write may fail once the abort has closed the file, as the chain's caller expects)
      const writing = file.write(pattern(3 * STAGE_BYTES, 11)).catch(() => {});
      await file.abort();
      await writing;
      assert.equal(await readFile(path, 'utf8'), 'previous\n');
      assert.deepEqual(await strays(folder), []);
      assert.deepEqual(liveTempFiles(), []);
      assert.deepEqual(descriptorsInto(folder), [], 'the direct descriptor was closed');
    });
  }

  it('replacing an existing file keeps its mode', async () => {
    const path = join(dir, 'kept-mode.json');
    await writeFile(path, 'old', { mode: 0o640 });
    const file = await openPendingFile(path, { directFrom: 0 });
    await file.write(pattern(2 * STAGE_BYTES + 3, 6));
    await file.commit();
    assert.equal((await stat(path)).mode & 0o777, 0o640);
    assert.deepEqual(await readFile(path), pattern(2 * STAGE_BYTES + 3, 6));
  });
});

describe('DirectWrites', () => {
  /** A file and DirectWrites on it; `through` records what went through the ordinary descriptor. */
  async function directOn(name: string, directWrite?: DirectWrite) {
    const path = join(dir, name);
    const handle = await open(path, 'w', 0o600);
    const through: { at: number; length: number }[] = [];
    const writeThrough = async (block: Uint8Array, at: number) => {
      through.push({ at, length: block.length });
      await handle.write(block, 0, block.length, at);
    };
    const direct = DirectWrites.start(handle.fd, 0, writeThrough, directWrite);
    return { path, handle, direct, through };
  }

  it('a refusal for alignment (EINVAL) sends that block and everything after through the ordinary descriptor', async (t) => {
    let calls = 0;
    const refuseSecond: DirectWrite = (fd, block, at) => {
      calls++;
      if (calls === 2)
        return Promise.reject(
          Object.assign(new Error('EINVAL: invalid argument, write'), { code: 'EINVAL' }),
        );
      return new Promise((ok, fail) =>
        write(fd, block, 0, block.length, at, (e, n) => (e ? fail(e) : ok(n))),
      );
    };
    const { path, handle, direct, through } = await directOn('einval.out', refuseSecond);
    if (!direct) {
      t.diagnostic('no direct writes on this file system: DirectWrites.start gave none');
      assert.equal(directHere, false);
      await handle.close();
      return;
    }
    const data = pattern(4 * STAGE_BYTES + 777, 7);
    await direct.add(data.subarray(0, 100));
    await direct.add(data.subarray(100));
    await direct.finish();
    await handle.close();
    assert.deepEqual(readFileSync(path), data);
    assert.equal(calls, 2, 'no direct write tried after the refusal');
    assert.equal(direct.directBytes, STAGE_BYTES, 'only the first stage went direct');
    assert.deepEqual(
      through.map((w) => w.at),
      [1, 2, 3, 4].map((i) => i * STAGE_BYTES),
      'the refused stage, the stages after it and the tail, through the ordinary descriptor',
    );
  });

  it('a short direct write: the rest goes through the ordinary descriptor', async () => {
    const short: DirectWrite = (fd, block, at) =>
      new Promise((ok, fail) => write(fd, block, 0, DIRECT_ALIGN, at, (e, n) => (e ? fail(e) : ok(n))));
    const { path, handle, direct } = await directOn('short.out', short);
    if (!direct) {
      assert.equal(directHere, false);
      await handle.close();
      return;
    }
    const data = pattern(2 * STAGE_BYTES + 5, 8);
    await direct.add(data);
    await direct.finish();
    await handle.close();
    assert.deepEqual(readFileSync(path), data);
  });

  it('abandon while an add waits for a stage: once it is done no direct write runs, and none starts after', async () => {
    // The audit's writes are chained (src/reporters/batched-write.ts): an abort can come while one is
    // inside add, waiting for a stage. Direct writes are held here until released, one at a time.
    const held: (() => void)[] = [];
    let running = 0;
    const hold: DirectWrite = (fd, block, at) => {
      running++;
      return new Promise((ok, fail) =>
        held.push(() =>
          write(fd, block, 0, block.length, at, (e, n) => {
            running--;
            e ? fail(e) : ok(n);
          }),
        ),
      );
    };
    const { handle, direct } = await directOn('abandon-race.out', hold);
    if (!direct) {
      assert.equal(directHere, false);
      await handle.close();
      return;
    }
    const settled = () => new Promise((ok) => setTimeout(ok, 20));
    const adding = direct.add(pattern(3 * STAGE_BYTES, 9)).catch(() => {});
    await settled();
    assert.equal(held.length, 2, 'both stages sent, the add waiting for the first');
    let runningWhenAbandoned: number | undefined;
    const abandoning = direct.abandon().then(() => {
      runningWhenAbandoned = running;
    });
    // The first stage done: the add fills it again (its third MiB) and sends it.
    held.shift()!();
    await settled();
    for (let i = 0; held.length > 0 && runningWhenAbandoned === undefined && i < 10; i++) {
      held.shift()!();
      await settled();
    }
    await abandoning;
    // A write still running on the closed descriptor would land in whatever file gets its number next.
    const other = join(dir, 'abandon-race.other');
    const reused = openSync(other, 'w', 0o600);
    try {
      while (held.length > 0) {
        held.shift()!();
        await settled();
      }
      await adding;
    } finally {
      closeSync(reused);
      await handle.close();
    }
    assert.equal(readFileSync(other).length, 0, 'nothing written into another file');
    assert.equal(runningWhenAbandoned, 0, 'no direct write running when abandon is done');
  });

  it("any other failure (a full disk) fails the next add or finish with the system's error", async () => {
    const full: DirectWrite = () =>
      Promise.reject(
        Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 }),
      );
    const { handle, direct } = await directOn('enospc.out', full);
    if (!direct) {
      assert.equal(directHere, false);
      await handle.close();
      return;
    }
    const failed = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOSPC';
    await assert.rejects(
      (async () => {
        for (let i = 0; i < 4; i++) await direct.add(pattern(STAGE_BYTES, i));
        await direct.finish();
      })(),
      failed,
    );
    await direct.abandon();
    await handle.close();
  });
});

describe('past the page cache under a file-size limit (ulimit -f) past where direct writes start', () => {
  // Node ignores SIGXFSZ, so a direct write on libuv's pool that reaches the limit is cut short (or
  // fails with EFBIG) like any other: the output is not published, and the error is the one line.
  // The built module, in a process of its own (a limit cannot be set inside this one).
  const module = join(REPO_ROOT, 'dist/files/safe-write.js');
  const script = (target: string) => `
    import { openPendingFile } from ${JSON.stringify(module)};
    const file = await openPendingFile(${JSON.stringify(target)}, { directFrom: 16 << 20 });
    try {
      const block = Buffer.alloc(300_001, 97);
      for (let i = 0; i < 84; i++) await file.write(block); // 25.2 MB
      await file.commit();
    } catch (e) {
      await file.abort();
      process.stderr.write(e.message + "\\n");
      process.exit(2);
    }`;
  // 20 MiB (a stage's boundary), and 20 MiB less 511 bytes (within a 4 KiB block)
  for (const blocks of [40_960, 40_959]) {
    it(`ulimit -f ${blocks}: exit 2, "cannot write (file too large)", the target as it was`, async () => {
      const folder = await mkdtemp(join(dir, 'ulimit-'));
      const target = join(folder, 'out.json');
      await writeFile(target, 'previous\n');
      const run = spawnSync(
        'sh',
        ['-c', `ulimit -f ${blocks}; exec "${process.execPath}" --input-type=module -e "$0"`, script(target)],
        { encoding: 'utf8' },
      );
      assert.equal(run.signal, null, 'not ended by SIGXFSZ');
      assert.equal(run.status, 2, run.stderr);
      assert.equal(run.stderr, 'cannot write (file too large)\n');
      assert.equal(await readFile(target, 'utf8'), 'previous\n');
      assert.deepEqual(await strays(folder), []);
    });
  }
});
