/**
 * The CLI's formats, each reporter loaded on demand (src/reporters/load-reporter.ts), are the
 * library's registry (src/reporters/index.ts): the same names in the same order, the same reporters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REPORTERS } from '../../src/reporters/index.ts';
import { FORMAT_NAMES, loadReporter } from '../../src/reporters/load-reporter.ts';

describe('loadReporter', () => {
  it('names every format of the registry, in its order', () => {
    assert.deepEqual(FORMAT_NAMES, Object.keys(REPORTERS));
  });

  it("loads each format's reporter of the registry", async () => {
    for (const format of FORMAT_NAMES) assert.equal(await loadReporter(format), REPORTERS[format]);
  });

  it('loads nothing for a name that is no format', async () => {
    for (const name of ['', 'xml', 'toString', '__proto__', 'constructor']) {
      assert.equal(await loadReporter(name), undefined);
    }
  });
});
