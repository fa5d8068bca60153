/**
 * The hostile-input corpus (test/fixtures/hostile/) through the real binary: every file gives either
 * a correct result or exit 2 with one line `credsweep: <file>:<line>: <what>`, never a stack trace;
 * CSV output neutralises formula cells; nothing reaches --output when the command fails. The 10 MB
 * files are generated into a temp dir at test time to keep the repository small.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { REPORTERS } from '../../src/reporters/index.ts';
import { REPO_ROOT, runCredsweep } from '../helpers/cli.ts';

const HOSTILE = 'test/fixtures/hostile';
const AS_OF = ['--as-of', '2026-11-01'];
const FORMULA_START = /^[=+\-@\t\r]/;

function assertOneLineError(stderr: string, file: string, line?: number): void {
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${stderr}`);
  const where = line === undefined ? `${file}:\\d+` : `${file}:${line}`;
  assert.match(
    lines[0]!,
    new RegExp(`^credsweep: ${where.replaceAll('/', '\\/').replaceAll('.', '\\.')}: \\S`),
  );
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsweep-hostile-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs an audit that must fail, with --output pointing at a file holding `previous` content. */
async function auditMustFailWithoutOutput(report: string, format = 'json') {
  const output = join(dir, `out-${Math.random().toString(36).slice(2)}.${format}`);
  await writeFile(output, 'previous');
  const run = await runCredsweep([
    'audit',
    '--report',
    report,
    '--format',
    format,
    '--output',
    output,
    ...AS_OF,
  ]);
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stdout, '');
  assert.equal(await readFile(output, 'utf8'), 'previous', '--output is left as it was');
  const leftovers = (await readdir(dir)).filter((n) => n.startsWith('.credsweep-'));
  assert.deepEqual(leftovers, [], 'no temporary output left behind');
  return run;
}

describe('hostile credential reports through the CLI', () => {
  it('CSV output neutralises every formula cell (names are legal IAM names starting with = + - @)', async () => {
    const run = await runCredsweep([
      'audit',
      '--report',
      `${HOSTILE}/formula-injection.csv`,
      '--format',
      'csv',
      ...AS_OF,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const rows: string[][] = parse(run.stdout);
    assert.equal(rows.length, 1 + 6);
    for (const row of rows) {
      for (const cell of row) {
        if (/^-?\d+(\.\d+)?$/.test(cell)) continue; // numbers are written as numbers
        assert.doesNotMatch(cell, FORMULA_START, `formula cell ${JSON.stringify(cell)}`);
      }
    }
    const names = rows.slice(1).map((r) => r[2]);
    assert.deepEqual(names, [
      `'=HYPERLINK("http://x")`,
      "'+SUM(1+1)",
      "'-2+3",
      "'@SUM(1)",
      "'=cmd|' /C calc'!A0",
      'ok-user',
    ]);
    // A value in a free-text column (the last-used region) is neutralised as well.
    assert.equal(rows[6]![rows[0]!.indexOf('lastUsedRegion')], "'=1+1");
  });

  it('JSON output keeps hostile names exactly, as data', async () => {
    const run = await runCredsweep([
      'audit',
      '--report',
      `${HOSTILE}/html-injection.csv`,
      '--format',
      'json',
      ...AS_OF,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as {
      findings: Array<{ principalName: string; lastUsedRegion?: string }>;
    };
    assert.deepEqual(
      report.findings.map((f) => f.principalName),
      [
        '<script>alert(1)</script>',
        '"><img src=x onerror=alert(1)>',
        '&lt;b&gt;',
        '</td></tr><tr><td>',
        'tagged',
      ],
    );
    assert.equal(report.findings[4]!.lastUsedRegion, '<svg onload=alert(1)>');
  });

  for (const format of Object.keys(REPORTERS)) {
    it(`--format ${format}: HTML/formula-injection names give a correct, escaped result`, async () => {
      for (const file of ['html-injection.csv', 'formula-injection.csv']) {
        const run = await runCredsweep([
          'audit',
          '--report',
          `${HOSTILE}/${file}`,
          '--format',
          format,
          ...AS_OF,
        ]);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stderr, '');
        if (format === 'html' || format === 'md') {
          // Markup from the input never appears as markup in the report (Markdown renders HTML too).
          for (const raw of [
            '<script>alert(1)</script>',
            '<img src=x onerror',
            '<svg onload',
            '</style><script>',
          ]) {
            assert.ok(!run.stdout.includes(raw), `unescaped ${raw} in the HTML report`);
          }
        }
        if (format === 'csv') {
          for (const row of parse(run.stdout) as string[][]) {
            for (const cell of row) if (!/^-?\d+$/.test(cell)) assert.doesNotMatch(cell, FORMULA_START);
          }
        }
      }
    });
  }

  const broken: Array<[file: string, line: number, what: RegExp]> = [
    ['invalid-utf8.csv', 3, /expected 22 fields/],
    ['binary-garbage.bin', 1, /not valid CSV|not a credential report/],
    ['nul-bytes.csv', 2, /expected 22 fields/],
    ['unclosed-quote.csv', 3, /quoted field is never closed/],
  ];
  for (const [file, line, what] of broken) {
    it(`${file}: exit 2, one line at ${file}:${line}, --output untouched`, async () => {
      const path = `${HOSTILE}/${file}`;
      for (const format of ['json', 'csv', 'table']) {
        const run = await auditMustFailWithoutOutput(path, format);
        assertOneLineError(run.stderr, path, line);
        assert.match(run.stderr, what);
      }
    });
  }

  it('the same broken bytes on standard input fail the same way, located at -:line', async () => {
    const bytes = await readFile(join(REPO_ROOT, HOSTILE, 'binary-garbage.bin'));
    const run = await runCredsweep(['audit', '--report', '-', ...AS_OF], { stdin: bytes });
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assertOneLineError(run.stderr, '-', 1);
  });

  it('invalid UTF-8 inside a name decodes to U+FFFD and is reported visibly, not silently renamed', async () => {
    const run = await runCredsweep([
      'audit',
      '--report',
      `${HOSTILE}/invalid-utf8-name.csv`,
      '--format',
      'json',
      ...AS_OF,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { findings: Array<{ principalName: string }> };
    assert.equal(report.findings.length, 1);
    assert.equal(report.findings[0]!.principalName, 'ok\uFFFD(name');
  });

  it('a UTF-16 report with a BOM is decoded and audited', async () => {
    const run = await runCredsweep([
      'audit',
      '--report',
      `${HOSTILE}/utf16-bom.csv`,
      '--format',
      'json',
      ...AS_OF,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { findings: Array<{ principalName: string; status: string }> };
    assert.deepEqual(
      report.findings.map((f) => [f.principalName, f.status]),
      [['utf16-user', 'unused']],
    );
  });

  it('a 10 MB single line (no newline at all) fails fast with one line, nothing written', async () => {
    const path = join(dir, 'ten-mb-one-line.csv');
    await writeFile(path, 'x'.repeat(10 * 1024 * 1024));
    const run = await auditMustFailWithoutOutput(path);
    assertOneLineError(run.stderr, path);
  });

  it('a valid header then a 10 MB line fails with the line number, nothing written', async () => {
    const header = (await readFile(join(REPO_ROOT, HOSTILE, 'formula-injection.csv'), 'utf8')).split('\n')[0];
    const path = join(dir, 'ten-mb-row.csv');
    await writeFile(path, `${header}\nalice,${'A'.repeat(10 * 1024 * 1024)}\n`);
    const run = await auditMustFailWithoutOutput(path, 'csv');
    assertOneLineError(run.stderr, path, 2);
    assert.match(run.stderr, /larger than 1 MiB/);
  });

  it('a 10 MB quoted field spanning many lines fails at the line where it starts', async () => {
    const header = (await readFile(join(REPO_ROOT, HOSTILE, 'formula-injection.csv'), 'utf8')).split('\n')[0];
    const path = join(dir, 'ten-mb-quoted.csv');
    await writeFile(path, `${header}\n"${'B\n'.repeat(5 * 1024 * 1024)}`);
    const run = await auditMustFailWithoutOutput(path);
    assertOneLineError(run.stderr, path);
  });
});
