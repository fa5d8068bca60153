/** Counts in words (src/plural.ts): every message says `1 step`, `3 steps`, never `step(s)`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { counted, plural } from '../src/plural.ts';

describe('counts in words', () => {
  const cases: Array<[number, string, string | undefined, string]> = [
    [0, 'step', undefined, '0 steps'],
    [1, 'step', undefined, '1 step'],
    [2, 'account', undefined, '2 accounts'],
    [1, 'batch', 'batches', '1 batch'],
    [3, 'batch', 'batches', '3 batches'],
  ];
  for (const [n, word, many, expected] of cases) {
    it(`${n} ${word} → ${expected}`, () => assert.equal(counted(n, word, many), expected));
  }
  it('the word alone agrees with the count (a verb too)', () => {
    assert.equal(plural(1, 'no longer exists', 'no longer exist'), 'no longer exists');
    assert.equal(plural(2, 'no longer exists', 'no longer exist'), 'no longer exist');
  });
});
