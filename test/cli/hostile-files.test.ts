/**
 * Files credsweep reads back that were changed outside it (a history database edited by another
 * tool), through the real binary: exit 2 and one line naming the file, never a stack trace.
 * (hostile-input.test.ts holds the credential-report corpus; this file the other inputs.)
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import initSqlJs from 'sql.js';
import { DEMO_REPORT, REPO_ROOT, runCredsweep } from '../helpers/cli.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsweep-hostile-files-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function assertOneLine(run: { code: number; stdout: string; stderr: string }, start: string): void {
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stdout, '');
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  assert.ok(lines[0]!.startsWith(start), run.stderr);
  assert.doesNotMatch(run.stderr, /internal error|\n\s+at /);
}

describe('a history database whose stored JSON another tool changed', () => {
  async function twoRunsThen(name: string, sql: string): Promise<string> {
    const db = join(dir, name);
    for (const asOf of ['2026-11-01', '2026-11-02']) {
      const run = await runCredsweep([
        'audit',
        '--report',
        DEMO_REPORT,
        '--as-of',
        asOf,
        '--db',
        db,
        '--format',
        'json',
      ]);
      assert.equal(run.code, 0, run.stderr);
    }
    const SQL = await initSqlJs();
    const database = new SQL.Database(await readFile(db));
    database.run(sql);
    await writeFile(db, database.export());
    database.close();
    return db;
  }

  // Each was exit 70: "internal error: Cannot read properties of null", a stack trace after it.
  it('a finding stored as null: diff is exit 2, one line naming the run', async () => {
    const db = await twoRunsThen('null-finding.db', `UPDATE findings SET body = 'null' WHERE run_id = 2`);
    for (const format of ['table', 'json']) {
      const run = await runCredsweep(['diff', '--db', db, '--format', format]);
      assertOneLine(run, `credsweep: ${db}: the history database is damaged (run 2, finding 1: `);
    }
  });

  it('a run whose accounts are an object and whose summary is null: history and diff are exit 2', async () => {
    const db = await twoRunsThen(
      'bad-run.db',
      `UPDATE runs SET accounts = '{"x":1}', summary = 'null' WHERE id = 1`,
    );
    assertOneLine(
      await runCredsweep(['history', '--db', db]),
      `credsweep: ${db}: the history database is damaged (run 1, its accounts: `,
    );
    assertOneLine(
      await runCredsweep(['diff', '--db', db]),
      `credsweep: ${db}: the history database is damaged (run 1, its accounts: `,
    );
  });
});

describe('audit --report given a folder', () => {
  it('is one line in words, as every other file credsweep reads (it quoted Node: EISDIR: illegal operation…)', async () => {
    for (const jobs of ['1', '2']) {
      const run = await runCredsweep(['audit', '--report', 'test', '--jobs', jobs, '--format', 'json'], {
        cwd: REPO_ROOT,
      });
      assertOneLine(run, 'credsweep: test: is a folder, not a file; give the path of a credential report');
    }
  });
});
