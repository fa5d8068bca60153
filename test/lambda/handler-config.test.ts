/**
 * A bad CREDSWEEP_CONFIG stops the function before it touches AWS, with an error message that alone
 * says what and where (a failed invocation's result shows only `errorMessage`). No moto needed: the
 * handler refuses before it builds a client call.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createHandler, settingsFromEnv } from '../../src/lambda/handler.ts';
import { auditSettingsFor } from '../../src/lambda/scheduled-audit.ts';

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

describe('CREDSWEEP_SSH_PUBLIC_KEYS (the report path lists SSH keys, one call per user, unless false)', () => {
  const deps = { now: 0, connection: {} } as unknown as Parameters<typeof auditSettingsFor>[0];
  const sshOf = (env: Record<string, string>, config = '') =>
    auditSettingsFor(deps, settingsFromEnv({ CREDSWEEP_BUCKET: 'b', CREDSWEEP_CONFIG: config, ...env }))
      .reportPath.sshPublicKeys;

  it('unset: the configuration decides (default true); true/false win over it; anything else is refused', () => {
    assert.equal(sshOf({}), true);
    assert.equal(sshOf({}, '{"sshPublicKeys": false}'), false);
    assert.equal(sshOf({ CREDSWEEP_SSH_PUBLIC_KEYS: 'false' }), false);
    assert.equal(sshOf({ CREDSWEEP_SSH_PUBLIC_KEYS: 'true' }, '{"sshPublicKeys": false}'), true);
    assert.throws(
      () => settingsFromEnv({ CREDSWEEP_BUCKET: 'b', CREDSWEEP_SSH_PUBLIC_KEYS: 'no' }),
      /^UsageError: CREDSWEEP_SSH_PUBLIC_KEYS: expected true or false, got 'no'$/,
    );
  });

  it('the key-id window is the configuration’s ownerWarningDays', () => {
    const settings = settingsFromEnv({
      CREDSWEEP_BUCKET: 'b',
      CREDSWEEP_CONFIG: '{"notifications": {"ownerWarningDays": 14}}',
    });
    assert.equal(auditSettingsFor(deps, settings).reportPath.keyIdWindowDays, 14);
  });
});
