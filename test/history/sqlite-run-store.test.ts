import assert from 'node:assert/strict';
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
import { trend } from '../../src/history/run-store.ts';
import { HISTORY_APPLICATION_ID, openSqliteRunStore } from '../../src/history/sqlite-run-store.ts';
import { evaluatePrincipal } from '../../src/rules/index.ts';
import { AS_OF, aKey, aUser, daysAgo } from '../helpers/builders.ts';

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
    writeFileSync(`${path}.lock`, '');
    const store = await openSqliteRunStore(path);
    await assert.rejects(store.saveRun(reportAt(AS_OF, 1)), /another credsweep run is writing the history/);
    await store.close();
    const junk = join(dir, 'junk.sqlite');
    writeFileSync(junk, 'this is not sqlite, just some text that is long enough to have a header'.repeat(20));
    await assert.rejects(openSqliteRunStore(junk), /not a credsweep history database/);
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
