/**
 * apply's note that an unsealed journal's deactivation dates were not used (the plan's `--journal`
 * files, without `--trust-unsigned-journal`) comes before its confirmation, where the user reads it
 * before answering: it used to come after the answer, once the deletions it explains were agreed
 * to. In process (runCli on a terminal: promptedCli), against moto_server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { runCli } from '../../src/cli/program.ts';
import { remediationPlanSchema } from '../../src/model/remediation-plan.ts';
import { capturedCli, promptedCli } from '../helpers/cli.ts';
import { MOTO_CLI_ENV, type MotoServer, setMotoCliEnv, startMoto } from '../helpers/moto.ts';
import { seedUser } from '../helpers/seed-iam.ts';

describe("apply: the note that an unsealed journal's dates were not used comes before the prompt (moto)", () => {
  let moto: MotoServer;
  let iam: IAMClient;
  let dir: string;
  let restoreEnv: () => void;

  before(async () => {
    moto = await startMoto();
    restoreEnv = setMotoCliEnv();
    iam = new IAMClient(moto.clientConfig());
    dir = mkdtempSync(join(tmpdir(), 'credsweep-apply-journal-note-'));
    await seedUser(moto, iam, { name: 'carol', createdDaysAgo: 300, keys: [{ createdDaysAgo: 300 }] });
  });
  after(async () => {
    restoreEnv();
    iam.destroy();
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[]) =>
    capturedCli(runCli, [...args, '--endpoint-url', moto.endpoint], MOTO_CLI_ENV);

  it('on a terminal: the note, then the question; answering no changes nothing', async () => {
    const findings = join(dir, 'findings.json');
    const planFile = join(dir, 'plan.json');
    assert.equal((await cli(['audit', '--format', 'json', '--output', findings])).code, 0);
    assert.equal((await cli(['plan', '--from', findings, '--output', planFile])).code, 0);
    assert.equal((await cli(['apply', planFile, '--yes'])).code, 0);
    const journal = `${planFile}.journal.jsonl`;
    const later = join(dir, 'findings-2.json');
    const deletions = join(dir, 'deletions.json');
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

    const asking = await promptedCli(
      runCli,
      ['apply', deletions, '--allow-irreversible', '--endpoint-url', moto.endpoint],
      { ...MOTO_CLI_ENV },
    );
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
    const keys = (await iam.send(new ListAccessKeysCommand({ UserName: 'carol' }))).AccessKeyMetadata;
    assert.equal(keys?.length, 1, 'nothing deleted');
  });
});
