/**
 * A journal whose last line was cut off (apply killed mid-write, a full disk): `undo`, `apply` (resume
 * with the same --journal) and `plan --journal` use its complete lines, name the cut-off one on
 * standard error (file:line, one line) and ignore it. A malformed line before the last, or a last line
 * that is complete JSON (only its newline missing) and fails the check, is still refused (exit 2). A
 * last sealed line whose newline alone is missing is a complete line: it is read, not dropped. In
 * process (runCli), against moto_server, with a plan key (sealed lines, HMAC chain).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { runCli } from '../../src/cli/program.ts';
import { cliOnMoto } from '../helpers/cli.ts';
import { seedUser } from '../helpers/seed-iam.ts';

describe('a journal whose last line was cut off (moto)', () => {
  let plan: string;
  let findings: string;
  /** The journal apply wrote: one `done` line per user, the last one bob's or alice's. */
  let lines: string[];
  let n = 0;

  const aws = cliOnMoto({
    runCli,
    dir: 'credsweep-journal-cut-',
    fresh: 'once',
    env: { CREDSWEEP_PLAN_KEY: 'a plan key of at least sixteen chars' },
    seed: async ({ moto, iam, dir, cli }) => {
      for (const name of ['alice', 'bob']) {
        await seedUser(moto, iam, { name, createdDaysAgo: 300, keys: [{ createdDaysAgo: 300 }] });
      }
      findings = join(dir, 'findings.json');
      plan = join(dir, 'plan.json');
      assert.equal((await cli(['audit', '--format', 'json', '--output', findings])).code, 0);
      assert.equal((await cli(['plan', '--from', findings, '--output', plan])).code, 0);
      const applied = await cli(['apply', plan, '--yes']);
      assert.equal(applied.code, 0, applied.stderr);
      lines = readFileSync(`${plan}.journal.jsonl`, 'utf8').trimEnd().split('\n');
      assert.equal(lastDone().type, 'done');
    },
  });
  const { cli } = aws;
  const status = async (user: string) =>
    (await aws.iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata?.[0]?.Status;
  const keyOf = async (user: string) =>
    (await aws.iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata![0]!.AccessKeyId!;
  /** A copy of the journal holding `text`, for one test (undo and apply append to it). */
  const journalWith = (text: string) => {
    const file = join(aws.dir, `journal-${++n}.jsonl`);
    writeFileSync(file, text);
    return file;
  };
  const lastDone = () => JSON.parse(lines.at(-1)!) as { type: string; step: { principalName: string } };
  const cutNote = (file: string, line: number) =>
    `credsweep: ${file}:${line}: the last line is cut off (its write never finished: a run killed, a full disk): ignored\n`;

  beforeEach(async () => {
    // each test starts from both keys as apply left them
    for (const user of ['alice', 'bob']) {
      await aws.iam.send(
        new UpdateAccessKeyCommand({ UserName: user, AccessKeyId: await keyOf(user), Status: 'Inactive' }),
      );
    }
  });

  const complete = () =>
    lines
      .slice(0, -1)
      .map((l) => `${l}\n`)
      .join('');
  const cutTail = () => `${complete()}${lines.at(-1)!.slice(0, 40)}`;

  it('undo reverses what the complete lines confirm, and names the cut-off line', async () => {
    const journal = journalWith(cutTail());
    const undone = await cli(['undo', journal, '--yes']);
    assert.equal(undone.code, 0, undone.stderr);
    assert.equal(undone.stderr.split(cutNote(journal, lines.length)).length, 2, undone.stderr);
    const cutUser = lastDone().step.principalName;
    const otherUser = cutUser === 'alice' ? 'bob' : 'alice';
    assert.equal(await status(otherUser), 'Active', 'its done line is complete: reversed');
    assert.equal(await status(cutUser), 'Inactive', 'its done line was cut off: not confirmed, left alone');
    assert.doesNotMatch(undone.stderr, /\n\s+at /, 'no stack trace');
  });

  it('apply resumes from the complete lines, naming the cut-off one; the journal is whole again', async () => {
    const journal = journalWith(cutTail());
    const resumed = await cli(['apply', plan, '--yes', '--journal', journal]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(resumed.stderr.split(cutNote(journal, lines.length)).length, 2, resumed.stderr);
    assert.match(resumed.stdout, /completed_before_interruption/);
    const after = readFileSync(journal, 'utf8');
    assert.ok(
      after.startsWith(complete()) && after.endsWith('\n'),
      'the cut-off line is cut, not appended to',
    );
    const again = await cli(['undo', journal, '--yes']);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /cut off/);
  });

  it('plan --journal names the cut-off line and reads the rest', async () => {
    const journal = journalWith(cutTail());
    const planned = await cli([
      'plan',
      '--from',
      findings,
      '--journal',
      journal,
      '--output',
      join(aws.dir, `next-${n}.json`),
    ]);
    assert.equal(planned.code, 0, planned.stderr);
    assert.equal(planned.stderr.split(cutNote(journal, lines.length)).length, 2, planned.stderr);
  });

  it('a last sealed line whose newline alone is missing is a line, not dropped: undo reverses both', async () => {
    const journal = journalWith(`${complete()}${lines.at(-1)!}`);
    const undone = await cli(['undo', journal, '--yes']);
    assert.equal(undone.code, 0, undone.stderr);
    assert.doesNotMatch(undone.stderr, /cut off/);
    assert.equal(await status('alice'), 'Active');
    assert.equal(await status('bob'), 'Active');
  });

  it('a malformed line before the last, or a complete last line that fails the check, is refused: exit 2, one line', async () => {
    const middle = [...lines];
    middle[1] = middle[1]!.slice(0, 30);
    const forged = lines.at(-1)!.replace(/"mac":"[0-9a-f]{8}/, '"mac":"00000000');
    assert.notEqual(forged, lines.at(-1));
    for (const [text, line, why] of [
      [`${middle.map((l) => `${l}\n`).join('')}`, 2, /invalid JSON/],
      [`${complete()}${forged}`, lines.length, /HMAC mismatch/],
      [`${complete()}${forged}\n`, lines.length, /HMAC mismatch/],
    ] as const) {
      const journal = journalWith(text);
      for (const args of [
        ['undo', journal, '--yes'],
        ['apply', plan, '--yes', '--journal', journal],
      ]) {
        const refused = await cli(args);
        assert.equal(refused.code, 2, `${args[0]}: ${refused.stderr}`);
        assert.match(refused.stderr, new RegExp(`^credsweep: ${journal}:${line}: `));
        assert.match(refused.stderr, why);
        assert.equal(refused.stderr.trimEnd().split('\n').length, 1, refused.stderr);
      }
      assert.equal(readFileSync(journal, 'utf8'), text, 'nothing journalled');
    }
    assert.equal(await status('alice'), 'Inactive');
    assert.equal(await status('bob'), 'Inactive');
  });
});
