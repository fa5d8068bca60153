/** `credsweep trail` as a user runs it: the built CLI, real files, real exit codes. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TrailSummary } from '../../src/model/trail-summary.ts';
import { runCredsweep } from '../helpers/cli.ts';
import { FIXTURES, fixtureFiles, MALFORMED } from '../sources/cloudtrail/fixtures.ts';

const DEMO = 'examples/demo/cloudtrail';

describe('credsweep trail', () => {
  it('scans every real fixture: JSON summary, the malformed file reported on stderr, exit 3', async () => {
    const run = await runCredsweep(['trail', FIXTURES, '--format', 'json']);
    assert.equal(run.code, 3);
    assert.equal(
      run.stderr,
      `credsweep: ${join(FIXTURES, MALFORMED)}: invalid JSON at byte 3327: expected ',' or a closing bracket\n`,
    );
    const summary = JSON.parse(run.stdout) as TrailSummary;
    assert.equal(summary.schemaVersion, 1);
    assert.deepEqual(Object.keys(summary), [
      'schemaVersion',
      'files',
      'records',
      'accessKeys',
      'roles',
      'consoleLogins',
    ]);
    assert.equal(summary.files.scanned, fixtureFiles().length - 1);
    assert.deepEqual(summary.files.bad, [
      {
        path: join(FIXTURES, MALFORMED),
        error: "invalid JSON at byte 3327: expected ',' or a closing bracket",
      },
    ]);
    for (const k of summary.accessKeys) {
      assert.match(k.accessKeyId, /^AKIA/);
      assert.match(k.firstSeen, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.ok(k.sourceIps.top.length <= 5 && k.sourceIps.top.length <= k.sourceIps.count);
      assert.deepEqual(k.services, [...k.services].sort());
    }
  });

  it('--include-temporary adds the ASIA keys', async () => {
    const longTerm = JSON.parse(
      (await runCredsweep(['trail', FIXTURES, '--format', 'json'])).stdout,
    ) as TrailSummary;
    const all = JSON.parse(
      (await runCredsweep(['trail', FIXTURES, '--format', 'json', '--include-temporary'])).stdout,
    ) as TrailSummary;
    assert.ok(all.accessKeys.some((k) => k.accessKeyId.startsWith('ASIA')));
    assert.equal(
      all.accessKeys.filter((k) => k.accessKeyId.startsWith('AKIA')).length,
      longTerm.accessKeys.length,
    );
  });

  it('prints the table: keys with their source IPs, roles, sign-ins, files', async () => {
    const run = await runCredsweep(['trail', DEMO]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /^Access keys \(4\)\nACCESS KEY +PRINCIPAL +FIRST SEEN +LAST SEEN +EVENTS/);
    assert.match(
      run.stdout,
      /AKIAZDEMOUPLOADER001 .* 14: 103\.251\.167\.20, 185\.220\.101\.4, 185\.220\.101\.9, 192\.0\.2\.14, 192\.0\.2\.201, …/,
    );
    assert.match(run.stdout, /AKIAZDEMOTERRAFORM01 .* 2: 198\.51\.100\.40, 198\.51\.100\.41\n/);
    assert.match(
      run.stdout,
      /Roles assumed \(1\)\nROLE .*\narn:aws:iam::210987654321:role\/deploy +2026-10-31 06:00:05 +arn:aws:iam::210987654321:user\/ci-deploy +198\.51\.100\.40 +1/,
    );
    assert.match(
      run.stdout,
      /Console sign-ins \(1\)\n.*\narn:aws:iam::210987654321:user\/alice\.nguyen +2026-10-31 09:00:12 +1 +0/,
    );
    assert.match(run.stdout, /\n26 records in 3 files\n$/);
  });

  it('counts in words: one file, one bad file (not "1 files", "1 bad files")', async () => {
    const one = await runCredsweep([
      'trail',
      'test/fixtures/cloudtrail/DataDog__stratus-red-team/aws.execution.ssm-start-session.json',
    ]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /\n29 records in 1 file\n$/);
    const bad = await runCredsweep([
      'trail',
      'test/fixtures/cloudtrail/zmallen__cloudtrail2sightings/aws.execution.ec2-user-data.json',
    ]);
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(bad.stdout, /\n0 records in 0 files; 1 bad file skipped:\n/);
  });

  it('--since/--until narrow the window (since inclusive, until exclusive)', async () => {
    const run = await runCredsweep([
      'trail',
      DEMO,
      '--format',
      'json',
      '--since',
      '2026-10-30',
      '--until',
      '2026-10-31',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const s = JSON.parse(run.stdout) as TrailSummary;
    assert.equal(s.records, 4);
    assert.deepEqual(
      s.accessKeys.map((k) => k.accessKeyId),
      ['AKIAZDEMOBACKUP00001'],
    );
  });

  it('writes --output only on success', async () => {
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'credsweep-trail-out-'));
    try {
      const run = await runCredsweep([
        'trail',
        DEMO,
        '--format',
        'json',
        '--output',
        join(dir, 'trail.json'),
      ]);
      assert.equal(run.code, 0);
      assert.equal(run.stdout, '');
      assert.equal((JSON.parse(await readFile(join(dir, 'trail.json'), 'utf8')) as TrailSummary).records, 26);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['no path', ['trail'], /^credsweep: nothing to scan: give a PATH/],
    ['a missing path', ['trail', 'no/such/dir'], /^credsweep: no\/such\/dir: no such file or directory$/],
    [
      '--since not a date',
      ['trail', DEMO, '--since', 'yesterday'],
      /^credsweep: option '--since <date>' argument 'yesterday' is invalid/,
    ],
    [
      '--since after --until',
      ['trail', DEMO, '--since', '2026-10-02', '--until', '2026-10-01'],
      /^credsweep: --since must be earlier than --until$/,
    ],
    [
      'an unknown format',
      ['trail', DEMO, '--format', 'xml'],
      /^credsweep: option '--format <format>' argument 'xml' is invalid/,
    ],
    [
      'a bad s3 URL',
      ['trail', 's3://Not_A_Bucket/x'],
      /^credsweep: 's3:\/\/Not_A_Bucket\/x' is not an s3:\/\/bucket\/prefix URL$/,
    ],
  ];
  for (const [name, args, message] of usage) {
    it(`${name}: exit 2, one line`, async () => {
      const run = await runCredsweep(args);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr.split('\n').filter(Boolean).length, 1, run.stderr);
      assert.match(run.stderr.trimEnd(), message);
    });
  }
});
