import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import type { CliContext } from '../../src/cli/context.ts';
import { confirm } from '../../src/cli/remediation-options.ts';
import { UsageError } from '../../src/errors.ts';

/** `isTTY`: standard input and error are the terminal (`stderrTTY`: error alone differs). */
function context(
  isTTY: boolean,
  answer?: string,
  stderrTTY = isTTY,
): { ctx: CliContext; prompt: () => string } {
  const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
  (stdin as { isTTY?: boolean }).isTTY = isTTY;
  const stderr = new PassThrough() as unknown as NodeJS.WriteStream;
  (stderr as { isTTY?: boolean }).isTTY = stderrTTY;
  let prompt = '';
  (stderr as unknown as PassThrough).on('data', (d) => {
    prompt += d;
  });
  if (answer !== undefined) setImmediate(() => (stdin as unknown as PassThrough).write(`${answer}\n`));
  const ctx = { now: () => 0, stdout: stderr, stderr, stdin, env: {} } as CliContext;
  return { ctx, prompt: () => prompt };
}

/** The prompt without the cursor moves readline writes on a terminal. */
const CURSOR_MOVES = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');
const plain = (text: string) => text.replace(CURSOR_MOVES, '');

describe('confirmation before changing AWS', () => {
  it('--yes needs no terminal', async () => {
    assert.equal(await confirm(context(false).ctx, true, '3 steps'), true);
  });
  it('without --yes and without a terminal: refuse (exit 2)', async () => {
    await assert.rejects(confirm(context(false).ctx, undefined, '3 steps'), (e) => e instanceof UsageError);
  });
  it('without --yes, input a terminal but standard error not (`2>&1 | head`): refuse, never ask blind', async () => {
    const { ctx, prompt } = context(true, 'y', false);
    await assert.rejects(
      confirm(ctx, undefined, '3 steps', 'a listing\n'),
      (e) =>
        e instanceof UsageError &&
        e.message ===
          'refusing to change AWS without --yes: standard error is not a terminal, so the steps could not be shown (3 steps)',
    );
    assert.equal(prompt(), '', 'nothing asked');
  });
  for (const [answer, expected] of [
    ['y', true],
    ['yes', true],
    ['n', false],
    ['', false],
  ] as const) {
    it(`on a terminal, shows the counts and takes '${answer}' as ${expected ? 'yes' : 'no'}`, async () => {
      const { ctx, prompt } = context(true, answer);
      assert.equal(
        await confirm(ctx, undefined, '5 steps in 1 account: 4 reversible, 1 irreversible'),
        expected,
      );
      assert.match(plain(prompt()), /5 steps in 1 account: 4 reversible, 1 irreversible\nProceed\? \[y\/N\]/);
    });
  }
});

describe('the confirmation lists every step', () => {
  it('on a terminal, the listing comes before the counts; without one, the refusal stays one line', async () => {
    const { ctx, prompt } = context(true, 'n');
    const listing =
      'REVERSIBLE  ACTION\n!! NO (irreversible)  delete-login-profile\nyes  deactivate-access-key\n';
    assert.equal(
      await confirm(ctx, undefined, '2 steps in 1 account: 1 reversible, 1 irreversible', listing),
      false,
    );
    assert.ok(prompt().startsWith(`${listing}2 steps in 1 account`), prompt());
    await assert.rejects(
      confirm(context(false).ctx, undefined, '2 steps', listing),
      (e) => e instanceof UsageError && !e.message.includes('\n'),
    );
  });
});
