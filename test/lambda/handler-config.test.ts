/**
 * A bad CREDSWEEP_CONFIG stops the function before it touches AWS, with an error message that alone
 * says what and where (a failed invocation's result shows only `errorMessage`). No moto needed: the
 * handler refuses before it builds a client call.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createHandler } from '../../src/lambda/handler.ts';

const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

describe('the scheduled Lambda with a bad CREDSWEEP_CONFIG', () => {
  it('a YAML alias bomb is a usage error naming the variable and line, not a stack of YAML internals', async () => {
    const rows = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      rows.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      );
    process.env.CREDSWEEP_BUCKET = 'b';
    process.env.CREDSWEEP_CONFIG = rows.join('\n');
    await assert.rejects(createHandler()({}), (error: Error) => {
      assert.equal(error.name, 'UsageError');
      assert.match(error.message, /^CREDSWEEP_CONFIG:\d+: .*alias/i);
      return true;
    });
  });

  it('an unknown key names the variable too', async () => {
    process.env.CREDSWEEP_BUCKET = 'b';
    process.env.CREDSWEEP_CONFIG = JSON.stringify({ dayz: 30 });
    await assert.rejects(createHandler()({}), (error: Error) => {
      assert.equal(error.name, 'UsageError');
      assert.match(error.message, /^CREDSWEEP_CONFIG(:\d+)?: /);
      return true;
    });
  });
});
