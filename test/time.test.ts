import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
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

describe('parseIsoDateTime: the fast path for `YYYY-MM-DDTHH:MM:SS+00:00`', () => {
  // An independent reading of that form: Date's own parser, on the same text with `Z`.
  const byDate = (text: string) => {
    const ms = Date.parse(text.replace('+00:00', 'Z'));
    return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== text.slice(0, 19) ? null : ms;
  };
  const pad = (n: number, w: number) => String(n).padStart(w, '0');

  it('agrees with Date on every field value, impossible dates included (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        (y, mo, d, h, mi, s) => {
          const text = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}+00:00`;
          assert.equal(parseIsoDateTime(text), y < 1970 ? null : byDate(text), text);
        },
      ),
      { numRuns: 5000, seed: 1 },
    );
  });

  it('leap days, and near misses of the form go to the general parser', () => {
    assert.equal(toIso(parseIsoDateTime('2024-02-29T00:00:00+00:00')!), '2024-02-29T00:00:00Z');
    assert.equal(parseIsoDateTime('2023-02-29T00:00:00+00:00'), null);
    assert.equal(parseIsoDateTime('1900-02-29T00:00:00+00:00'), null);
    assert.equal(parseIsoDateTime('1969-12-31T23:59:59+00:00'), null, 'before 1970');
    assert.equal(toIso(parseIsoDateTime('2000-02-29T00:00:00+00:00')!), '2000-02-29T00:00:00Z');
    assert.equal(toIso(parseIsoDateTime('2022-04-17t14:59:38+00:00')!), '2022-04-17T14:59:38Z');
    assert.equal(toIso(parseIsoDateTime('2022-04-17 14:59:38+00:00')!), '2022-04-17T14:59:38Z');
    assert.equal(parseIsoDateTime('2022-04-17T14:59:3x+00:00'), null);
  });
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

describe('toIso', () => {
  // The reference: Date's own ISO form, `.000` dropped.
  const byDate = (ms: number) => {
    const iso = new Date(ms).toISOString();
    return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
  };
  it('agrees with Date for whole seconds, milliseconds, and years outside 1000–9999 (property)', () => {
    const anyTime = fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 });
    fc.assert(
      fc.property(
        fc.oneof(
          anyTime.map((ms) => ms - (((ms % 1000) + 1000) % 1000)),
          anyTime,
        ),
        (ms) => {
          assert.equal(toIso(ms), byDate(ms), String(ms));
        },
      ),
      { numRuns: 5000, seed: 7 },
    );
  });
  it('the edges of the four-digit years and of a day', () => {
    for (const ms of [
      Date.UTC(1000, 0, 1),
      Date.UTC(1000, 0, 1) - 1000,
      Date.UTC(9999, 11, 31, 23, 59, 59),
      Date.UTC(10000, 0, 1),
      Date.UTC(1969, 11, 31, 23, 59, 59),
      0,
      Date.UTC(2024, 1, 29, 23, 59, 59),
    ]) {
      assert.equal(toIso(ms), byDate(ms), String(ms));
    }
  });
});

describe('dates outside 1970–9999 and offsets beyond ±14:00 are refused (issue 16, item 8)', () => {
  const refused = [
    '0001-01-01',
    '0001-01-01T00:00:00Z',
    '0099-12-31',
    '1969-12-31',
    '1900-01-01T00:00:00+00:00',
    '2026-01-01T00:00:00+99:00',
    '2026-01-01T00:00:00-14:01',
    '2026-01-01T00:00:00+1460',
    '2026-01-01T00:00:00+05:60',
  ];
  for (const text of refused) {
    it(`${text} is not a date`, () => assert.equal(parseAsOf(text), null));
  }
  const accepted: [string, string][] = [
    ['1970-01-01', '1970-01-01T00:00:00Z'],
    ['9999-12-31', '9999-12-31T00:00:00Z'],
    ['2026-01-01T14:00:00+14:00', '2026-01-01T00:00:00Z'],
    ['2026-01-01T00:00:00-12:00', '2026-01-01T12:00:00Z'],
  ];
  for (const [text, iso] of accepted) {
    it(`${text} is ${iso}`, () => assert.equal(toIso(parseAsOf(text)!), iso));
  }
});
