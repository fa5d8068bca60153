/**
 * `undo` of a journal not sealed with a plan key refuses before its confirmation, exit 2, one line
 * naming --trust-unsigned-journal and the key options: such a journal is plain JSON Lines, and
 * whoever can write it decides what undo would reverse. In process (runCli), against moto_server: on
 * a terminal with standard input already closed (had it asked, no answer could come), and in a pipe
 * with --yes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { runCli } from '../../src/cli/program.ts';
import { cliOnMoto, terminalContext } from '../helpers/cli.ts';
import { MOTO_CLI_ENV } from '../helpers/moto.ts';
import { seedUser } from '../helpers/seed-iam.ts';

describe('undo refuses a journal not sealed with a plan key unless --trust-unsigned-journal (moto)', () => {
  let journal: string;
  let written: string;

  const aws = cliOnMoto({
    runCli,
    dir: 'credsweep-undo-unsigned-',
    fresh: 'once',
    seed: async ({ moto, iam, dir, cli }) => {
      await seedUser(moto, iam, { name: 'alice', createdDaysAgo: 300, keys: [{ createdDaysAgo: 300 }] });
      const findings = join(dir, 'findings.json');
      const plan = join(dir, 'plan.json');
      assert.equal((await cli(['audit', '--format', 'json', '--output', findings])).code, 0);
      assert.equal((await cli(['plan', '--from', findings, '--output', plan])).code, 0);
      const applied = await cli(['apply', plan, '--yes']);
      assert.equal(applied.code, 0, applied.stderr);
      assert.equal(await status(), 'Inactive');
      journal = `${plan}.journal.jsonl`;
      written = readFileSync(journal, 'utf8');
    },
  });
  const { cli } = aws;
  const endpoint = () => ['--endpoint-url', aws.moto.endpoint];
  const status = async () =>
    (await aws.iam.send(new ListAccessKeysCommand({ UserName: 'alice' }))).AccessKeyMetadata?.[0]?.Status;
  const REFUSAL =
    /^credsweep: .*plan\.json\.journal\.jsonl: this journal is not sealed with a plan key, so nothing in it is confirmed as credsweep's own: undo would reverse 1 step on the word of whoever can write the file \(give the key it was written with \(--plan-key-file or CREDSWEEP_PLAN_KEY\), or --trust-unsigned-journal to take the journal as written\)\n$/;

  it('on a terminal with standard input closed: exit 2, one line, before any prompt; nothing changed', async () => {
    const { ctx, stdin, out } = terminalContext({ ...MOTO_CLI_ENV });
    stdin.end();
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      runCli(['undo', journal, ...endpoint()], ctx),
      new Promise<'still running'>((resolve) => {
        timer = setTimeout(() => resolve('still running'), 30_000);
      }),
    ]).finally(() => clearTimeout(timer));
    assert.equal(code, 2, out.stdout + out.stderr);
    assert.doesNotMatch(out.stderr, /Proceed\?/);
    assert.match(out.stderr, REFUSAL);
    assert.equal(out.stdout, '');
    assert.equal(await status(), 'Inactive', 'nothing reversed');
    assert.equal(readFileSync(journal, 'utf8'), written, 'nothing journalled');
  });

  it('with --yes in a pipe: the same line, not the --yes one; with --trust-unsigned-journal it reverses', async () => {
    const refused = await cli(['undo', journal, '--yes']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, REFUSAL);
    assert.equal(await status(), 'Inactive', 'nothing reversed');
    assert.equal(readFileSync(journal, 'utf8'), written, 'nothing journalled');
    const trusted = await cli(['undo', journal, '--yes', '--trust-unsigned-journal']);
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.equal(await status(), 'Active');
  });
});
