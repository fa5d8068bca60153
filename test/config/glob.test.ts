/**
 * Globs in linear time (issue 16, item 6): exemption ARN globs and plan's --include/--exclude. The
 * 18-star pattern that made the old regular expression backtrack for over a minute is matched in a
 * bounded number of steps; a worker runs the built matchers on it under a generous 20 s limit, so the
 * old code fails the test instead of hanging the suite. No timing is asserted beyond that.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { asciiLowerCase, compileGlob, globMatches, matchesAnyIgnoringCase } from '../../src/config/glob.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

const STARS_18 = `arn:aws:iam::*:user/${'*a'.repeat(16)}*Z`;
const NAME_60 = `arn:aws:iam::111122223333:user/${'a'.repeat(60)}`;

/** The same glob as an anchored regular expression: an oracle for short inputs only. */
function oracle(pattern: string, text: string, questionMark: boolean): boolean {
  const body = pattern.replace(/[.+^${}()|[\]\\*?]/g, (c) =>
    c === '*' ? '.*' : c === '?' && questionMark ? '.' : `\\${c}`,
  );
  return new RegExp(`^${body}$`, 's').test(text);
}

describe('globMatches', () => {
  it('matches the spec table', () => {
    const cases: [string, string, boolean, boolean][] = [
      ['arn:aws:iam::*:user/ci/*', 'arn:aws:iam::111122223333:user/ci/ci-bot', true, true],
      ['arn:aws:iam::*:user/ci?', 'arn:aws:iam::111122223333:user/ci/ci-bot', true, false],
      ['arn:aws:iam::1111.2222333:*', 'arn:aws:iam::111122223333:user/x', true, false],
      ['*', '', true, true],
      ['', '', true, true],
      ['', 'a', true, false],
      ['a*', 'a', true, true],
      ['*a', 'ba', true, true],
      ['*a', 'ab', true, false],
      ['ci-?', 'ci-1', false, false],
      ['ci-?', 'ci-?', false, true],
      ['a*b*c', 'aXbYbZc', true, true],
      ['a*b*c', 'aXbYbZ', true, false],
    ];
    for (const [pattern, text, questionMark, expected] of cases) {
      assert.equal(globMatches(pattern, text, { questionMark }), expected, `${pattern} vs ${text}`);
    }
  });

  it("plan's --include/--exclude ignore case, as IAM names do; ? stays literal there", () => {
    assert.equal(matchesAnyIgnoringCase('BreakGlass', ['breakglass']), true);
    assert.equal(matchesAnyIgnoringCase('arn:aws:iam::*:user/CI/*', ['arn:aws:iam::1:user/ci/bot']), true);
    assert.equal(matchesAnyIgnoringCase('ci-?', ['ci-1']), false);
    assert.equal(matchesAnyIgnoringCase('alice', ['bob', 'ALICE']), true);
    assert.equal(matchesAnyIgnoringCase('alice', ['alicia']), false);
  });

  it('--include/--exclude fold A-Z only, as IAM does: the Kelvin sign is not k, the dotted İ not i', () => {
    assert.equal(matchesAnyIgnoringCase('\u212A*', ['kim']), false, 'Kelvin sign');
    assert.equal(matchesAnyIgnoringCase('K*', ['kim']), true);
    assert.equal(matchesAnyIgnoringCase('\u0130*', ['ian']), false, 'capital I with dot above');
    assert.equal(matchesAnyIgnoringCase('*', ['\u212A']), true);
    assert.equal(asciiLowerCase('AZaz@[`\u212A\u00C9'), 'azaz@[`\u212A\u00C9');
  });

  it('agrees with the regular-expression oracle on random short patterns (fast-check, seed 42)', () => {
    const char = fc.constantFrom('a', 'b', '*', '?', '.', ':');
    fc.assert(
      fc.property(
        fc.string({ unit: char, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '.', ':', '?', '*'), maxLength: 10 }),
        fc.boolean(),
        (pattern, text, questionMark) =>
          globMatches(pattern, text, { questionMark }) === oracle(pattern, text, questionMark),
      ),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('a compiled glob (which first checks the literal text before the first and after the last wildcard) answers as globMatches (fast-check, seed 42)', () => {
    const char = fc.constantFrom('a', 'b', '*', '?', ':');
    fc.assert(
      fc.property(
        fc.string({ unit: char, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', ':', '?', '*'), maxLength: 10 }),
        fc.boolean(),
        (pattern, text, questionMark) =>
          compileGlob(pattern, { questionMark }).test(text) === globMatches(pattern, text, { questionMark }),
      ),
      { seed: 42, numRuns: 5000 },
    );
  });

  it('takes at most (text + 1) × (pattern + 1) steps, e.g. on the 18-star case', () => {
    const counter = { steps: 0 };
    assert.equal(globMatches(STARS_18, NAME_60, { questionMark: true, counter }), false);
    assert.ok(counter.steps <= (NAME_60.length + 1) * (STARS_18.length + 1), `${counter.steps} steps`);
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '*', 'Z'), maxLength: 40 }),
        fc.string({ unit: fc.constantFrom('a', 'Z'), maxLength: 80 }),
        (pattern, text) => {
          const c = { steps: 0 };
          globMatches(pattern, text, { counter: c });
          return c.steps <= (text.length + 1) * (pattern.length + 1);
        },
      ),
      { seed: 42, numRuns: 500 },
    );
  });

  it('the built exemption matcher and --include finish the 18-star case (worker, 20 s limit)', async () => {
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      (async () => {
        const root = workerData.root;
        const { arnGlob } = await import(root + 'dist/config/exemptions.js');
        const { matchesPattern } = await import(root + 'dist/remediation/plan.js');
        const arn = arnGlob(workerData.pattern).test(workerData.name);
        const include = matchesPattern(workerData.pattern, [workerData.name]);
        parentPort.postMessage({ arn, include });
      })().catch((e) => parentPort.postMessage({ error: String(e) }));
    `;
    const worker = new Worker(source, {
      eval: true,
      workerData: { root: `file://${REPO_ROOT}`, pattern: STARS_18, name: NAME_60 },
    });
    const result = await new Promise<unknown>((ok) => {
      const timer = setTimeout(() => {
        void worker.terminate();
        ok('timed out');
      }, 20_000);
      worker.once('message', (m) => {
        clearTimeout(timer);
        void worker.terminate();
        ok(m);
      });
    });
    assert.deepEqual(result, { arn: false, include: false });
  });
});
