/** fitTable: every line within the width, whatever the cells; constants said once; full width without one. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Column, fitTable } from '../../src/reporters/fit-table.ts';
import { displayWidth, shorten, wrapText } from '../../src/reporters/text-width.ts';

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

  it('drops an optional column only when shortening is not enough', () => {
    const rows = [
      ['unused', '1', 'a-fairly-long-user-name', '91d', 'never used · not tracked before 2014-10-20'],
    ];
    assert.deepEqual(fitTable(COLUMNS, rows, { width: 60 }).dropped, []);
    const narrow = fitTable(COLUMNS, rows, { width: 30 });
    assert.deepEqual(narrow.dropped, ['NOTES']);
    assert.match(narrow.lines[1]!, /^unused\s+1\s+a-fa…ame\s+91d$/);
  });
});
