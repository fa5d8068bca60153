/**
 * `plan --from` holds each finding's account to what IAM account ids are, exactly 12 digits, and to
 * the account its own ARN names: a findings file with account `12345`, or with an ARN in another
 * account than the finding's, is one InputError line naming the file and the finding (exit 2), not
 * a plan whose steps go to an account that cannot exist, or to one the ARN does not name. In process
 * (runCli), against moto_server.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../src/cli/program.ts';
import { cliOnMoto } from '../helpers/cli.ts';
import { seedUser } from '../helpers/seed-iam.ts';

describe('plan --from: every finding is in a 12-digit account, the one its ARN names (moto)', () => {
  let findings: { findings: { accountId: string; arn: string; principalName: string }[] };
  const aws = cliOnMoto({
    runCli,
    dir: 'credsweep-plan-accounts-',
    fresh: 'once',
    seed: async ({ moto, iam, dir, cli }) => {
      await seedUser(moto, iam, { name: 'alice', createdDaysAgo: 300, keys: [{ createdDaysAgo: 300 }] });
      const file = join(dir, 'findings.json');
      assert.equal((await cli(['audit', '--format', 'json', '--output', file])).code, 0);
      findings = JSON.parse(readFileSync(file, 'utf8'));
      assert.ok(findings.findings.length > 0);
    },
  });
  const { cli } = aws;

  const cases: [string, (f: { accountId: string; arn: string; principalName: string }) => void, RegExp][] = [
    [
      'a 5-digit account (and ARN)',
      (f) => {
        f.arn = f.arn.replace(f.accountId, '12345');
        f.accountId = '12345';
      },
      /findings\.0\.accountId: "12345" is not an AWS account id \(12 digits\)/,
    ],
    [
      'a 13-digit account',
      (f) => {
        f.arn = f.arn.replace(f.accountId, `${f.accountId}0`);
        f.accountId = `${f.accountId}0`;
      },
      /findings\.0\.accountId: "\d{13}" is not an AWS account id \(12 digits\)/,
    ],
    [
      'an ARN in another account than the finding',
      (f) => {
        f.arn = f.arn.replace(f.accountId, '210987654321');
      },
      /findings\.0\.arn: names account 210987654321, not the finding's \d{12}/,
    ],
    [
      // plan acted on the name (IAM's UserName) while exemptions and the reviewer go by the ARN
      'a principalName other than the user its ARN names',
      (f) => {
        f.principalName = 'breakglass';
      },
      /findings\.0\.principalName: "breakglass" is not the user its ARN names \("alice"\)/,
    ],
    [
      'a user finding whose ARN is a role',
      (f) => {
        f.arn = f.arn.replace(':user/', ':role/');
      },
      /findings\.0\.principalName: "alice" is not the role its ARN names/,
    ],
    [
      'a user finding whose ARN names no user',
      (f) => {
        f.arn = f.arn.replace(':user/alice', ':alice');
      },
      /findings\.0\.arn: not the ARN of an IAM user: "arn:aws:iam::\d{12}:alice"/,
    ],
  ];
  for (const [name, edit, message] of cases) {
    it(`${name}: exit 2, one line naming the file and the finding, no plan written`, async () => {
      const edited = structuredClone(findings);
      edit(edited.findings[0]!);
      const file = join(aws.dir, `edited-${cases.findIndex((c) => c[0] === name)}.json`);
      writeFileSync(file, JSON.stringify(edited));
      const out = join(aws.dir, 'plan.json');
      const run = await cli(['plan', '--from', file, '--output', out]);
      assert.equal(run.code, 2, run.stdout + run.stderr);
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.ok(lines[0]!.startsWith(`credsweep: ${file}: `), run.stderr);
      assert.match(lines[0]!, message);
    });
  }
});
