/**
 * apply's note that an unsealed journal's deactivation dates were not used (the plan's `--journal`
 * files, without `--trust-unsigned-journal`) comes before its confirmation, where the user reads it
 * before answering: it used to come after the answer, once the deletions it explains were agreed
 * to. In process (runCli on a terminal: promptedCli), against moto_server.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { runCli } from '../../src/cli/program.ts';
import { remediationPlanSchema } from '../../src/model/remediation-plan.ts';
import { cliOnMoto } from '../helpers/cli.ts';
import { seedUser } from '../helpers/seed-iam.ts';

describe("apply: the note that an unsealed journal's dates were not used comes before the prompt (moto)", () => {
  const aws = cliOnMoto({
    runCli,
    dir: 'credsweep-apply-journal-note-',
    fresh: 'once',
    seed: ({ moto, iam }) =>
      seedUser(moto, iam, { name: 'carol', createdDaysAgo: 300, keys: [{ createdDaysAgo: 300 }] }),
  });
  const { cli } = aws;

  it('on a terminal: the note, then the question; answering no changes nothing', async () => {
    const findings = join(aws.dir, 'findings.json');
    const planFile = join(aws.dir, 'plan.json');
    assert.equal((await cli(['audit', '--format', 'json', '--output', findings])).code, 0);
    assert.equal((await cli(['plan', '--from', findings, '--output', planFile])).code, 0);
    assert.equal((await cli(['apply', planFile, '--yes'])).code, 0);
    const journal = `${planFile}.journal.jsonl`;
    const later = join(aws.dir, 'findings-2.json');
    const deletions = join(aws.dir, 'deletions.json');
    assert.equal((await cli(['audit', '--format', 'json', '--output', later])).code, 0);
    const planned = await cli([
      'plan',
      '--from',
      later,
      '--journal',
      journal,
      '--trust-unsigned-journal',
      '--delete-after',
      '0',
      '--allow-irreversible',
      '--output',
      deletions,
    ]);
    assert.equal(planned.code, 0, planned.stderr);
    const plan = remediationPlanSchema.parse(JSON.parse(readFileSync(deletions, 'utf8')));
    assert.deepEqual(
      plan.steps.map((s) => s.action),
      ['delete-access-key'],
    );

    const asking = await aws.prompted(['apply', deletions, '--allow-irreversible']);
    const note = asking.asked.indexOf(
      `credsweep: ${journal}: its deactivation and quarantine dates were not used`,
    );
    assert.ok(note >= 0, `the note is there before the question:\n${asking.asked}`);
    assert.ok(note < asking.asked.indexOf('Proceed?'), asking.asked);
    const answered = await asking.answer('n');
    assert.equal(answered.code, 0, answered.stderr);
    assert.equal(
      answered.stderr.split('its deactivation and quarantine dates were not used').length,
      2,
      'said once',
    );
    const keys = (await aws.iam.send(new ListAccessKeysCommand({ UserName: 'carol' }))).AccessKeyMetadata;
    assert.equal(keys?.length, 1, 'nothing deleted');
  });
});
