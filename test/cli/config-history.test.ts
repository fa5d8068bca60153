/**
 * The configuration file and the history database, end to end through the built binary: exemptions,
 * per-kind thresholds, flags over the file, bad keys (exit 2, one line), audit --db, history, diff.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import initSqlJs from 'sql.js';
import { REPO_ROOT, runCredsweep } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'credsweep-cli-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const REPORT = join(dir, 'report.csv');
cpSync(join(REPO_ROOT, 'examples/demo/credential-report.csv'), REPORT);
const AS_OF = '2026-11-01T18:00:00Z';

const CONFIG = `# the demo account's exemptions
days: 100
thresholds:
  access_key: 60
exemptions:
  - principal: breakglass-admin
    owner: secops@example.com
    reason: sealed emergency access
    expires: 2027-06-30
  - arn: "arn:aws:iam::*:user/*/breakglass-secondary"
    owner: secops@example.com
    reason: second emergency user
    expires: 2026-10-01
  - principal: departed-contractor
    owner: it@example.com
    reason: offboarding ticket IT-42
    expires: 2027-01-31
`;

describe('audit --config', () => {
  const config = join(dir, 'credsweep.config.yaml');
  writeFileSync(config, CONFIG);

  it('applies exemptions and per-kind thresholds, warns about expired and stale exemptions', async () => {
    const run = await runCredsweep([
      'audit',
      '--report',
      REPORT,
      '--as-of',
      AS_OF,
      '--format',
      'json',
      '--config',
      config,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    const find = (name: string, credential: string) =>
      report.findings.find(
        (f: { principalName: string; credential: string }) =>
          f.principalName === name && f.credential === credential,
      );

    const admin = find('breakglass-admin', 'password');
    assert.equal(admin.status, 'exempt');
    assert.match(
      admin.reason,
      /^exempt until 2027-06-30 \(owner secops@example\.com: sealed emergency access\)/,
    );
    assert.equal(
      find('breakglass-secondary', 'password').status,
      'unused',
      'expired exemption no longer applies',
    );

    assert.equal(report.thresholdDays, 100);
    assert.deepEqual(report.thresholds, { access_key: 60 });
    assert.equal(find('frank.li', 'password').status, 'in_use', "90 days < the file's 100");
    assert.equal(find('athena-reports', 'access_key_1').status, 'unused', '88 days >= access_key 60');

    assert.equal(report.exemptions.applied, 1);
    assert.deepEqual(
      report.exemptions.expired.map((n: { index: number; matched: number }) => [n.index, n.matched]),
      [[1, 1]],
    );
    assert.deepEqual(
      report.exemptions.stale.map((n: { match: string }) => n.match),
      ['principal departed-contractor'],
    );
    const warnings = run.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.includes('using configuration file'));
    assert.equal(warnings.length, 2, run.stderr);
    assert.match(
      warnings[0]!,
      /^credsweep: warning: .*credsweep\.config\.yaml: exemption 2 .* expired on 2026-10-01/,
    );
    assert.match(
      warnings[1]!,
      /exemption 3 \(principal departed-contractor, owner it@example\.com\) matches nothing \(stale\)/,
    );
  });

  it('finds ./credsweep.config.yaml by itself, and --days on the command line wins over the file', async () => {
    const run = await runCredsweep(
      ['audit', '--report', REPORT, '--as-of', AS_OF, '--format', 'json', '--days', '90'],
      {
        cwd: dir,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.thresholdDays, 90);
    assert.equal(report.exemptions.applied, 1, 'the discovered file was used');
  });

  it('says which configuration file it read (not with --quiet) and the per-kind thresholds it applied', async () => {
    const table = await runCredsweep(['audit', '--report', REPORT, '--as-of', AS_OF, '--config', config]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stderr, /^credsweep: using configuration file .*credsweep\.config\.yaml$/m);
    assert.match(table.stdout, /\(thresholds 100 days, access key 60, as of 2026-11-01\)\n$/);
    const quiet = await runCredsweep([
      'audit',
      '--report',
      REPORT,
      '--as-of',
      AS_OF,
      '--config',
      config,
      '--quiet',
    ]);
    assert.doesNotMatch(quiet.stderr, /configuration file/);
    const found = await runCredsweep(['audit', '--report', REPORT, '--as-of', AS_OF], { cwd: dir });
    assert.match(
      found.stderr,
      /^credsweep: using configuration file credsweep\.config\.yaml$/m,
      'found in the working directory',
    );
    const html = await runCredsweep([
      'audit',
      '--report',
      REPORT,
      '--as-of',
      AS_OF,
      '--config',
      config,
      '--format',
      'html',
    ]);
    assert.match(html.stdout, />threshold 100 d</);
    assert.match(html.stdout, />access key 60 d</, 'the chart marks the per-kind threshold too');
  });

  it('a bad key is one line naming the file, the line and the key path; exit 2', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'days: 30\nexemptions:\n  - principal: x\n    owner: o\n    reason: r\n    expires: 31/12/2027\n',
    );
    const run = await runCredsweep(['audit', '--report', REPORT, '--config', bad]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, `credsweep: ${bad}:6: exemptions.0.expires: expected a date YYYY-MM-DD\n`);
    const unknown = join(dir, 'unknown.json');
    writeFileSync(unknown, '{\n  "days": 30,\n  "treshold": 5\n}\n');
    const run2 = await runCredsweep(['audit', '--report', REPORT, '--config', unknown]);
    assert.equal(run2.code, 2);
    assert.match(
      run2.stderr,
      /^credsweep: .*unknown\.json:3: treshold: unknown key \(known: days, thresholds, /,
    );
    assert.equal(run2.stderr.split('\n').length, 2, 'one line');
  });
});

describe('audit --db, history, diff', () => {
  const db = join(dir, 'history.sqlite');

  it('stores every run; history lists them; diff shows what changed since the previous run', async () => {
    for (const asOf of ['2026-10-01T18:00:00Z', '2026-11-01T18:00:00Z']) {
      // run from the repository root: no configuration file there
      const run = await runCredsweep([
        'audit',
        '--report',
        REPORT,
        '--as-of',
        asOf,
        '--db',
        db,
        '--output',
        join(dir, 'out.txt'),
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /stored as run \d in /);
    }
    const history = await runCredsweep(['history', '--db', db, '--format', 'json']);
    assert.equal(history.code, 0, history.stderr);
    const runs = JSON.parse(history.stdout);
    assert.deepEqual(
      runs.map((r: { id: number }) => r.id),
      [1, 2],
    );
    assert.ok(runs[1].summary.unused > runs[0].summary.unused);
    const table = await runCredsweep(['history', '--db', db]);
    assert.match(
      table.stdout,
      /^RUN {2}RUN AT \(UTC\) +AS OF +THRESHOLD {2}SOURCE +ACCOUNTS {2}UNUSED {2}CREDENTIALS$/m,
    );
    assert.match(
      table.stdout,
      /^ {2}2 {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}\d{4}-\d\d-\d\d +90 days {2}\S.* {2}1 +\d+ +\d+$/m,
    );
    // ACCOUNTS is a number between numbers: right-aligned as they are
    const [header, , latest] = table.stdout.split('\n');
    const end = header!.indexOf('ACCOUNTS') + 'ACCOUNTS'.length;
    assert.equal(latest!.slice(end - 2, end), ' 1', table.stdout);

    const diff = await runCredsweep(['diff', '--db', db, '--format', 'json']);
    assert.equal(diff.code, 0, diff.stderr);
    const d = JSON.parse(diff.stdout);
    assert.equal(d.from, 1);
    assert.equal(d.to, 2);
    const newly = d.newlyUnused.map(
      (c: { principalName: string; credential: string }) => `${c.principalName}/${c.credential}`,
    );
    assert.ok(newly.includes('frank.li/password'), newly.join(', '));
    assert.ok(newly.includes('grace.kim/password'), newly.join(', '));
    assert.deepEqual(d.removed, []);
    assert.equal(d.newlyUnused.length, runs[1].summary.unused - runs[0].summary.unused);

    const text = await runCredsweep(['diff', '1', '2', '--db', db]);
    assert.match(
      text.stdout,
      /^Run 1 \(.*\) → run 2 \(.*\)\nNewly unused \(\d+\):\n {2}ACCOUNT {7}PRINCIPAL .* CHANGE .*\n {2}210987654321 /,
    );
    const same = await runCredsweep(['diff', '2', '2', '--db', db]);
    assert.match(same.stdout, /No changes\.\n$/);
  });

  it('the HTML report charts the unused count over the stored runs and this one', async () => {
    const html = join(dir, 'report.html');
    const run = await runCredsweep([
      'audit',
      '--report',
      REPORT,
      '--as-of',
      AS_OF,
      '--db',
      db,
      '--format',
      'html',
      '--output',
      html,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /stored as run 3 in /);
    assert.match(
      readFileSync(html, 'utf8'),
      /<figure id="chart-trend"><figcaption>Unused credentials over runs/,
    );
  });

  it("audit --db another application's database: exit 2 before the audit, the file and --output untouched", async () => {
    const SQL = await initSqlJs();
    const foreign = join(dir, 'app.db');
    const people = new SQL.Database();
    people.exec('CREATE TABLE people (name TEXT)');
    writeFileSync(foreign, people.export());
    const before = readFileSync(foreign);
    const output = join(dir, 'not-written.json');
    const run = await runCredsweep([
      'audit',
      '--report',
      REPORT,
      '--as-of',
      AS_OF,
      '--format',
      'json',
      '--output',
      output,
      '--db',
      foreign,
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      /^credsweep: .*app\.db: not a credsweep history database \(another application's: 1 table\(s\), no credsweep schema version\) \(give --db a new file or one credsweep audit --db wrote\)\n$/,
    );
    assert.deepEqual(readFileSync(foreign), before);
    assert.ok(!existsSync(output), 'the audit did not run');
  });

  it('diff without a database or with a missing run is a one-line usage/input error', async () => {
    const none = await runCredsweep(['diff'], { cwd: mkdtempSync(join(dir, 'empty-')) });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^credsweep: no history database: give --db FILE/);
    const missing = await runCredsweep(['diff', '1', '9', '--db', db]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^credsweep: .*history\.sqlite: no run 9/);
    const notId = await runCredsweep(['diff', 'latest', '--db', db]);
    assert.equal(notId.code, 2);
    for (const command of ['history', 'diff']) {
      const typo = await runCredsweep([command, '--db', join(dir, 'typo.db')]);
      assert.equal(typo.code, 2, `${command}: a missing database is an input error`);
      assert.match(
        typo.stderr,
        /^credsweep: .*typo\.db: no such history database \(`credsweep audit --db FILE` creates it\)\n$/,
      );
    }
  });
});
