import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CliContext, stderrTableOptions } from '../../src/cli/context.ts';

const stderr = (isTTY: boolean, columns?: number) => ({ isTTY, columns }) as unknown as CliContext['stderr'];

describe('the width of a table on standard error (the steps a confirmation lists)', () => {
  it("is standard error's terminal's, whatever standard output is (`apply plan.json | tee log`)", () => {
    assert.deepEqual(stderrTableOptions({ stderr: stderr(true, 80) }), { width: 80 });
  });
  it('is every column whole off a terminal, with --wide, or with no known width', () => {
    assert.deepEqual(stderrTableOptions({ stderr: stderr(false, 80) }), {});
    assert.deepEqual(stderrTableOptions({ stderr: stderr(true, 80), wide: true }), {});
    assert.deepEqual(stderrTableOptions({ stderr: stderr(true, 0) }), {});
    assert.deepEqual(stderrTableOptions({ stderr: stderr(true) }), {});
  });
});
