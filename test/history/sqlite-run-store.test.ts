import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
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
import { after, describe, it } from 'node:test';
import initSqlJs from 'sql.js';
import { assembleAuditReport } from '../../src/audit/audit-report.ts';
import { InputError } from '../../src/errors.ts';
import { trend } from '../../src/history/run-store.ts';
import {
  HISTORY_APPLICATION_ID,
  HistoryFullError,
  openSqliteRunStore,
} from '../../src/history/sqlite-run-store.ts';
import { evaluatePrincipal } from '../../src/rules/index.ts';
import { AS_OF, aKey, aUser, daysAgo } from '../helpers/builders.ts';
import { MS_PER_DAY } from '../../src/time.ts';

const dir = mkdtempSync(join(tmpdir(), 'credsweep-history-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function reportAt(asOf: number, lastUsedDaysAgo: number) {
  const ctx = { asOf, thresholdDays: 90 };
  const findings = [
    ...evaluatePrincipal(aUser({ accessKeys: [aKey({ lastUsed: daysAgo(lastUsedDaysAgo, asOf) })] }), ctx),
    ...evaluatePrincipal(
      aUser({ name: 'bob', arn: 'arn:aws:iam::111122223333:user/bob', accessKeys: [aKey()] }),
      ctx,
    ),
  ];
  return assembleAuditReport({ generatedAt: asOf, asOf, thresholdDays: 90 }, findings);
}

describe('the SQLite run store', () => {
  it('stores runs in a file and reads them back, in order, with their findings', async () => {
    const path = join(dir, 'h1.sqlite');
    const first = await openSqliteRunStore(path);
    const r1 = reportAt(AS_OF, 10);
    const saved = await first.saveRun(r1);
    assert.equal(saved.id, 1);
    await first.close();
    assert.ok(existsSync(path));
    assert.ok(!existsSync(`${path}.lock`), 'the lock is released');
    assert.equal(readFileSync(path).subarray(0, 15).toString(), 'SQLite format 3', 'a real SQLite file');

    const second = await openSqliteRunStore(path);
    await second.saveRun(reportAt(AS_OF + 7 * 86_400_000, 100));
    const runs = await second.listRuns();
    assert.deepEqual(
      runs.map((r) => [r.id, r.runAt, r.summary.unused, r.findingCount]),
      [
        [1, '2026-11-01T00:00:00Z', 1, 2],
        [2, '2026-11-08T00:00:00Z', 2, 2],
      ],
    );
    assert.deepEqual((await second.loadRun(1))?.findings, r1.findings);
    assert.equal(await second.loadRun(3), undefined);
    assert.deepEqual(await trend(second), [
      { runAt: '2026-11-01T00:00:00Z', unused: 1 },
      { runAt: '2026-11-08T00:00:00Z', unused: 2 },
    ]);
    await second.close();
  });

  it("two stores open on one file do not lose each other's runs", async () => {
    const path = join(dir, 'h2.sqlite');
    const a = await openSqliteRunStore(path);
    const b = await openSqliteRunStore(path);
    await a.saveRun(reportAt(AS_OF, 10));
    await b.saveRun(reportAt(AS_OF, 20));
    const c = await openSqliteRunStore(path);
    assert.deepEqual(
      (await c.listRuns()).map((r) => r.id),
      [1, 2],
    );
    for (const s of [a, b, c]) await s.close();
  });

  it('refuses to write while another run holds the lock, and rejects a file that is not a database', async () => {
    const path = join(dir, 'h3.sqlite');
    // (this process's pid: a live one)
    writeFileSync(`${path}.lock`, String(process.pid));
    const store = await openSqliteRunStore(path);
    await assert.rejects(
      store.saveRun(reportAt(AS_OF, 1)),
      (e: Error) =>
        e.message === `the history database ${path} is in use by another credsweep (pid ${process.pid})`,
    );
    await store.close();
    rmSync(`${path}.lock`);
    const junk = join(dir, 'junk.sqlite');
    writeFileSync(junk, 'this is not sqlite, just some text that is long enough to have a header'.repeat(20));
    await assert.rejects(openSqliteRunStore(junk), /not a credsweep history database/);
  });

  it('takes over the lock of a run that is gone (killed, or interrupted while it wrote): the run is stored', async () => {
    const path = join(dir, 'stale.sqlite');
    const first = await openSqliteRunStore(path);
    await first.saveRun(reportAt(AS_OF, 1));
    await first.close();
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(`${path}.lock`, String(gone));
    const store = await openSqliteRunStore(path);
    assert.equal((await store.saveRun(reportAt(AS_OF + MS_PER_DAY, 1))).id, 2);
    assert.ok(!existsSync(`${path}.lock`), 'the lock is released');
    assert.deepEqual(
      (await store.listRuns()).map((r) => r.id),
      [1, 2],
    );
    await store.close();
  });

  it('locks the file a symbolic link names: a run through the link waits for one on the file itself', async () => {
    const real = join(dir, 'real.sqlite');
    const link = join(dir, 'link.sqlite');
    const first = await openSqliteRunStore(real);
    await first.saveRun(reportAt(AS_OF, 1));
    await first.close();
    symlinkSync(real, link);
    writeFileSync(`${real}.lock`, String(process.pid)); // a live run writing real.sqlite
    const store = await openSqliteRunStore(link);
    await assert.rejects(store.saveRun(reportAt(AS_OF, 2)), /is in use by another credsweep/);
    assert.ok(!existsSync(`${link}.lock`));
    rmSync(`${real}.lock`);
    assert.equal((await store.saveRun(reportAt(AS_OF, 2))).id, 2);
    assert.ok(!existsSync(`${real}.lock`), 'the lock is released');
    await store.close();
  });

  it('a read-only database is read but never written: no run stored, none pruned, the file as it was', async () => {
    const path = join(dir, 'read-only.sqlite');
    const store = await openSqliteRunStore(path);
    for (const day of [0, 1]) await store.saveRun(reportAt(AS_OF + day * MS_PER_DAY, 1));
    chmodSync(path, 0o400);
    const bytes = readFileSync(path);
    const readOnly = (e: Error) =>
      e.message === 'is read-only (mode 0400); credsweep does not write over it' &&
      /chmod u\+w/.test(`${(e as { hint?: string }).hint}`);
    await assert.rejects(store.saveRun(reportAt(AS_OF + 2 * MS_PER_DAY, 1)), readOnly);
    await assert.rejects(store.pruneRuns({ keepRuns: 1 }, AS_OF), readOnly);
    assert.equal((await store.pruneRuns({ keepRuns: 5 }, AS_OF)).removed.length, 0, 'nothing to write: fine');
    assert.deepEqual(
      (await store.listRuns()).map((r) => r.id),
      [1, 2],
    );
    assert.deepEqual(readFileSync(path), bytes);
    assert.equal(statSync(path).mode & 0o777, 0o400);
    assert.ok(!existsSync(`${path}.lock`), 'the lock is released');
    await store.close();
  });

  it("refuses another application's database and leaves it as it was (sql.js writes the whole file back)", async () => {
    const SQL = await initSqlJs();
    const foreign = join(dir, 'app.db');
    const people = new SQL.Database();
    people.exec('CREATE TABLE people (name TEXT)');
    writeFileSync(foreign, people.export());
    const before = readFileSync(foreign);
    await assert.rejects(
      openSqliteRunStore(foreign),
      /^InputError: not a credsweep history database \(another application's: 1 table\(s\), no credsweep schema version\)$/,
    );
    assert.deepEqual(readFileSync(foreign), before);
    const marked = join(dir, 'marked.db');
    const other = new SQL.Database();
    other.exec('PRAGMA application_id = 7');
    writeFileSync(marked, other.export());
    await assert.rejects(openSqliteRunStore(marked), /another application's: application_id 0x7\)/);
    await assert.rejects(openSqliteRunStore('/dev/null'), /is a device, not a file/);
  });

  it(`sets application_id ${HISTORY_APPLICATION_ID.toString(16)} on a new database; an older credsweep's (without it) is read and gets it`, async () => {
    const path = join(dir, 'marked-new.sqlite');
    const store = await openSqliteRunStore(path);
    await store.saveRun(reportAt(AS_OF, 10));
    await store.close();
    // SQLite's header holds the application_id at offset 68, big-endian
    assert.equal(readFileSync(path).readUInt32BE(68), HISTORY_APPLICATION_ID);
    const bytes = readFileSync(path);
    bytes.writeUInt32BE(0, 68); // as credsweep 0.1 wrote it
    writeFileSync(path, bytes);
    const older = await openSqliteRunStore(path);
    assert.equal((await older.listRuns()).length, 1);
    await older.saveRun(reportAt(AS_OF, 11));
    await older.close();
    assert.equal(readFileSync(path).readUInt32BE(68), HISTORY_APPLICATION_ID);
  });

  it('writes through an O_EXCL temporary file: a link planted at the old predictable name is never followed; 0600, mode kept', async () => {
    const folder = mkdtempSync(join(dir, 'safe-'));
    const path = join(folder, 'h.sqlite');
    const victim = join(folder, 'victim');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, `${path}.${process.pid}.tmp`);
    const store = await openSqliteRunStore(path);
    await store.saveRun(reportAt(AS_OF, 10));
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.equal(statSync(path).mode & 0o777, 0o600, 'a new database is 0600');
    chmodSync(path, 0o640);
    await store.saveRun(reportAt(AS_OF, 20));
    await store.close();
    assert.equal(statSync(path).mode & 0o777, 0o640, 'an existing database keeps its mode');
    assert.deepEqual(
      readdirSync(folder).sort(),
      ['h.sqlite', `h.sqlite.${process.pid}.tmp`, 'victim'],
      'no temporary file left',
    );
  });
});

/** A run of `users` users (one access key each) at `at`: about 1 KB stored per finding. */
function bigReportAt(at: number, users = 100) {
  const ctx = { asOf: at, thresholdDays: 90 };
  const findings = Array.from({ length: users }, (_, i) =>
    evaluatePrincipal(
      aUser({
        name: `user-${i}`,
        arn: `arn:aws:iam::111122223333:user/user-${i}`,
        accessKeys: [aKey({ lastUsed: daysAgo(i, at) })],
      }),
      ctx,
    ),
  ).flat();
  return assembleAuditReport({ generatedAt: at, asOf: at, thresholdDays: 90 }, findings);
}

/** A store at `path` holding one run a day for `days` days, the last at AS_OF. */
async function dailyRuns(path: string, days: number, users = 100) {
  const store = await openSqliteRunStore(path);
  for (let d = days - 1; d >= 0; d--) await store.saveRun(bigReportAt(daysAgo(d), users));
  return store;
}

const ids = async (store: Awaited<ReturnType<typeof openSqliteRunStore>>) =>
  (await store.listRuns()).map((r) => r.id);

describe('the SQLite run store: retention', () => {
  it('without a retention nothing is ever removed', async () => {
    const store = await dailyRuns(join(dir, 'keep-all.sqlite'), 4, 2);
    const saved = await store.saveRun(reportAt(AS_OF + MS_PER_DAY, 1));
    assert.deepEqual(saved.removed, []);
    assert.deepEqual(await ids(store), [1, 2, 3, 4, 5]);
    await store.close();
  });

  it('by count: the run is stored and the oldest past keepRuns removed, findings and all, in one write', async () => {
    const path = join(dir, 'by-count.sqlite');
    const store = await dailyRuns(path, 5);
    const before = statSync(path).size;
    const saved = await store.saveRun(bigReportAt(AS_OF + MS_PER_DAY), { keepRuns: 2 });
    assert.equal(saved.id, 6);
    assert.deepEqual(saved.removed, [1, 2, 3, 4]);
    assert.deepEqual(await ids(store), [5, 6]);
    assert.equal(await store.loadRun(1), undefined);
    assert.equal((await store.loadRun(5))?.findings.length, 100);
    await store.close();
    // a fresh read of the file sees the same: it was written whole, with the new run and without the old
    const again = await openSqliteRunStore(path);
    assert.deepEqual(await ids(again), [5, 6]);
    await again.close();
    const after = statSync(path).size;
    assert.ok(after < before / 2, `compacted (VACUUM): ${before} → ${after} bytes`);
  });

  it('by age: runs that ran more than keepDays before this run are removed; ids never reused', async () => {
    const path = join(dir, 'by-age.sqlite');
    const store = await dailyRuns(path, 10, 2);
    // the new run is at AS_OF + 1 day: runs 1-7 ran 4-10 days before it, run 8 exactly 3
    const saved = await store.saveRun(reportAt(AS_OF + MS_PER_DAY, 1), { keepDays: 3 });
    assert.deepEqual(saved.removed, [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(await ids(store), [8, 9, 10, 11]);
    const next = await store.saveRun(reportAt(AS_OF + 2 * MS_PER_DAY, 1), { keepRuns: 1 });
    assert.equal(next.id, 12, 'AUTOINCREMENT: a removed run id is never given again');
    await store.close();
  });

  it('pruneRuns: as of an injected now, never the newest, the file smaller; nothing to remove writes nothing', async () => {
    const path = join(dir, 'prune.sqlite');
    const store = await dailyRuns(path, 6);
    const before = statSync(path).size;
    // 400 days on, every run is past keepDays 30: all go but the newest
    const outcome = await store.pruneRuns({ keepDays: 30 }, AS_OF + 400 * MS_PER_DAY);
    assert.deepEqual(outcome.removed, [1, 2, 3, 4, 5]);
    assert.equal(outcome.kept, 1);
    assert.equal(outcome.bytesBefore, before);
    assert.equal(outcome.bytesAfter, statSync(path).size);
    assert.ok(outcome.bytesAfter < before / 3, `${before} → ${outcome.bytesAfter} bytes`);
    assert.deepEqual(await ids(store), [6]);
    const bytes = readFileSync(path);
    const mtime = statSync(path).mtimeMs;
    const none = await store.pruneRuns({ keepRuns: 5, keepDays: 30 }, AS_OF + 400 * MS_PER_DAY);
    assert.deepEqual(none, { removed: [], kept: 1, bytesBefore: bytes.length, bytesAfter: bytes.length });
    assert.deepEqual(readFileSync(path), bytes);
    assert.equal(statSync(path).mtimeMs, mtime, 'not rewritten');
    await store.close();
  });

  it('pruneRuns re-reads the file under the lock: a run another store saved since is judged too', async () => {
    const path = join(dir, 'prune-fresh.sqlite');
    const a = await dailyRuns(path, 2, 1);
    const b = await openSqliteRunStore(path);
    await b.saveRun(reportAt(AS_OF + MS_PER_DAY, 1));
    const outcome = await a.pruneRuns({ keepRuns: 1 }, AS_OF + MS_PER_DAY);
    assert.deepEqual(outcome.removed, [1, 2]);
    assert.deepEqual(await ids(a), [3]);
    for (const s of [a, b]) await s.close();
  });
});

describe('the SQLite run store: its cap', () => {
  it('a write past the cap is refused and the file left as it was; a retention that brings it under is stored', async () => {
    const path = join(dir, 'cap.sqlite');
    (await dailyRuns(path, 2)).close();
    const size = statSync(path).size;
    const bytes = readFileSync(path);
    const store = await openSqliteRunStore(path, { maxBytes: size + 1024 });
    await assert.rejects(
      store.saveRun(bigReportAt(AS_OF + MS_PER_DAY)),
      (e) =>
        e instanceof HistoryFullError &&
        /^the database would be \d+ bytes, larger than the \d+ bytes credsweep reads whole$/.test(
          e.message,
        ) &&
        /--keep-runs N, --keep-days N, or credsweep history prune/.test(e.hint ?? ''),
    );
    assert.deepEqual(readFileSync(path), bytes, 'not written');
    assert.ok(!existsSync(`${path}.lock`), 'the lock is released');
    assert.deepEqual(await ids(store), [1, 2], 'reads see the database as it was');
    const saved = await store.saveRun(bigReportAt(AS_OF + MS_PER_DAY), { keepRuns: 2 });
    assert.deepEqual(saved.removed, [1]);
    assert.ok(statSync(path).size <= size + 1024);
    await store.close();
  });

  it('a file already past the cap (an older credsweep wrote it) is refused by its size, before it is read', async () => {
    const path = join(dir, 'over.sqlite');
    (await dailyRuns(path, 1, 1)).close();
    await assert.rejects(
      openSqliteRunStore(path, { maxBytes: 100 }),
      (e) =>
        e instanceof HistoryFullError &&
        /^\d+ bytes: larger than the 100 bytes credsweep reads whole$/.test(e.message),
    );
  });
});

describe('the SQLite run store: stored JSON of the wrong shape (a hand edit, a bad restore)', () => {
  /** A two-run database with `sql` run on it afterwards, as another tool would. */
  async function edited(name: string, sql: string): Promise<string> {
    const path = join(dir, name);
    const store = await openSqliteRunStore(path);
    await store.saveRun(reportAt(AS_OF, 10));
    await store.saveRun(reportAt(AS_OF + 86_400_000, 100));
    await store.close();
    const SQL = await initSqlJs();
    const db = new SQL.Database(readFileSync(path));
    db.run(sql);
    writeFileSync(path, db.export());
    db.close();
    return path;
  }

  // Each was a TypeError in history or diff (exit 70 with a stack trace), or read as a finding of nothing.
  const cases: [string, string, 'listRuns' | 'loadRun', RegExp][] = [
    [
      'a finding body null',
      `UPDATE findings SET body = 'null' WHERE run_id = 2`,
      'loadRun',
      /run 2, finding 1: Invalid input/,
    ],
    [
      'a finding body {}',
      `UPDATE findings SET body = '{}' WHERE run_id = 2`,
      'loadRun',
      /run 2, finding 1: accountId: /,
    ],
    [
      'a status that is a number',
      `UPDATE findings SET body = json_set(body, '$.status', 3) WHERE run_id = 2`,
      'loadRun',
      /run 2, finding 1: status: /,
    ],
    [
      'a body that is not JSON',
      `UPDATE findings SET body = 'x' WHERE run_id = 2`,
      'loadRun',
      /run 2, finding 1: not JSON/,
    ],
    ['a summary null', `UPDATE runs SET summary = 'null' WHERE id = 1`, 'listRuns', /run 1, its summary: /],
    [
      'accounts an object',
      `UPDATE runs SET accounts = '{"x":1}' WHERE id = 2`,
      'listRuns',
      /run 2, its accounts: /,
    ],
    [
      'an account without its id',
      `UPDATE runs SET accounts = '[{"status":"ok"}]' WHERE id = 2`,
      'listRuns',
      /run 2, its accounts: 0\.accountId: /,
    ],
  ];
  for (const [what, sql, read, where] of cases) {
    it(`${what}: the damaged-database InputError naming the run`, async () => {
      const path = await edited(`${what.replaceAll(/\W+/g, '-')}.sqlite`, sql);
      const store = await openSqliteRunStore(path);
      try {
        await assert.rejects(
          read === 'listRuns' ? store.listRuns() : store.loadRun(2),
          (e) =>
            e instanceof InputError &&
            e.message.startsWith('the history database is damaged (') &&
            where.test(e.message),
        );
      } finally {
        await store.close();
      }
    });
  }

  it('fields the readers do not use are kept as stored (a run an older or newer credsweep wrote)', async () => {
    const path = await edited(
      'extra.sqlite',
      `UPDATE findings SET body = json_set(body, '$.addedLater', 'x') WHERE run_id = 2`,
    );
    const store = await openSqliteRunStore(path);
    const run = await store.loadRun(2);
    await store.close();
    assert.equal((run!.findings[0] as Record<string, unknown>).addedLater, 'x');
  });
});
