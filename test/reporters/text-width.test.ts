/**
 * Terminal columns (src/reporters/text-width.ts): what a character, a mark, a variation selector, a
 * keycap, a flag and an emoji ZWJ sequence take, and that shortening or breaking text never splits
 * what a terminal draws as one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { breakValue, displayWidth, shorten } from '../../src/reporters/text-width.ts';
import { drawnWhole } from '../helpers/drawn-whole.ts';

// (written with escapes where the source would otherwise hide what the case is about)
const CASES: readonly [string, string, number][] = [
  ['ASCII', 'alice', 5],
  ['East Asian wide', '日本語', 6],
  ['a combining mark', 'e\u0301', 1],
  ['a text-default emoji alone', '\u2764', 1],
  ['a text-default emoji with VS16 (❤️)', '\u2764\ufe0f', 2],
  ['another with VS16 (✔️)', '\u2714\ufe0f', 2],
  ['a wide emoji with VS16 stays wide', '\u2614\ufe0f', 2],
  ['a wide emoji with VS15 (text presentation)', '\u2614\ufe0e', 1],
  ['VS16 after a letter changes nothing', 'a\ufe0f', 1],
  ['a keycap (1️⃣)', '1\ufe0f\u20e3', 2],
  ['a keycap (#️⃣)', '#\ufe0f\u20e3', 2],
  ['a keycap without VS16', '1\u20e3', 1],
  ['a flag (two regional indicators)', '\u{1f1ef}\u{1f1f5}', 2],
  ['two flags', '\u{1f1ef}\u{1f1f5}\u{1f1eb}\u{1f1f7}', 4],
  ['a ZWJ sequence (👩‍💻)', '\u{1f469}\u200d\u{1f4bb}', 2],
  ['a family of four', '\u{1f468}\u200d\u{1f469}\u200d\u{1f467}\u200d\u{1f466}', 2],
  ['a ZWJ sequence with VS16 (❤️‍🔥)', '\u2764\ufe0f\u200d\u{1f525}', 2],
  ['a ZWJ sequence with VS16 (🏳️‍🌈)', '\u{1f3f3}\ufe0f\u200d\u{1f308}', 2],
  ['a skin-tone modifier (👍🏽)', '\u{1f44d}\u{1f3fd}', 2],
  ['a modifier in a ZWJ sequence (👩🏽‍💻)', '\u{1f469}\u{1f3fd}\u200d\u{1f4bb}', 2],
  ['a tag sequence (Scotland)', '\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}', 2],
  ['in a sentence', 'key \u2764\ufe0f ok', 9],
];

describe('displayWidth', () => {
  for (const [name, text, width] of CASES) {
    it(`${name}: ${width}`, () => assert.equal(displayWidth(text), width));
  }
});

describe('shorten and breakValue keep what is drawn as one whole', () => {
  const heart = '\u2764\ufe0f';
  const flag = '\u{1f1ef}\u{1f1f5}';
  const coder = '\u{1f469}\u200d\u{1f4bb}';

  it('shorten, in the middle and at the end', () => {
    assert.equal(shorten(heart.repeat(4), 5), `${heart}…${heart}`);
    assert.equal(shorten(flag.repeat(4), 5), `${flag}…${flag}`);
    assert.equal(shorten(coder.repeat(4), 5, 'end'), `${coder.repeat(2)}…`);
    for (const unit of [heart, flag, coder, '1\ufe0f\u20e3', '\u{1f44d}\u{1f3fd}']) {
      for (let width = 1; width <= 9; width++) {
        for (const where of ['middle', 'end'] as const) {
          const cut = shorten(`ab${unit.repeat(5)}cd`, width, where);
          assert.ok(displayWidth(cut) <= width, `${cut} wider than ${width}`);
          assert.ok(drawnWhole(cut), `${JSON.stringify(cut)} splits ${JSON.stringify(unit)}`);
        }
      }
    }
  });

  it('breakValue: each piece within the width, the value whole when joined', () => {
    assert.deepEqual(breakValue(coder.repeat(3), 2), [coder, coder, coder]);
    assert.deepEqual(breakValue(`a${flag}${flag}`, 3), [`a${flag}`, flag]);
    for (const unit of [heart, flag, coder]) {
      const value = `user/${unit.repeat(6)}`;
      for (let width = 2; width <= 12; width++) {
        const pieces = breakValue(value, width);
        assert.equal(pieces.join(''), value);
        for (const piece of pieces) {
          assert.ok(displayWidth(piece) <= width, `${piece} wider than ${width}`);
          assert.ok(drawnWhole(piece), `${JSON.stringify(piece)} splits ${JSON.stringify(unit)}`);
        }
      }
    }
  });
});
