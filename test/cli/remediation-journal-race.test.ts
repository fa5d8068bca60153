/**
 * apply and undo read the journal before their confirmation and act after it: whatever another
 * credsweep wrote to that journal in between (an undo while apply waits for its answer, an undo
 * while another waits) must not be acted on from the stale copy. In process (runCli, a terminal
 * for standard input and error), against moto_server; the racing command runs while the first one
 * waits at its prompt.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { runCli } from '../../src/cli/program.ts';
import { readJournal } from '../../src/remediation/journal.ts';
import { cliOnMoto } from '../helpers/cli.ts';
import { seedUser } from '../helpers/seed-iam.ts';

describe('apply and undo act on the journal as it is once they hold it, not as it was before their prompt (moto)', () => {
  let keys: Record<string, string>;

  const aws = cliOnMoto({
    runCli,
    dir: 'credsweep-journal-race-',
    fresh: 'each test',
    seed: async ({ moto, iam }) => {
      keys = {};
      for (const name of ['alice', 'erin']) {
        const { keyIds } = await seedUser(moto, iam, {
          name,
          createdDaysAgo: 300,
          keys: [{ createdDaysAgo: 300 }],
        });
        keys[name] = keyIds[0]!;
      }
    },
  });
  const { cli, prompted } = aws;
  const status = async (user: string) =>
    (await aws.iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata?.[0]?.Status;

  /** alice's step done, erin's skipped (exempt by the configuration at that apply, not since). */
  async function planAppliedOnce(): Promise<{ plan: string; journal: string }> {
    const findings = join(aws.dir, 'findings.json');
    const plan = join(aws.dir, 'plan.json');
    assert.equal((await cli(['audit', '--format', 'json', '--output', findings])).code, 0);
    const planned = await cli(['plan', '--from', findings, '--output', plan]);
    assert.equal(planned.code, 0, planned.stderr);
    const config = join(aws.dir, 'erin-exempt.json');
    writeFileSync(
      config,
      JSON.stringify({
        exemptions: [{ principal: 'erin', owner: 'sec', reason: 'for now', expires: '2099-12-31' }],
      }),
    );
    const applied = await cli(['apply', plan, '--yes', '--config', config]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.deepEqual([await status('alice'), await status('erin')], ['Inactive', 'Active']);
    return { plan, journal: `${plan}.journal.jsonl` };
  }

  it('an undo while apply waits for its answer: apply refuses, and the plan the undo reversed stays reversed', async () => {
    const { plan, journal } = await planAppliedOnce();
    const asking = await prompted(['apply', plan]);
    // meanwhile, another terminal reverses the plan
    const undone = await cli(['undo', journal, '--yes', '--trust-unsigned-journal']);
    assert.equal(undone.code, 0, undone.stderr);
    assert.equal(await status('alice'), 'Active');
    const lines = readJournal(journal).length;

    const applied = await asking.answer('y');
    assert.equal(applied.code, 2, applied.stdout + applied.stderr);
    assert.match(
      applied.stderr,
      /credsweep: .*plan\.json\.journal\.jsonl: the journal changed while apply was waiting for the confirmation/,
    );
    assert.deepEqual([await status('alice'), await status('erin')], ['Active', 'Active'], 'nothing changed');
    assert.equal(readJournal(journal).length, lines, 'nothing journalled');
  });

  it('an undo while another undo waits: the second refuses, and a responder’s deactivation since stands', async () => {
    const { journal } = await planAppliedOnce();
    const asking = await prompted(['undo', journal, '--trust-unsigned-journal']);
    assert.equal((await cli(['undo', journal, '--yes', '--trust-unsigned-journal'])).code, 0);
    // a responder deactivates alice's key again, by hand
    await aws.iam.send(
      new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: keys.alice!, Status: 'Inactive' }),
    );
    const undone = await asking.answer('y');
    assert.equal(undone.code, 2, undone.stdout + undone.stderr);
    assert.match(undone.stderr, /the journal changed while undo was waiting for the confirmation/);
    assert.equal(await status('alice'), 'Inactive', "the responder's deactivation stands");
  });

  it('control: with nothing written in between, the answer carries the run out', async () => {
    const { plan } = await planAppliedOnce();
    const asking = await prompted(['apply', plan]);
    const applied = await asking.answer('y');
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(await status('erin'), 'Inactive');
  });
});
