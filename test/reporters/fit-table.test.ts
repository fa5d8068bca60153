/**
 * fitTable: every line within the width, whatever the cells; constants said once; full width without
 * one; a column that identifies the row (a principal, an ARN) never cut: lower-value columns give
 * way first, then it wraps, then it has a line of its own under each row.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Column, fitTable, renderTable } from '../../src/reporters/fit-table.ts';
import { breakValue, displayWidth, shorten, wrapText } from '../../src/reporters/text-width.ts';
import { drawnWhole } from '../helpers/drawn-whole.ts';

const COLUMNS: Column[] = [
  { header: 'STATUS', shorten: 'none' },
  { header: 'ACCOUNT', shorten: 'none', constantLabel: 'account' },
  { header: 'NAME' },
  { header: 'AGE', align: 'right', shorten: 'none' },
  { header: 'NOTES', shorten: 'end', optional: 1 },
];

describe('fitTable', () => {
  it('shortens names in the middle, keeping start and end', () => {
    assert.equal(shorten('arn:aws:iam::111122223333:role/very-long-name', 20), 'arn:aws:ia…long-name');
    assert.equal(shorten('short', 20), 'short');
    assert.equal(displayWidth(shorten('日本語のユーザー名です', 9)), 9);
  });

  it('says a column that is the same in every row once, above the table (terminal only)', () => {
    const rows = [
      ['unused', '210987654321', 'alice', '91d', 'never used'],
      ['in_use', '210987654321', 'bob', '3d', ''],
    ];
    const fitted = fitTable(COLUMNS, rows, { width: 80 });
    assert.deepEqual(fitted.constants, ['account 210987654321']);
    assert.doesNotMatch(fitted.lines.join('\n'), /ACCOUNT|210987654321/);
    const full = fitTable(COLUMNS, rows);
    assert.deepEqual(full.constants, []);
    assert.match(full.lines[0]!, /^STATUS\s+ACCOUNT\s+NAME\s+AGE\s+NOTES$/);
    assert.match(
      full.lines[2]!,
      /^in_use\s+210987654321\s+bob\s+3d$/,
      'numbers right-aligned, no trailing spaces',
    );
  });

  it('no line is ever wider than the width (any cells, any width from 20 to 200)', () => {
    const cell = fc.string({
      unit: fc.constantFrom('a', 'b', ' ', '-', '日', '…', 'é', '\u0301'),
      maxLength: 60,
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(cell, cell, cell, cell, cell), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 20, max: 200 }),
        (rows, width) => {
          const fitted = fitTable(COLUMNS, rows, { width });
          for (const line of [...fitted.constants, ...fitted.lines]) {
            assert.ok(displayWidth(line) <= width, `${displayWidth(line)} > ${width}: ${line}`);
          }
          for (const line of wrapText(rows.flat().join(' '), width)) assert.ok(displayWidth(line) <= width);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it('an emoji made wide by VS16 pads its column as two columns (❤️ was counted as one)', () => {
    const columns: Column[] = [{ header: 'NAME' }, { header: 'AGE', align: 'right', shorten: 'none' }];
    const rows = [
      ['ok \u2764\ufe0f', '1d'],
      ['okay!', '20d'],
    ];
    assert.deepEqual(fitTable(columns, rows).lines, ['NAME   AGE', 'ok \u2764\ufe0f   1d', 'okay!  20d']);
  });

  it('no line is wider than the width, and none splits an emoji, with keycaps, flags and ZWJ sequences', () => {
    const cell = fc.string({
      unit: fc.constantFrom(
        'a',
        ' ',
        '-',
        '日',
        '\u2764\ufe0f', // ❤️
        '\u2614\ufe0e', // ☔︎
        '1\ufe0f\u20e3', // 1️⃣
        '\u{1f1ef}\u{1f1f5}', // 🇯🇵
        '\u{1f469}\u200d\u{1f4bb}', // 👩‍💻
        '\u{1f44d}\u{1f3fd}', // 👍🏽
      ),
      maxLength: 40,
    });
    const columns: Column[] = [...COLUMNS.slice(0, 4), { header: 'BY', identifies: true }];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(cell, cell, cell, cell, cell), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 10, max: 120 }),
        (rows, width) => {
          for (const cols of [COLUMNS, columns]) {
            const fitted = fitTable(cols, rows, { width });
            for (const line of [...fitted.constants, ...fitted.lines]) {
              assert.ok(displayWidth(line) <= width, `${displayWidth(line)} > ${width}: ${line}`);
              assert.ok(drawnWhole(line), JSON.stringify(line));
            }
          }
          for (const line of wrapText(rows.flat().join(' '), width)) {
            assert.ok(displayWidth(line) <= width && drawnWhole(line), JSON.stringify(line));
          }
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it('the values said once above the table wrap to the width, never cut (at 40 the account was lost to …)', () => {
    const columns: Column[] = [
      { header: 'RUN', shorten: 'none' },
      { header: 'AS OF', shorten: 'none', constantLabel: 'as of' },
      { header: 'THRESHOLD', shorten: 'none', constantLabel: 'threshold' },
      { header: 'ACCOUNT', shorten: 'none', constantLabel: 'account' },
    ];
    const rows = ['1', '2'].map((run) => [run, '2026-11-01', '90 days', '210987654321']);
    assert.equal(
      renderTable(columns, rows, 40),
      'as of 2026-11-01 · threshold 90 days ·\naccount 210987654321\nRUN\n1\n2',
    );
    for (const width of [5, 10, 15, 20, 30]) {
      const text = renderTable(columns, rows, width);
      for (const line of text.split('\n'))
        assert.ok(displayWidth(line) <= width, `${line} wider than ${width}`);
      assert.match(
        text.replace(/\s+/g, ''),
        /asof2026-11-01·threshold90days·account210987654321RUN12$/,
        text,
      );
    }
  });

  it('drops an optional column only when shortening is not enough', () => {
    const rows = [
      ['unused', '1', 'a-fairly-long-user-name', '91d', 'never used · not tracked before 2014-10-20'],
    ];
    assert.deepEqual(fitTable(COLUMNS, rows, { width: 60 }).dropped, []);
    const narrow = fitTable(COLUMNS, rows, { width: 30 });
    assert.deepEqual(narrow.dropped, ['NOTES']);
    assert.match(narrow.lines[1]!, /^unused\s+1\s+a-fa…ame\s+91d$/);
  });

  it('no line is ever wider than the width with identifying columns either (wrapped, or under the rows)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'b', '/', ':', '-', '日', 'é'), maxLength: 90 });
    const columns: Column[] = [
      { header: 'STATUS', shorten: 'none' },
      { header: 'PRINCIPAL', identifies: true },
      { header: 'WHEN', shorten: 'none' },
      { header: 'BY', identifies: true, minWidth: 26 },
      { header: 'NOTES', shorten: 'end', optional: 1 },
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom('unused', 'in_use'), cell, fc.constantFrom('2026-10-30'), cell, cell),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        fc.integer({ min: 20, max: 200 }),
        (rows, width) => {
          const fitted = fitTable(columns, rows, { width });
          for (const line of [...fitted.constants, ...fitted.lines]) {
            assert.ok(displayWidth(line) <= width, `${displayWidth(line)} > ${width}: ${line}`);
          }
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });
});

const ACCOUNT = '210987654321';
const PRINCIPAL_COLUMNS: Column[] = [
  { header: 'STATUS', shorten: 'none' },
  { header: 'PRINCIPAL', identifies: true },
  { header: 'CREDENTIAL', minWidth: 12 },
  { header: 'AGE', align: 'right', shorten: 'none' },
  { header: 'NOTES', shorten: 'end', minWidth: 12, optional: 1 },
];

describe('fitTable: a column that identifies the row', () => {
  const rows = [
    ['unused', 'breakglass-secondary', 'password', '730d', 'never used · not tracked before 2014-10-20'],
    ['unused', 'breakglass-admin', 'password', '180d', 'never used'],
    ['in_use', 'contractor+qa@example.com', 'access key 1', '60d', ''],
  ];

  it('keeps its values whole at 80 columns: a lower-value optional column is dropped first, and named', () => {
    const wide = fitTable(PRINCIPAL_COLUMNS, rows, { width: 200 });
    assert.deepEqual(wide.dropped, []);
    assert.match(wide.lines[1]!, /^unused +breakglass-secondary +password +730d +never used · not tracked/);
    const narrow = fitTable(PRINCIPAL_COLUMNS, rows, { width: 55 });
    assert.deepEqual(narrow.dropped, ['NOTES']);
    assert.deepEqual(narrow.lines, [
      'STATUS  PRINCIPAL                  CREDENTIAL    AGE',
      'unused  breakglass-secondary       password      730d',
      'unused  breakglass-admin           password      180d',
      'in_use  contractor+qa@example.com  access key 1   60d',
    ]);
  });

  it('wraps a value too long for the width after a separator, the rest indented under it, never cut with …', () => {
    const long = 'a-service-account-with-a-rather-long-name-for-the-nightly-warehouse-export';
    const fitted = fitTable(PRINCIPAL_COLUMNS, [...rows, ['unused', long, 'access key 1', '300d', '']], {
      width: 60,
    });
    const text = fitted.lines.join('\n');
    assert.doesNotMatch(text.split('\n').slice(1).join('\n'), /…/);
    const at = fitted.lines.findIndex((l) => l.includes('a-service-account'));
    const pieces = fitted.lines
      .slice(at)
      .filter((l, n) => n === 0 || l.startsWith(' '))
      .map((l) => l.slice(8).trim().split('  ')[0]!);
    assert.equal(pieces.join(''), long, text);
    assert.ok(pieces.length > 1 && pieces.slice(0, -1).every((p) => p.endsWith('-')), text);
    assert.match(fitted.lines[at + 1]!, /^ {10}\S/, 'the rest hangs two columns in');
  });

  it('has a line of its own under each row when its column would be narrower than its minWidth', () => {
    const arns = [
      [
        'AKIAZDEMOBACKUP00001',
        `arn:aws:iam::${ACCOUNT}:user/backup-agent`,
        '2026-10-30 04:15:04',
        '1: 203.0.113.10',
      ],
      [
        'AKIAZDEMOUPLOADER001',
        `arn:aws:iam::${ACCOUNT}:user/s3-uploader`,
        '2026-10-28 19:09:19',
        '14: 103.251.167.20, 185.220.101.4',
      ],
    ];
    const columns: Column[] = [
      { header: 'ACCESS KEY', shorten: 'none' },
      { header: 'PRINCIPAL', identifies: true, minWidth: 26 },
      { header: 'LAST SEEN', shorten: 'none' },
      { header: 'SOURCE IPS', shorten: 'end', minWidth: 20 },
    ];
    const narrow = fitTable(columns, arns, { width: 80 });
    assert.deepEqual(narrow.underRows, ['PRINCIPAL']);
    assert.deepEqual(narrow.lines, [
      'ACCESS KEY            LAST SEEN            SOURCE IPS',
      '  PRINCIPAL',
      'AKIAZDEMOBACKUP00001  2026-10-30 04:15:04  1: 203.0.113.10',
      `  arn:aws:iam::${ACCOUNT}:user/backup-agent`,
      'AKIAZDEMOUPLOADER001  2026-10-28 19:09:19  14: 103.251.167.20, 185.220.101.4',
      `  arn:aws:iam::${ACCOUNT}:user/s3-uploader`,
    ]);
    const wide = fitTable(columns, arns, { width: 120 });
    assert.deepEqual(wide.underRows, []);
    assert.match(
      wide.lines[1]!,
      new RegExp(`^AKIAZDEMOBACKUP00001  arn:aws:iam::${ACCOUNT}:user/backup-agent +2026`),
    );
    assert.equal(fitTable(columns, arns).lines.length, 3, 'without a width: one line a row');
  });

  it('narrower than it can be laid out: optional columns dropped and named, whole ones not cut to six, each line cut at its end', () => {
    // the plan's table: at 70 columns its whole columns alone (action, account, key id) need 77
    const whole = (header: string): Column => ({ header, shorten: 'none' });
    const columns: Column[] = [
      whole('ACTION'),
      { header: 'ACCOUNT', shorten: 'none', constantLabel: 'account' },
      { header: 'PRINCIPAL', identifies: true },
      { header: 'CREDENTIAL', minWidth: 12 },
      whole('KEY ID'),
      whole('UNDO'),
      { header: 'REASON', shorten: 'end', minWidth: 12, optional: 1 },
    ];
    const steps = [
      ['deactivate-access-key', ACCOUNT, 'alice', 'access key 1', 'AKIAZDEMOALICE000001', 'yes', 'unused'],
      ['deactivate-access-key', '111122223333', 'carol', 'access key 1', 'AKIAZDEMOCAROL000001', 'yes', 'x'],
    ];
    const fitted = fitTable(columns, steps, { width: 70 });
    const text = fitted.lines.join('\n');
    assert.deepEqual(fitted.dropped, ['REASON'], text);
    assert.deepEqual(fitted.underRows, ['PRINCIPAL'], text);
    for (const line of fitted.lines) assert.ok(displayWidth(line) <= 70, `${line} wider than 70`);
    assert.match(
      fitted.lines[2]!,
      /^deactivate-access-key {2}210987654321 {2}access key 1 {2}AKIAZDEMOALICE\w*…$/,
      text,
    );
    assert.match(
      fitted.lines[4]!,
      /^deactivate-access-key {2}111122223333 {2}access key 1 {2}AKIAZDEMOCAROL\w*…$/,
      text,
    );
    assert.deepEqual([fitted.lines[3], fitted.lines[5]], ['  alice', '  carol']);
  });

  it('breakValue: the whole value in pieces within the width, after the ARN’s own separators first', () => {
    assert.deepEqual(breakValue(`arn:aws:iam::${ACCOUNT}:user/alice.nguyen`, 38), [
      `arn:aws:iam::${ACCOUNT}:user/`,
      'alice.nguyen',
    ]);
    assert.deepEqual(breakValue('short', 10), ['short']);
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '/', ':', '.', '日', 'é'), maxLength: 120 }),
        fc.integer({ min: 2, max: 60 }),
        (value, width) => {
          const pieces = breakValue(value, width, '  ');
          for (const p of pieces) assert.ok(displayWidth(p) <= width, `${p} wider than ${width}`);
          assert.equal(pieces.map((p, n) => (n === 0 ? p : p.replace(/^ {2}/, ''))).join(''), value);
        },
      ),
      { seed: 3, numRuns: 300 },
    );
  });
});
