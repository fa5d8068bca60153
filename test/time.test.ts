import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAsOf, parseIsoDateTime, toIso, wholeDaysBetween } from '../src/time.ts';

describe('parseIsoDateTime', () => {
  const cases: Array<[string, string | null]> = [
    ['2014-09-01T22:28:48+00:00', '2014-09-01T22:28:48Z'],
    ['2022-04-17T14:59:38Z', '2022-04-17T14:59:38Z'],
    ['2022-04-17T16:59:38+02:00', '2022-04-17T14:59:38Z'],
    ['2022-04-17T09:59:38-0500', '2022-04-17T14:59:38Z'],
    ['2022-04-17T14:59:38.123Z', '2022-04-17T14:59:38.123Z'],
    ['2022-02-30T00:00:00Z', null],
    ['2022-04-17', null],
    ['yesterday', null],
    ['N/A', null],
    ['2022-04-17T25:00:00Z', null],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${expected}`, () => {
      const at = parseIsoDateTime(text);
      assert.equal(at === null ? null : toIso(at), expected);
    });
  }
});

describe('parseAsOf', () => {
  it('takes a date as midnight UTC', () =>
    assert.equal(toIso(parseAsOf('2026-11-01')!), '2026-11-01T00:00:00Z'));
  it('takes a full date-time', () =>
    assert.equal(toIso(parseAsOf('2026-11-01T12:00:00+01:00')!), '2026-11-01T11:00:00Z'));
  it('rejects nonsense', () => assert.equal(parseAsOf('2026-13-01'), null));
});

describe('wholeDaysBetween', () => {
  it('rounds down, negative when earlier', () => {
    const d = Date.UTC(2026, 0, 1);
    assert.equal(wholeDaysBetween(d, d + 86_400_000 - 1), 0);
    assert.equal(wholeDaysBetween(d, d + 86_400_000), 1);
    assert.equal(wholeDaysBetween(d, d - 1), -1);
  });
});
