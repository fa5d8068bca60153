/** The Lambda bundle builds (esbuild, scripts/build-lambda.mjs), loads in plain Node, and exports the handler. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
// @ts-expect-error: a plain .mjs script without type declarations
import { buildLambda } from '../../scripts/build-lambda.mjs';

const out = mkdtempSync(join(tmpdir(), 'credsweep-lambda-'));
after(() => rmSync(out, { recursive: true, force: true }));

describe('the Lambda bundle', () => {
  it('is one self-contained ES module exporting handler', async () => {
    const meta = (await buildLambda(out)) as { inputs: Record<string, unknown> };
    const file = join(out, 'index.mjs');
    assert.ok(statSync(file).size > 0);
    const inputs = Object.keys(meta.inputs);
    assert.ok(
      inputs.some((i) => i.includes('@aws-sdk/client-s3')),
      'the SDK is bundled, not taken from the runtime',
    );
    assert.ok(
      !inputs.some((i) => i.includes('sql.js')),
      'the history store (sql.js) stays out of the function',
    );
    const mod = (await import(pathToFileURL(file).href)) as { handler: (e: unknown) => Promise<unknown> };
    assert.equal(typeof mod.handler, 'function');
    const saved = process.env.CREDSWEEP_BUCKET;
    delete process.env.CREDSWEEP_BUCKET;
    try {
      await assert.rejects(mod.handler({}), /CREDSWEEP_BUCKET is not set/);
    } finally {
      if (saved !== undefined) process.env.CREDSWEEP_BUCKET = saved;
    }
  });
});
