/**
 * `plan --exempt-tag KEY[=VALUE]`: principals with that tag are never planned (as well as those with
 * the default `credsweep:exempt=true`), and the plan records the tag, so `apply` honours it too: a
 * principal tagged so after planning is left as it is, and apply's journal records it, so `undo`
 * leaves a principal tagged so since the apply as it is too. In process (runCli), against moto_server.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ListAccessKeysCommand, TagUserCommand } from '@aws-sdk/client-iam';
import { runCli } from '../../src/cli/program.ts';
import { remediationPlanSchema } from '../../src/model/remediation-plan.ts';
import { cliOnMoto } from '../helpers/cli.ts';
import { seedUser } from '../helpers/seed-iam.ts';

describe('plan --exempt-tag: never planned, and recorded for apply (moto)', () => {
  const aws = cliOnMoto({
    runCli,
    dir: 'credsweep-plan-exempt-tag-',
    fresh: 'once',
    seed: async ({ moto, iam }) => {
      const unused = { createdDaysAgo: 300, keys: [{ createdDaysAgo: 300 }] };
      await seedUser(moto, iam, { name: 'kept', ...unused, tags: { 'Team:Keep': 'YES' } });
      await seedUser(moto, iam, { name: 'later', ...unused });
      await seedUser(moto, iam, { name: 'plain', ...unused });
      await seedUser(moto, iam, { name: 'undone', ...unused });
      await seedUser(moto, iam, { name: 'frozen', ...unused });
    },
  });
  const { cli } = aws;
  const keyStatus = async (user: string) =>
    (await aws.iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata?.[0]?.Status;

  it('skips a principal with the tag at plan, records the tag, and apply skips one tagged since', async () => {
    const findings = join(aws.dir, 'findings.json');
    const planFile = join(aws.dir, 'plan.json');
    assert.equal((await cli(['audit', '--format', 'json', '--output', findings])).code, 0);
    const planned = await cli([
      'plan',
      '--from',
      findings,
      '--exempt-tag',
      'team:keep=yes',
      '--exclude',
      'undone',
      '--exclude',
      'frozen',
      '--output',
      planFile,
    ]);
    assert.equal(planned.code, 0, planned.stderr);
    const plan = remediationPlanSchema.parse(JSON.parse(readFileSync(planFile, 'utf8')));
    assert.deepEqual(plan.steps.map((s) => s.principalName).sort(), ['later', 'plain']);
    const kept = plan.skipped.find((s) => s.principalName === 'kept');
    assert.equal(kept?.reason, 'exempt');
    assert.match(kept!.detail, /exempt by tag team:keep=YES/);
    assert.deepEqual(plan.options.exemptTags, [{ tagKey: 'team:keep', tagValue: 'yes' }]);

    // since the plan, `later` carries the tag (its key in other case: IAM keeps one key per user)
    await aws.iam.send(new TagUserCommand({ UserName: 'later', Tags: [{ Key: 'TEAM:KEEP', Value: 'yes' }] }));
    const applied = await cli(['apply', planFile, '--yes']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /skipped\s+deactivate-access-key\s+\d+\s+later\s.*exempt/);
    assert.deepEqual(
      [await keyStatus('kept'), await keyStatus('later'), await keyStatus('plain')],
      ['Active', 'Active', 'Inactive'],
    );
  });

  it("undo leaves a principal tagged since the apply with the plan's exempt tag as it is (the journal records the tag)", async () => {
    const findings = join(aws.dir, 'findings-undo.json');
    const planFile = join(aws.dir, 'plan-undo.json');
    const journal = join(aws.dir, 'undo.journal.jsonl');
    const keyFile = join(aws.dir, 'plan.key');
    writeFileSync(keyFile, 'a plan key of at least sixteen bytes');
    const sealed = ['--plan-key-file', keyFile];
    assert.equal((await cli(['audit', '--format', 'json', '--output', findings])).code, 0);
    const planned = await cli([
      'plan',
      '--from',
      findings,
      '--exempt-tag',
      'team:keep=yes',
      '--include',
      'undone',
      '--include',
      'frozen',
      '--output',
      planFile,
      ...sealed,
    ]);
    assert.equal(planned.code, 0, planned.stderr);
    const applied = await cli(['apply', planFile, '--yes', '--journal', journal, ...sealed]);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const run = JSON.parse(readFileSync(journal, 'utf8').split('\n')[0]!);
    assert.deepEqual(
      run.exemptTags,
      [{ tagKey: 'team:keep', tagValue: 'yes' }],
      'the run line records the tag',
    );
    assert.deepEqual([await keyStatus('undone'), await keyStatus('frozen')], ['Inactive', 'Inactive']);

    // a responder tags `frozen` with the plan's exempt tag (not the default one, not the configuration's)
    await aws.iam.send(
      new TagUserCommand({ UserName: 'frozen', Tags: [{ Key: 'Team:Keep', Value: 'Yes' }] }),
    );
    const undone = await cli(['undo', journal, '--yes', ...sealed]);
    assert.equal(undone.code, 0, undone.stdout + undone.stderr);
    assert.match(undone.stdout, /frozen\s.*exempt now \(exempt by tag team:keep=Yes\)/);
    assert.deepEqual([await keyStatus('undone'), await keyStatus('frozen')], ['Active', 'Inactive']);
  });
});
