/**
 * `plan --exempt-tag KEY[=VALUE]`: principals with that tag are never planned (as well as those with
 * the default `credsweep:exempt=true`), and the plan records the tag, so `apply` honours it too: a
 * principal tagged so after planning is left as it is. In process (runCli), against moto_server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IAMClient, ListAccessKeysCommand, TagUserCommand } from '@aws-sdk/client-iam';
import { runCli } from '../../src/cli/program.ts';
import { remediationPlanSchema } from '../../src/model/remediation-plan.ts';
import { capturedCli } from '../helpers/cli.ts';
import { MOTO_CLI_ENV, type MotoServer, setMotoCliEnv, startMoto } from '../helpers/moto.ts';
import { seedUser } from '../helpers/seed-iam.ts';

describe('plan --exempt-tag: never planned, and recorded for apply (moto)', () => {
  let moto: MotoServer;
  let iam: IAMClient;
  let dir: string;
  let restoreEnv: () => void;

  before(async () => {
    moto = await startMoto();
    restoreEnv = setMotoCliEnv();
    iam = new IAMClient(moto.clientConfig());
    dir = mkdtempSync(join(tmpdir(), 'credsweep-plan-exempt-tag-'));
    const unused = { createdDaysAgo: 300, keys: [{ createdDaysAgo: 300 }] };
    await seedUser(moto, iam, { name: 'kept', ...unused, tags: { 'Team:Keep': 'YES' } });
    await seedUser(moto, iam, { name: 'later', ...unused });
    await seedUser(moto, iam, { name: 'plain', ...unused });
  });
  after(async () => {
    restoreEnv();
    iam.destroy();
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[]) =>
    capturedCli(runCli, [...args, '--endpoint-url', moto.endpoint], MOTO_CLI_ENV);
  const keyStatus = async (user: string) =>
    (await iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata?.[0]?.Status;

  it('skips a principal with the tag at plan, records the tag, and apply skips one tagged since', async () => {
    const findings = join(dir, 'findings.json');
    const planFile = join(dir, 'plan.json');
    assert.equal((await cli(['audit', '--format', 'json', '--output', findings])).code, 0);
    const planned = await cli([
      'plan',
      '--from',
      findings,
      '--exempt-tag',
      'team:keep=yes',
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
    await iam.send(new TagUserCommand({ UserName: 'later', Tags: [{ Key: 'TEAM:KEEP', Value: 'yes' }] }));
    const applied = await cli(['apply', planFile, '--yes']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /skipped\s+deactivate-access-key\s+\d+\s+later\s.*exempt/);
    assert.deepEqual(
      [await keyStatus('kept'), await keyStatus('later'), await keyStatus('plain')],
      ['Active', 'Active', 'Inactive'],
    );
  });
});
