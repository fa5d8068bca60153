/**
 * The command table of src/cli/program.ts: a run builds only the command it names (start-up is part
 * of every scan's wall time: the other commands' modules cost hundreds of milliseconds), while help,
 * `help CMD` and unknown commands still see every command.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProgram } from '../../src/cli/program.ts';
import { capturingContext, runCredsweep } from '../helpers/cli.ts';

const ALL = ['audit', 'permissions', 'trail', 'plan', 'apply', 'undo', 'history', 'diff', 'export'];

const { ctx } = capturingContext(Date.UTC(2026, 10, 1));
const commandsFor = async (argv?: string[]) =>
  (await buildProgram(ctx, () => {}, argv)).commands.map((c) => c.name());

describe('credsweep: commands loaded on demand', () => {
  it('a command run builds that command only', async () => {
    assert.deepEqual(await commandsFor(['trail', 'logs/', '--format', 'json']), ['trail']);
    assert.deepEqual(await commandsFor(['diff', '1', '2']), ['diff']);
    assert.deepEqual(await commandsFor(['--version', 'audit']), ['audit']);
  });

  it('help, `help CMD`, no command and unknown commands build them all, in order', async () => {
    for (const argv of [undefined, [], ['--help'], ['help', 'trail'], ['frobnicate']]) {
      assert.deepEqual(await commandsFor(argv), ALL, JSON.stringify(argv));
    }
  });

  it('`credsweep --help` lists every command, and a misspelt one gets a suggestion', async () => {
    const help = await runCredsweep(['--help']);
    assert.equal(help.code, 0);
    for (const name of ALL) assert.match(help.stdout, new RegExp(`^  ${name}\\b`, 'm'));
    const typo = await runCredsweep(['trial', 'logs/']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown command 'trial'.*Did you mean trail\?/s);
  });
});
