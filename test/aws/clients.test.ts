/**
 * Attempts per AWS call: credsweep's MAX_ATTEMPTS (8), or the SDK's own AWS_MAX_ATTEMPTS when it is
 * a positive integer. The SDK would read that variable itself, but a `maxAttempts` in the client
 * config hides it, so credsweep reads it (test/cli/argv-fuzz and export securityhub set it to 1).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createIamClient, MAX_ATTEMPTS, maxAttempts } from '../../src/aws/clients.ts';

describe('attempts per AWS call', () => {
  const cases: Array<[string | undefined, number]> = [
    [undefined, MAX_ATTEMPTS],
    ['1', 1],
    ['3', 3],
    ['20', 20],
    ['0', MAX_ATTEMPTS],
    ['-1', MAX_ATTEMPTS],
    ['2.5', MAX_ATTEMPTS],
    ['abc', MAX_ATTEMPTS],
    ['', MAX_ATTEMPTS],
  ];
  for (const [value, expected] of cases) {
    it(`AWS_MAX_ATTEMPTS=${JSON.stringify(value)} → ${expected}`, () => {
      assert.equal(maxAttempts(value === undefined ? {} : { AWS_MAX_ATTEMPTS: value }), expected);
    });
  }

  const saved = process.env.AWS_MAX_ATTEMPTS;
  after(() => {
    if (saved === undefined) delete process.env.AWS_MAX_ATTEMPTS;
    else process.env.AWS_MAX_ATTEMPTS = saved;
  });
  it('a client created with AWS_MAX_ATTEMPTS=1 in the environment makes one attempt; without, 8', async () => {
    process.env.AWS_MAX_ATTEMPTS = '1';
    assert.equal(await createIamClient({}).config.maxAttempts(), 1);
    delete process.env.AWS_MAX_ATTEMPTS;
    assert.equal(await createIamClient({}).config.maxAttempts(), 8);
  });
});
