/** `credsweep audit --report`, run as a user runs it: the built binary in a real process. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'csv-parse/sync';
import { auditReportSchema } from '../../src/model/finding.ts';
import { auditReportJsonSchema } from '../../src/model/json-schemas.ts';
import { CLI, REPO_ROOT, runCredsweep } from '../helpers/cli.ts';

const DEMO = 'examples/demo/credential-report.csv';
const AS_OF = ['--as-of', '2026-11-01T18:00:00Z'];
const SHIPPED_SCHEMA = JSON.parse(readFileSync(join(REPO_ROOT, 'schemas/audit-report.schema.json'), 'utf8'));
const HEADER = readFileSync(join(REPO_ROOT, DEMO), 'utf8').split('\n')[0]!;

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'credsweep-cli-'));
}

function assertOneLineError(stderr: string, pattern: RegExp) {
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  assert.match(lines[0]!, /^credsweep: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

describe('credsweep audit --report', () => {
  it('--help works after the build', async () => {
    const run = await runCredsweep(['--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /audit/);
    const sub = await runCredsweep(['audit', '--help']);
    assert.match(sub.stdout, /--report <file>/);
  });

  it('prints the demo as a table, unused first, with a summary line', async () => {
    const run = await runCredsweep(['audit', '--report', DEMO, ...AS_OF]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^STATUS\s+SEVERITY\s+ACCOUNT\s+PRINCIPAL\s+CREDENTIAL\s+AGE/);
    assert.match(lines[1]!, /^unused /);
    assert.match(lines.at(-1)!, /^\d+ credentials: \d+ unused, .* \(threshold 90 days, as of 2026-11-01\)$/);
    assert.doesNotMatch(run.stdout, /\u001b\[/, 'no colour when not a terminal');
  });

  it('colours the table when forced', async () => {
    const run = await runCredsweep(['audit', '--report', DEMO, ...AS_OF], {
      env: { NO_COLOR: '', FORCE_COLOR: '1' },
    });
    assert.match(run.stdout, /\u001b\[/);
  });

  it('reads standard input with --report -', async () => {
    const run = await runCredsweep(['audit', '--report', '-', ...AS_OF, '--format', 'json'], {
      stdin: readFileSync(join(REPO_ROOT, DEMO)),
    });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(JSON.parse(run.stdout).findings.length > 40);
  });

  it('writes JSON that validates against the shipped JSON Schema and the zod contract', async () => {
    const run = await runCredsweep(['audit', '--report', DEMO, ...AS_OF, '--format', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const raw: unknown = JSON.parse(run.stdout);
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(SHIPPED_SCHEMA);
    assert.ok(validate(raw), JSON.stringify(validate.errors));
    const report = auditReportSchema.parse(raw);
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.asOf, '2026-11-01T18:00:00Z');
    assert.equal(report.thresholdDays, 90);
    assert.deepEqual(report.accounts, [{ accountId: '210987654321', status: 'ok' }]);
    const total = Object.values(report.summary as Record<string, number>).reduce((a, b) => a + b, 0);
    assert.equal(total, report.findings.length);
    const kevin = report.findings.find(
      (f: { principalName: string; credential: string }) =>
        f.principalName === 'kevin.obrien' && f.credential === 'access_key_1',
    );
    assert.equal(kevin?.reason, 'access key 1 last used 205 days ago (threshold 90)');
  });

  it('records an --exempt-tag given on the command line in the JSON, as it records the threshold (and validates)', async () => {
    const run = await runCredsweep([
      'audit',
      '--report',
      DEMO,
      ...AS_OF,
      '--format',
      'json',
      '--exempt-tag',
      'team=frozen',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const raw = JSON.parse(run.stdout) as { exemptTag?: unknown };
    assert.deepEqual(raw.exemptTag, { tagKey: 'team', tagValue: 'frozen' });
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(SHIPPED_SCHEMA);
    assert.ok(validate(raw), JSON.stringify(validate.errors));
    assert.deepEqual(auditReportSchema.parse(raw).exemptTag, { tagKey: 'team', tagValue: 'frozen' });
    // without the flag, the default tag is not written: reports stay as they were
    const plain = await runCredsweep(['audit', '--report', DEMO, ...AS_OF, '--format', 'json']);
    assert.equal('exemptTag' in JSON.parse(plain.stdout), false);
  });

  it('ships a JSON Schema generated from the zod contract (run `npm run schemas` after changing it)', () => {
    assert.deepEqual(SHIPPED_SCHEMA, JSON.parse(JSON.stringify(auditReportJsonSchema())));
  });

  it('writes CSV with one row per finding and formula cells neutralised', async () => {
    const run = await runCredsweep(['audit', '--report', DEMO, ...AS_OF, '--format', 'csv']);
    assert.equal(run.code, 0, run.stderr);
    const rows = parse(run.stdout, { columns: true }) as Array<Record<string, string>>;
    const json = JSON.parse(
      (await runCredsweep(['audit', '--report', DEMO, ...AS_OF, '--format', 'json'])).stdout,
    );
    assert.equal(rows.length, json.findings.length);
    const names = rows.map((r) => r.principalName);
    assert.ok(names.includes("'=1+2@evil.example"), 'a leading = is neutralised');
    assert.ok(names.includes("'-intern-2024"), 'a leading - is neutralised');
    assert.ok(names.includes('ops=billing,eu'), 'commas survive quoting');
    assert.ok(
      rows.some((r) => r.ageDays === '-0' || /^-?\d+$/.test(r.ageDays!)),
      'numbers stay numbers',
    );
    for (const r of rows) for (const v of Object.values(r)) assert.doesNotMatch(v, /^[=+@\t\r]/);
  });

  describe('--fail-on unused', () => {
    it('exits 1 when something is unused', async () => {
      const run = await runCredsweep([
        'audit',
        '--report',
        DEMO,
        ...AS_OF,
        '--fail-on',
        'unused',
        '--format',
        'json',
      ]);
      assert.equal(run.code, 1);
      assert.ok(JSON.parse(run.stdout).summary.unused > 0, 'the report is still written');
    });
    it('exits 0 when nothing is unused', async () => {
      const run = await runCredsweep([
        'audit',
        '--report',
        DEMO,
        '--as-of',
        '2000-01-01',
        '--fail-on',
        'unused',
      ]);
      assert.equal(run.code, 0, run.stderr);
    });
    it('exits 0 without the flag', async () => {
      assert.equal((await runCredsweep(['audit', '--report', DEMO, ...AS_OF])).code, 0);
    });
  });

  describe('usage errors exit 2 with one line', () => {
    const cases: Array<[string[], RegExp]> = [
      [['audit', '--report', DEMO, '--days', '-1'], /--days/],
      [['audit', '--report', DEMO, '--days', 'abc'], /whole number of days/],
      [['audit', '--report', DEMO, '--days', '36501'], /0 to 36500/],
      [['audit', '--report', DEMO, '--days', '1.5'], /whole number/],
      [['audit', '--report', DEMO, '--as-of', 'tomorrow'], /YYYY-MM-DD/],
      [['audit', '--report', DEMO, '--format', 'xml'], /one of/],
      [['audit', '--report', DEMO, '--fail-on', 'everything'], /expected statuses/],
      [['audit', '--bogus'], /unknown option '--bogus'/],
      [['audit', '--report', 'no/such/file.csv'], /no\/such\/file\.csv: no such file/],
      [['frobnicate'], /unknown command/],
    ];
    for (const [args, pattern] of cases) {
      it(args.join(' '), async () => {
        const run = await runCredsweep(args);
        assert.equal(run.code, 2, run.stderr);
        assertOneLineError(run.stderr, pattern);
      });
    }
    it('--days accepts the bounds 0 and 36500', async () => {
      for (const days of ['0', '36500']) {
        assert.equal((await runCredsweep(['audit', '--report', DEMO, '--days', days])).code, 0);
      }
    });
  });

  describe('bad input: exit 2, `credsweep: <file>:<line>: <what>`, nothing written to --output', () => {
    const row = readFileSync(join(REPO_ROOT, DEMO), 'utf8').split('\n')[2]!;
    const cases: Array<[string, string | Buffer, RegExp]> = [
      ['empty.csv', '', /empty\.csv:1: empty file/],
      [
        'missing-column.csv',
        `${HEADER.replace('user_creation_time,', '')}\n`,
        /missing-column\.csv:1: .*missing column user_creation_time/,
      ],
      ['field-count.csv', `${HEADER}\n${row}\n${row},x\n`, /field-count\.csv:3: expected 22 fields/],
      [
        'bad-date.csv',
        `${HEADER}\n${row.replace(/2026-10-31T09:00:00\+00:00/, '31/10/2026')}\n`,
        /bad-date\.csv:2: column password_last_used: not an ISO-8601 date-time: "31\/10\/2026"/,
      ],
      [
        'bad-boolean.csv',
        `${HEADER}\n${row.replace(',true,true,', ',true,yes,')}\n`,
        /bad-boolean\.csv:2: column access_key_1_active: expected true or false, found "yes"/,
      ],
      [
        'garbage.bin',
        Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
        /garbage\.bin(:\d+)?: /,
      ],
    ];
    for (const [name, content, pattern] of cases) {
      it(name, async () => {
        const dir = scratch();
        const input = join(dir, name);
        const output = join(dir, 'findings.json');
        writeFileSync(input, content);
        writeFileSync(output, 'previous run');
        const run = await runCredsweep(['audit', '--report', input, '--format', 'json', '--output', output]);
        assert.equal(run.code, 2, run.stderr);
        assertOneLineError(run.stderr, pattern);
        assert.equal(run.stdout, '');
        assert.equal(readFileSync(output, 'utf8'), 'previous run', '--output untouched');
        assert.deepEqual(readdirSync(dir).sort(), [name, 'findings.json'].sort(), 'no temporary files left');
      });
    }
    it('a header-only report is valid and has no findings', async () => {
      const dir = scratch();
      writeFileSync(join(dir, 'h.csv'), `${HEADER}\n`);
      const run = await runCredsweep(['audit', '--report', join(dir, 'h.csv'), '--format', 'json']);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout).findings, []);
    });
    it('writes --output only on success', async () => {
      const dir = scratch();
      const output = join(dir, 'out.json');
      const run = await runCredsweep([
        'audit',
        '--report',
        DEMO,
        ...AS_OF,
        '--format',
        'json',
        '--output',
        output,
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, '');
      assert.ok(JSON.parse(readFileSync(output, 'utf8')).findings.length > 0);
      assert.deepEqual(readdirSync(dir), ['out.json']);
    });
  });

  describe('when the reader goes away (`credsweep audit … | head`)', () => {
    /** A report of 200 accounts (the JSON is well past a pipe's 64 KiB), in a fresh folder. */
    const manyAccounts = () => {
      const dir = scratch();
      const file = join(dir, 'many.csv');
      const lines = readFileSync(join(REPO_ROOT, DEMO), 'utf8').trimEnd().split('\n').slice(1);
      const blocks = Array.from({ length: 200 }, (_, i) =>
        lines.map((l) => l.replaceAll('210987654321', String(100000000000 + i))).join('\n'),
      );
      writeFileSync(file, `${HEADER}\n${blocks.join('\n')}\n`);
      return { dir, file };
    };
    /** Runs credsweep with its standard output closed after the first chunk, as `| head -c 1` does. */
    const readOnlyTheStart = async (args: string[]) => {
      const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d) => {
        stderr += d;
      });
      child.stdout.once('data', () => child.stdout.destroy());
      const [code] = await once(child, 'close');
      return { code, stderr };
    };

    it('stops quietly, exit 0', async () => {
      const { file } = manyAccounts();
      assert.deepEqual(await readOnlyTheStart(['audit', '--report', file, '--format', 'json']), {
        code: 0,
        stderr: '',
      });
      // --output /dev/stdout, a pipe written to as a FIFO: the same quiet end (a real pipe here;
      // Node gives a child's standard output as a socket, which credsweep does not write to)
      const piped = spawnSync(
        'bash',
        [
          '-c',
          `set -o pipefail; "${process.execPath}" "${CLI}" audit --report "${file}" --format json --output /dev/stdout | head -c 1 >/dev/null`,
        ],
        { encoding: 'utf8' },
      );
      assert.deepEqual({ code: piped.status, stderr: piped.stderr }, { code: 0, stderr: '' });
    });

    it('keeps the exit code of --fail-on (a CI gate behind `| head` still fails)', async () => {
      const { file } = manyAccounts();
      const run = await readOnlyTheStart([
        'audit',
        '--report',
        file,
        '--format',
        'json',
        '--fail-on',
        'unused',
      ]);
      assert.deepEqual(run, { code: 1, stderr: '' });
    });

    it('still stores the run with --db', async () => {
      const { dir, file } = manyAccounts();
      const db = join(dir, 'history.sqlite');
      const run = await readOnlyTheStart(['audit', '--report', file, '--format', 'json', '--db', db]);
      assert.deepEqual(run, { code: 0, stderr: `credsweep: stored as run 1 in ${db}\n` });
      assert.ok(statSync(db).size > 0);
    });
  });

  describe('a 100 MB file', () => {
    it('of garbage fails fast with exit 2', async () => {
      const dir = scratch();
      const file = join(dir, 'big.bin');
      const out = createWriteStream(file);
      const chunk = Buffer.alloc(1 << 20, 0xfe);
      for (let i = 0; i < 100; i++) if (!out.write(chunk)) await once(out, 'drain');
      out.end();
      await once(out, 'finish');
      const run = await runCredsweep(['audit', '--report', file]);
      assert.equal(run.code, 2);
      assertOneLineError(run.stderr, /big\.bin(:\d+)?: /);
    });
    it('of valid rows (an organisation-wide export) is audited', async () => {
      const dir = scratch();
      const file = join(dir, 'org.csv');
      const lines = readFileSync(join(REPO_ROOT, DEMO), 'utf8').trimEnd().split('\n').slice(1);
      const out = createWriteStream(file);
      out.write(`${HEADER}\n`);
      let bytes = 0;
      let n = 0;
      for (let account = 100000000000; bytes < 100e6; account++) {
        const block = `${lines.map((l) => l.replaceAll('210987654321', String(account))).join('\n')}\n`;
        bytes += block.length;
        n += lines.length;
        if (!out.write(block)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');
      const run = await runCredsweep(
        ['audit', '--report', file, ...AS_OF, '--format', 'csv', '--output', join(dir, 'o.csv')],
        {
          timeoutMs: 300_000,
        },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.ok(existsSync(join(dir, 'o.csv')));
      assert.ok(n > 300_000);
    });
  });
});
