/**
 * The history database's retention and its cap at the CLI's edge: `audit --db --keep-runs/--keep-days`
 * (and keepRuns/keepDays in the configuration file), `history prune`, bad values (exit 2, one line
 * naming the flag or key), and a database that cannot take the run (the report is written, then one
 * line, exit 2). In process, the clock injected (capturingContext): ages never read the wall clock.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import initSqlJs from 'sql.js';
import { runCli } from '../../src/cli/program.ts';
import { MAX_DATABASE_BYTES } from '../../src/history/sqlite-run-store.ts';
import { MS_PER_DAY } from '../../src/time.ts';
import { capturingContext, DEMO_AS_OF, DEMO_REPORT, REPO_ROOT } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'credsweep-retention-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const REPORT = join(REPO_ROOT, DEMO_REPORT);
const DAY_0 = Date.parse(DEMO_AS_OF);
const PAST_CAP = MAX_DATABASE_BYTES + 100 * 1024 * 1024;

/** The CLI run in process at `now`: exit code, standard output and error. */
async function cli(argv: string[], now = DAY_0) {
  const { ctx, stdout, stderr } = capturingContext(now);
  const code = await runCli(argv, ctx);
  return { code, stdout: stdout(), stderr: stderr() };
}

/** `audit --report DEMO --db db`, on day `day` (the run's time; the audit judged as of DEMO_AS_OF). */
async function auditOn(day: number, db: string, extra: string[] = []) {
  const out = join(dir, 'audit-out.json');
  const run = await cli(
    [
      'audit',
      '--report',
      REPORT,
      '--as-of',
      DEMO_AS_OF,
      '--format',
      'json',
      '--output',
      out,
      '--db',
      db,
      ...extra,
    ],
    DAY_0 + day * MS_PER_DAY,
  );
  return { ...run, output: existsSync(out) ? readFileSync(out, 'utf8') : undefined };
}

async function storedIds(db: string): Promise<number[]> {
  const run = await cli(['history', '--db', db, '--format', 'json']);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout).map((r: { id: number }) => r.id);
}

describe('audit --db with a retention', () => {
  it('without --keep-runs, --keep-days or their keys nothing is ever removed', async () => {
    const db = join(dir, 'all.db');
    for (const day of [0, 100, 400]) assert.equal((await auditOn(day, db)).code, 0);
    assert.deepEqual(await storedIds(db), [1, 2, 3]);
  });

  it('--keep-runs: this run stored, the oldest past the count removed, one line says which', async () => {
    const db = join(dir, 'count.db');
    for (const day of [0, 1]) await auditOn(day, db, ['--keep-runs', '2']);
    const third = await auditOn(2, db, ['--keep-runs', '2']);
    assert.equal(third.code, 0, third.stderr);
    assert.equal(
      third.stderr,
      `credsweep: stored as run 3 in ${db}; removed 1 older run (1): at most 2 runs\n`,
    );
    assert.deepEqual(await storedIds(db), [2, 3]);
  });

  it('keepDays in the configuration file: runs more than N days before this one removed, aged by run time', async () => {
    const db = join(dir, 'age.db');
    const config = join(dir, 'age.yaml');
    writeFileSync(config, `db: ${db}\nkeepDays: 30\n`);
    const audit = (day: number) =>
      cli(
        [
          'audit',
          '--report',
          REPORT,
          '--as-of',
          DEMO_AS_OF,
          '--output',
          join(dir, 'o.txt'),
          '--config',
          config,
          '--quiet',
        ],
        DAY_0 + day * MS_PER_DAY,
      );
    for (const day of [0, 20]) assert.equal((await audit(day)).code, 0);
    // day 50: run 1 ran 50 days before, run 2 exactly 30: run 1 goes
    const run = await audit(50);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /; removed 1 older run \(1\): none older than 30 days\n$/);
    assert.deepEqual(await storedIds(db), [2, 3]);
  });

  it('a flag wins over its key; the other key still applies', async () => {
    const db = join(dir, 'both.db');
    const config = join(dir, 'both.yaml');
    writeFileSync(config, 'keepRuns: 1\nkeepDays: 5\n');
    for (const day of [0, 1, 2]) {
      const run = await auditOn(day, db, ['--config', config, '--quiet', '--keep-runs', '10']);
      assert.equal(run.code, 0, run.stderr);
    }
    assert.deepEqual(await storedIds(db), [1, 2, 3], '--keep-runs 10 over keepRuns 1');
    await auditOn(7, db, ['--config', config, '--quiet', '--keep-runs', '10']);
    assert.deepEqual(await storedIds(db), [3, 4], 'keepDays 5 from the file: runs of days 0 and 1 go');
  });
});

describe('retention values: exit 2, one line naming the flag or the key', () => {
  const BAD = ['0', '-1', '2.5', '30d', '1e3', 'ten', ''];
  for (const flag of ['--keep-runs', '--keep-days']) {
    for (const command of [
      ['audit', '--report', REPORT, '--db', join(dir, 'never.db')],
      ['history', 'prune'],
    ]) {
      it(`${command[0]}${command[0] === 'history' ? ' prune' : ''} ${flag}: ${BAD.join(', ')}`, async () => {
        const unit = flag === '--keep-runs' ? 'runs from 1 to 1000000' : 'days from 1 to 36500';
        for (const value of BAD) {
          const run = await cli([...command, flag, value]);
          assert.equal(run.code, 2, `${flag} ${value}`);
          assert.equal(run.stdout, '');
          const help = command[0] === 'audit' ? 'audit' : 'history prune';
          assert.equal(
            run.stderr,
            `credsweep: option '${flag} <n>' argument '${value}' is invalid. expected a whole number of ${unit} (see credsweep ${help} --help)\n`,
          );
        }
        assert.ok(!existsSync(join(dir, 'never.db')), 'refused before anything ran');
      });
    }
  }

  it('keepRuns and keepDays in the configuration file: file:line: key: what', async () => {
    const cases: [string, string][] = [
      ['keepRuns: 0', 'keepRuns: expected a whole number of runs from 1 to 1000000'],
      ['keepRuns: -3', 'keepRuns: expected a whole number of runs from 1 to 1000000'],
      ['keepRuns: 2.5', 'keepRuns: expected a whole number of runs from 1 to 1000000'],
      ['keepDays: 30d', 'keepDays: expected a whole number of days from 1 to 36500'],
      ['keepDays: "30"', 'keepDays: expected a whole number of days from 1 to 36500'],
      ['keepDays: 0', 'keepDays: expected a whole number of days from 1 to 36500'],
    ];
    for (const [line, message] of cases) {
      const config = join(dir, 'bad.yaml');
      writeFileSync(config, `days: 90\n${line}\n`);
      for (const argv of [
        ['audit', '--report', REPORT, '--config', config],
        ['history', 'prune', '--db', join(dir, 'all.db'), '--config', config],
      ]) {
        const run = await cli(argv);
        assert.equal(run.code, 2, line);
        assert.equal(run.stderr, `credsweep: ${config}:2: ${message}\n`, line);
      }
    }
  });

  it('--keep-runs or --keep-days without a history database is a usage error', async () => {
    for (const flag of ['--keep-runs', '--keep-days']) {
      const run = await cli(['audit', '--report', REPORT, flag, '3']);
      assert.equal(run.code, 2);
      assert.equal(
        run.stderr,
        `credsweep: ${flag} is for the history database: give --db FILE (or "db" in the configuration file)\n`,
      );
    }
  });
});

describe('a history that cannot take the run: the report first, then one line, exit 2', () => {
  it('a database already past the 1 GiB cap: the audit runs and writes its report; the file is untouched', async () => {
    const db = join(dir, 'full.db');
    // sparse: a size past the cap without the disk space (refused by its size, never read)
    writeFileSync(db, '');
    truncateSync(db, PAST_CAP);
    for (const failOn of [[], ['--fail-on', 'unused']]) {
      const run = await auditOn(0, db, failOn);
      assert.equal(run.code, 2, run.stderr);
      assert.ok(run.output && JSON.parse(run.output).findings.length > 0, 'the report was written');
      assert.equal(
        run.stderr,
        `credsweep: run not stored: ${db}: 1124 MiB: larger than the 1024 MiB credsweep reads whole (give --db a new file, and --keep-runs N or --keep-days N to keep it under the cap)\n`,
      );
      assert.equal(statSync(db).size, PAST_CAP);
    }
  });

  it('the HTML report at the cap: written without the trend chart', async () => {
    const db = join(dir, 'full.db');
    const html = join(dir, 'full.html');
    const run = await cli(['audit', '--report', REPORT, '--format', 'html', '--output', html, '--db', db]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(readFileSync(html, 'utf8'), /<html/);
    assert.doesNotMatch(readFileSync(html, 'utf8'), /chart-trend/);
    assert.match(run.stderr, /^credsweep: run not stored: .*full\.db: /);
  });

  it('a damaged database (a page of its runs overwritten): every command one line, exit 2; an audit writes its report', async () => {
    const db = join(dir, 'damaged.db');
    for (const day of [0, 1]) assert.equal((await auditOn(day, db)).code, 0);
    const SQL = await initSqlJs();
    const opened = new SQL.Database(readFileSync(db));
    const page = Number(
      opened.exec(`SELECT rootpage FROM sqlite_master WHERE name = 'runs'`)[0]!.values[0]![0],
    );
    const size = Number(opened.exec('PRAGMA page_size')[0]!.values[0]![0]);
    opened.close();
    const bytes = readFileSync(db);
    bytes.fill(0x41, (page - 1) * size, page * size);
    writeFileSync(db, bytes);
    const line = `credsweep: ${db}: the history database is damaged (database disk image is malformed) (restore it from a backup, or give --db a new file)\n`;
    for (const argv of [
      ['history', '--db', db],
      ['diff', '--db', db],
      ['history', 'prune', '--keep-runs', '1', '--db', db],
    ]) {
      const run = await cli(argv);
      assert.deepEqual([run.code, run.stdout, run.stderr], [2, '', line], argv.join(' '));
    }
    for (const format of ['json', 'table']) {
      const run = await auditOn(2, db, ['--format', format]);
      assert.equal(run.code, 2, run.stderr);
      assert.ok(run.output?.includes('alice.nguyen'), `the ${format} report was written`);
      assert.equal(run.stderr, `credsweep: run not stored: ${line.slice('credsweep: '.length)}`);
    }
    assert.deepEqual(readFileSync(db), bytes, 'the file is left as it was');
  });

  it('another run holding the lock: the report is written, then one line, exit 2', async () => {
    const db = join(dir, 'locked.db');
    await auditOn(0, db);
    // (this process's pid: a live one)
    writeFileSync(`${db}.lock`, String(process.pid));
    const run = await auditOn(1, db);
    rmSync(`${db}.lock`);
    assert.equal(run.code, 2);
    assert.ok(run.output, 'the report was written');
    assert.equal(
      run.stderr,
      `credsweep: run not stored: the history database ${db} is in use by another credsweep (pid ${process.pid}) (wait for it, or remove ${db}.lock if that process is not credsweep)\n`,
    );
    assert.deepEqual(await storedIds(db), [1]);
  });
});
