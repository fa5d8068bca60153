/**
 * `credsweep history prune`: the runs past --keep-runs / --keep-days (or the configuration's keepRuns /
 * keepDays) removed as of the injected clock, never the newest, the file smaller; --dry-run changes
 * nothing. In process (capturingContext): "now" is an input, never the wall clock.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import initSqlJs from 'sql.js';
import { runCli } from '../../src/cli/program.ts';
import { displayWidth } from '../../src/reporters/text-width.ts';
import { MS_PER_DAY } from '../../src/time.ts';
import { capturingContext, DEMO_AS_OF, DEMO_REPORT, REPO_ROOT } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'credsweep-prune-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const DAY_0 = Date.parse(DEMO_AS_OF);

async function cli(argv: string[], now = DAY_0) {
  const { ctx, stdout, stderr } = capturingContext(now);
  const code = await runCli(argv, ctx);
  return { code, stdout: stdout(), stderr: stderr() };
}

/** A database of `days` audits of the demo report, one a day from DAY_0 (run n on day n-1). */
async function dailyHistory(name: string, days: number): Promise<string> {
  const db = join(dir, name);
  for (let day = 0; day < days; day++) {
    const run = await cli(
      ['audit', '--report', join(REPO_ROOT, DEMO_REPORT), '--output', join(dir, 'o.txt'), '--db', db],
      DAY_0 + day * MS_PER_DAY,
    );
    assert.equal(run.code, 0, run.stderr);
  }
  return db;
}

async function storedIds(db: string): Promise<number[]> {
  const run = await cli(['history', '--db', db, '--format', 'json']);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout).map((r: { id: number }) => r.id);
}

describe('credsweep history prune', () => {
  it('--dry-run says which runs would go and changes nothing', async () => {
    const db = await dailyHistory('dry.db', 4);
    const bytes = readFileSync(db);
    const run = await cli(['history', 'prune', '--db', db, '--keep-runs', '2', '--dry-run']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      `Would remove 2 runs (1-2) from ${db} (at most 2 runs) and keep 2; nothing changed (--dry-run).\n`,
    );
    assert.deepEqual(readFileSync(db), bytes);
  });

  it('--keep-runs: whole runs removed, the file smaller, one line with the sizes', async () => {
    const db = await dailyHistory('count.db', 4);
    const before = statSync(db).size;
    const run = await cli(['history', 'prune', '--db', db, '--keep-runs', '1']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(
        `^Removed 3 runs \\(1-3\\) from ${db} \\(at most 1 run\\) and kept 1; \\d+ bytes → \\d+ bytes\\.\\n$`,
      ),
    );
    assert.ok(statSync(db).size < before, `${before} → ${statSync(db).size} bytes`);
    assert.deepEqual(await storedIds(db), [4]);
  });

  it('--keep-days as of now (the injected clock); the newest run is kept however old; options before prune too', async () => {
    const db = await dailyHistory('age.db', 3);
    // on day 3, runs 1 and 2 (days 0 and 1) are more than 1 day old
    const run = await cli(['history', '--db', db, 'prune', '--keep-days', '1'], DAY_0 + 3 * MS_PER_DAY);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Removed 2 runs \(1-2\) .* \(none older than 1 day\) and kept 1; /);
    const late = await cli(['history', 'prune', '--db', db, '--keep-days', '1'], DAY_0 + 400 * MS_PER_DAY);
    assert.equal(
      late.stdout,
      `Nothing to remove from ${db}: its 1 run is within the retention (none older than 1 day).\n`,
    );
    assert.deepEqual(await storedIds(db), [3]);
  });

  it('--format json; keepRuns from the configuration file when no flag gives one', async () => {
    const db = await dailyHistory('config.db', 3);
    const config = join(dir, 'prune.yaml');
    writeFileSync(config, `db: ${db}\nkeepRuns: 2\n`);
    const before = statSync(db).size;
    const run = await cli(['history', 'prune', '--config', config, '--format', 'json', '--quiet']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '', '--quiet after prune is history --quiet: no configuration line');
    const outcome = JSON.parse(run.stdout);
    assert.deepEqual(
      { ...outcome, bytesAfter: outcome.bytesAfter < before },
      { dryRun: false, removed: [1], kept: 2, bytesBefore: before, bytesAfter: true },
    );
    assert.equal(outcome.bytesAfter, statSync(db).size);
  });

  it('without a retention, or without a database: exit 2, one line, nothing changed', async () => {
    const db = await dailyHistory('none.db', 2);
    const bytes = readFileSync(db);
    const none = await cli(['history', 'prune', '--db', db]);
    assert.equal(none.code, 2);
    assert.equal(
      none.stderr,
      'credsweep: history prune needs --keep-runs N or --keep-days N (or keepRuns/keepDays in the configuration file)\n',
    );
    assert.deepEqual(readFileSync(db), bytes);
    const typo = await cli(['history', 'prune', '--db', join(dir, 'typo.db'), '--keep-runs', '1']);
    assert.equal(typo.code, 2);
    assert.match(
      typo.stderr,
      /^credsweep: .*typo\.db: no such history database \(`credsweep audit --db FILE` creates it\)\n$/,
    );
  });
});

describe("history and diff: the database's text", () => {
  it('made printable in the table and the diff line, in a pipe and within a terminal’s width', async () => {
    const db = await dailyHistory('hostile.db', 2);
    const SQL = await initSqlJs();
    const edited = new SQL.Database(readFileSync(db));
    const accounts = JSON.parse(
      String(edited.exec('SELECT accounts FROM runs WHERE id = 1')[0]!.values[0]![0]),
    );
    accounts[0].source = 'iam-api\u001b[2J\u202e';
    edited.run('UPDATE runs SET accounts = ?, run_at = ? WHERE id = 1', [
      JSON.stringify(accounts),
      '\u001b]52;c;aGk=\u0007T18:00:00Z',
    ]);
    writeFileSync(db, edited.export());
    edited.close();
    for (const width of [undefined, 60]) {
      const { ctx, stdout, stderr } = capturingContext(DAY_0);
      if (width !== undefined) ctx.tableWidth = width;
      for (const argv of [
        ['history', '--db', db],
        ['diff', '1', '2', '--db', db],
      ]) {
        assert.equal(await runCli(argv, ctx), 0, stderr());
      }
      const text = stdout();
      assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/, text);
      if (width === undefined) assert.match(text, /iam-api\\u001b\[2J\\u202e/, 'SOURCE: dropped at 60');
      assert.match(text, /^Run 1 \(\\u001b]52;c;aGk=\\u0007T18:00:00Z\) → run 2\b/m);
      if (width !== undefined)
        for (const line of text.trimEnd().split('\n')) assert.ok(displayWidth(line) <= width, line);
    }
  });
});
