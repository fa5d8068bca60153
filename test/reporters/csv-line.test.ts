/**
 * csvLine, made cheaper per finding (the last seven cells joined to the reason as one piece, the line
 * end inside the joined line, one test per cell on the careful path), must write the same bytes as
 * the line it replaced for any finding, hostile or odd: every column drawn from text with separators,
 * quotes, line ends and formula starts, numbers (negative too), booleans, lists, null and absent.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Finding } from '../../src/model/finding.ts';
import { CSV_COLUMNS, csvLine } from '../../src/reporters/csv.ts';
import { aFinding } from '../helpers/builders.ts';

/** The line as written before this change (src/reporters/csv.ts at 373a467), kept as the reference. */
function previousCsvLine(f: Finding): string {
  const line = previousPlainLine(f);
  if (PREVIOUS_PLAIN_LINE.test(line)) return `${line}\n`;
  return `${CSV_COLUMNS.map((column) => previousCellText(f[column])).join(',')}\n`;
}
const PREVIOUS_PLAIN_CELL = '(?:[^,"\\r\\n=+\\-@\\t][^,"\\r\\n]*)?';
const PREVIOUS_PLAIN_LINE = new RegExp(
  `^${PREVIOUS_PLAIN_CELL}(?:,${PREVIOUS_PLAIN_CELL}){${CSV_COLUMNS.length - 1}}$`,
);
type Cell = Finding[(typeof CSV_COLUMNS)[number]];
function previousCellText(value: Cell): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = Array.isArray(value) ? value.join(';') : String(value);
  const guarded = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}
function previousPlainText(value: Cell): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return Array.isArray(value) ? value.join(';') : String(value);
}
function previousPlainLine(f: Finding): string {
  return [
    f.accountId,
    f.principalType,
    previousPlainText(f.principalName),
    previousPlainText(f.arn),
    f.credential,
    f.status,
    previousPlainText(f.lastUsed),
    previousPlainText(f.lastActivity),
    f.lastActivitySource,
    previousPlainText(f.ageDays),
    previousPlainText(f.neverUsed),
    previousPlainText(f.caveats),
    previousPlainText(f.reason),
    previousPlainText(f.accessKeyId),
    previousPlainText(f.lastUsedService),
    previousPlainText(f.lastUsedRegion),
    previousPlainText(f.service),
    previousPlainText(f.sshPublicKeyId),
    previousPlainText(f.serviceSpecificCredentialId),
    previousPlainText(f.expiresAt),
  ].join(',');
}

const hostileText = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc
    .array(
      fc.constantFrom(
        'a',
        '1',
        ',',
        '"',
        '""',
        '\n',
        '\r',
        '=',
        '+',
        '-',
        '@',
        '\t',
        ';',
        ' ',
        "'",
        'é',
        '😀',
      ),
      {
        maxLength: 6,
      },
    )
    .map((cs) => cs.join('')),
);
/** Anything a cell may hold at run time, whatever the type says (the reporters are public API). */
const anyCell = fc.oneof(
  { weight: 4, arbitrary: hostileText },
  { weight: 2, arbitrary: fc.constant(undefined) },
  fc.constant(null),
  fc.integer({ min: -500, max: 5000 }),
  fc.double(),
  fc.boolean(),
  fc.array(hostileText, { maxLength: 3 }),
);
const aPlainFinding = fc
  .record({
    principalName: fc.stringMatching(/^[\w+=.@-]{1,12}$/),
    ageDays: fc.integer({ min: -5, max: 5000 }),
    accessKeyId: fc.option(fc.stringMatching(/^AKIA[A-Z0-9]{4}$/), { nil: undefined }),
    lastUsedService: fc.option(fc.constantFrom('s3', 'iam'), { nil: undefined }),
  })
  .map((o) => aFinding(o));
const ABSENT = Symbol('absent');
const anOddFinding = fc
  .tuple(
    ...CSV_COLUMNS.map(() =>
      fc.oneof({ weight: 3, arbitrary: fc.constant(ABSENT) }, { weight: 4, arbitrary: anyCell }),
    ),
  )
  .map((cells) => {
    const finding: Record<string, unknown> = { ...aFinding() };
    CSV_COLUMNS.forEach((column, i) => {
      if (cells[i] === ABSENT) delete finding[column];
      else finding[column] = cells[i];
    });
    return finding as unknown as Finding;
  });
/** The cells after the reason, which the line writer joins as one piece: some of them set, the rest absent. */
const OPTIONAL_COLUMNS = CSV_COLUMNS.slice(CSV_COLUMNS.indexOf('reason') + 1);
const aFindingWithSomeOptionalCells = fc
  .tuple(
    fc.subarray([...OPTIONAL_COLUMNS], { minLength: 1 }),
    fc.oneof(fc.stringMatching(/^[a-z0-9-]{1,8}$/), anyCell),
  )
  .map(([columns, value]) => aFinding(Object.fromEntries(columns.map((column) => [column, value]))));

describe('csvLine', () => {
  it('writes the bytes the previous line writer wrote, for any finding (property, seed 42)', () => {
    fc.assert(
      fc.property(fc.oneof(aPlainFinding, anOddFinding, aFindingWithSomeOptionalCells), (finding) => {
        assert.equal(csvLine(finding), previousCsvLine(finding));
      }),
      { numRuns: 3000, seed: 42 },
    );
  });

  it('writes a plain finding as its cells, the absent optional ones empty', () => {
    assert.equal(
      csvLine(aFinding({ lastUsedService: 's3', lastUsedRegion: 'eu-west-1' })),
      '111122223333,user,alice,arn:aws:iam::111122223333:user/alice,access_key_1,unused,' +
        '2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,last_used,304,false,,' +
        'access key 1 last used 304 days ago (threshold 90),,s3,eu-west-1,,,,\n',
    );
    assert.match(csvLine(aFinding()), /\(threshold 90\),,,,,,,\n$/);
  });

  it('quotes and guards cell by cell when one cell needs it, the others as they are', () => {
    assert.equal(
      csvLine(aFinding({ principalName: '=cmd', reason: 'a, "b"', expiresAt: null, service: '-x' })),
      "111122223333,user,'=cmd,arn:aws:iam::111122223333:user/alice,access_key_1,unused," +
        '2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,last_used,304,false,,' +
        `"a, ""b""",,,,'-x,,,\n`,
    );
  });
});
