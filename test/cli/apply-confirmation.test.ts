/**
 * What apply's confirmation lists is what it carries out: a step the plan file alone rules out before
 * any AWS call (an irreversible one without `apply --allow-irreversible`, an account the plan's audit
 * did not cover, an action for another kind of credential) is not listed or counted as one it will
 * take, but as one it will not, with why. In process (runCli on a terminal), against moto_server.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { runCli } from '../../src/cli/program.ts';
import { type RemediationPlan, remediationPlanSchema } from '../../src/model/remediation-plan.ts';
import { sealPlan } from '../../src/remediation/plan-digest.ts';
import { cliOnMoto } from '../helpers/cli.ts';
import { seedUser } from '../helpers/seed-iam.ts';

describe('apply: the confirmation lists the steps it will take, and those it will not (moto)', () => {
  const aws = cliOnMoto({
    runCli,
    dir: 'credsweep-apply-confirm-',
    fresh: 'once',
    seed: ({ moto, iam }) =>
      seedUser(moto, iam, {
        name: 'alice',
        createdDaysAgo: 300,
        password: true,
        keys: [{ createdDaysAgo: 300 }],
      }),
  });
  const { cli } = aws;
  const keyStatuses = async (user: string) =>
    ((await aws.iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata ?? []).map(
      (k) => k.Status,
    );

  it('an irreversible step without apply --allow-irreversible, a step in an account not audited: listed as not carried out', async () => {
    const findings = join(aws.dir, 'findings.json');
    const planFile = join(aws.dir, 'plan.json');
    assert.equal((await cli(['audit', '--format', 'json', '--output', findings])).code, 0);
    const planned = await cli(['plan', '--from', findings, '--allow-irreversible', '--output', planFile]);
    assert.equal(planned.code, 0, planned.stderr);
    const plan: RemediationPlan = remediationPlanSchema.parse(JSON.parse(readFileSync(planFile, 'utf8')));
    assert.deepEqual(plan.steps.map((s) => s.action).sort(), [
      'deactivate-access-key',
      'delete-login-profile',
    ]);
    // and a step of an account the audit did not cover (an edited plan, its SHA-256 digest recomputed)
    const key = plan.steps.find((s) => s.action === 'deactivate-access-key')!;
    const { digest: _, ...content } = structuredClone(plan);
    content.steps.push({
      ...key,
      id: `111111111111/deactivate-access-key/${key.accessKeyId}-other`,
      accountId: '111111111111',
      arn: 'arn:aws:iam::111111111111:user/alice',
      accessKeyId: 'AKIAOTHERACCOUNT0001',
    });
    writeFileSync(planFile, JSON.stringify(sealPlan(content, undefined)));

    const asking = await aws.prompted(['apply', planFile]);
    const listed = asking.asked.split('\n');
    const table = listed.filter((l) => /deactivate-access-key|delete-login-profile/.test(l));
    assert.equal(table.length, 3, asking.asked);
    assert.match(table[0]!, /^yes\s+deactivate-access-key\s+123456789012\s+alice\s+AKIA/);
    assert.match(
      table[1]!,
      /^not carried out: delete-login-profile password \(123456789012 alice\): delete-login-profile cannot be undone and apply was not given --allow-irreversible$/,
    );
    assert.match(
      table[2]!,
      /^not carried out: deactivate-access-key AKIAOTHERACCOUNT0001 \(111111111111 alice\): account 111111111111 is not one the plan's audit covered$/,
    );
    assert.match(
      asking.asked,
      /\n1 step in 1 account: 1 reversible, 0 irreversible; 2 more not carried out \(listed above\)\n/,
    );
    const applied = await asking.answer('y');
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /1 done, 0 already done, 2 skipped, 0 failed/);
    const keys =
      (await aws.iam.send(new ListAccessKeysCommand({ UserName: 'alice' }))).AccessKeyMetadata ?? [];
    assert.deepEqual(
      keys.map((k) => k.Status),
      ['Inactive'],
    );
  });

  it('a plan not sealed with a plan key, made with --days 3: apply says it judges with 90 days, lists the step and skips it; apply --days 3 acts', async () => {
    await seedUser(aws.moto, aws.iam, {
      name: 'dora',
      createdDaysAgo: 20,
      keys: [{ createdDaysAgo: 20, usedDaysAgo: 5 }],
    });
    const findings = join(aws.dir, 'findings-3.json');
    const planFile = join(aws.dir, 'plan-3.json');
    assert.equal((await cli(['audit', '--days', '3', '--format', 'json', '--output', findings])).code, 0);
    const planned = await cli(['plan', '--from', findings, '--include', 'dora', '--output', planFile]);
    assert.equal(planned.code, 0, planned.stderr);
    const plan = remediationPlanSchema.parse(JSON.parse(readFileSync(planFile, 'utf8')));
    assert.deepEqual(
      plan.steps.map((s) => `${s.principalName}:${s.action}`),
      ['dora:deactivate-access-key'],
    );
    assert.equal(plan.audit.thresholdDays, 3);
    const line =
      "this plan is not sealed with a plan key: apply judges access keys with 90 days, not the plan's 3 (apply --days to change it); each step below is judged again with it right before it is carried out";

    const asking = await aws.prompted(['apply', planFile]);
    const listed = asking.asked.split('\n');
    const at = listed.indexOf(line);
    assert.ok(at !== -1, asking.asked);
    assert.ok(
      listed.findIndex((l) => /deactivate-access-key/.test(l)) > at,
      'said before the steps, which are listed (the threshold is a live check)',
    );
    assert.match(asking.asked, /\n1 step in 1 account: 1 reversible, 0 irreversible\n/);
    const applied = await asking.answer('y');
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(
      applied.stdout,
      /skipped.*dora.*changed_since_plan: .*last used 5 days ago: not unused now \(threshold 90\)/,
    );
    assert.deepEqual(await keyStatuses('dora'), ['Active']);

    const unattended = await cli(['apply', planFile, '--yes']);
    assert.equal(unattended.code, 0, unattended.stderr);
    assert.ok(unattended.stderr.includes(`credsweep: ${line}\n`), unattended.stderr);
    assert.deepEqual(await keyStatuses('dora'), ['Active']);

    const told = await cli(['apply', planFile, '--yes', '--days', '3']);
    assert.equal(told.code, 0, told.stderr);
    assert.doesNotMatch(told.stderr, /not sealed/);
    assert.deepEqual(await keyStatuses('dora'), ['Inactive']);
  });

  it("a plan made with a configuration file's exemptions is not applied without one: an exemption added since must count", async () => {
    for (const name of ['bert', 'cleo']) {
      await seedUser(aws.moto, aws.iam, { name, createdDaysAgo: 300, keys: [{ createdDaysAgo: 300 }] });
    }
    const findings = join(aws.dir, 'findings-2.json');
    const planFile = join(aws.dir, 'plan-2.json');
    const config = join(aws.dir, 'credsweep.config.json');
    const exemption = (principal: string) => ({
      principal,
      owner: 'sec',
      reason: `keep ${principal}`,
      expires: '2099-12-31',
    });
    writeFileSync(config, JSON.stringify({ exemptions: [exemption('alice')] }));
    assert.equal((await cli(['audit', '--format', 'json', '--output', findings])).code, 0);
    const planned = await cli([
      'plan',
      '--from',
      findings,
      '--config',
      config,
      '--include',
      'bert,cleo',
      '--output',
      planFile,
    ]);
    assert.equal(planned.code, 0, planned.stderr);
    const plan = remediationPlanSchema.parse(JSON.parse(readFileSync(planFile, 'utf8')));
    assert.deepEqual(plan.steps.map((s) => s.principalName).sort(), ['bert', 'cleo']);
    // since the plan, cleo is exempted in that file; apply run elsewhere, without --config, finds none
    writeFileSync(config, JSON.stringify({ exemptions: [exemption('alice'), exemption('cleo')] }));
    const refused = await cli(['apply', planFile, '--yes']);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(
      refused.stderr,
      /the plan was made with the exemptions of .*credsweep\.config\.json, and apply has no configuration file/,
    );
    assert.deepEqual([...(await keyStatuses('bert')), ...(await keyStatuses('cleo'))], ['Active', 'Active']);
    const applied = await cli(['apply', planFile, '--yes', '--config', config]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.deepEqual(
      [...(await keyStatuses('bert')), ...(await keyStatuses('cleo'))],
      ['Inactive', 'Active'],
    );
  });
});
