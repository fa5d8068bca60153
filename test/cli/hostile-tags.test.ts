/**
 * HTML- and formula-injection in AWS tag values, live against moto: a user exempted by a tag whose
 * value is markup (the reason quotes the tag) and users whose tags hold formulas. JSON keeps the
 * values as data; HTML and Markdown never let them through as markup; CSV never starts a cell
 * with a formula character.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, TagUserCommand } from '@aws-sdk/client-iam';
import { parse } from 'csv-parse/sync';
import { runCredsweep } from '../helpers/cli.ts';
import { MOTO_CLI_ENV, type MotoServer, startMoto } from '../helpers/moto.ts';

const MARKUP = '<img src=x onerror=alert(1)>';
const FORMULA = '=HYPERLINK("http://evil.example","x")';

let moto: MotoServer;

before(async () => {
  moto = await startMoto();
  const iam = new IAMClient(moto.clientConfig());
  for (const [UserName, value] of [
    ['tagged-markup', MARKUP],
    ['tagged-formula', FORMULA],
  ] as const) {
    await iam.send(new CreateUserCommand({ UserName }));
    await iam.send(new CreateAccessKeyCommand({ UserName }));
    await iam.send(new TagUserCommand({ UserName, Tags: [{ Key: 'credsweep:exempt', Value: value }] }));
  }
  iam.destroy();
});
after(async () => {
  await moto?.stop();
});

function audit(format: string, exemptValue: string) {
  return runCredsweep(
    [
      'audit',
      '--endpoint-url',
      moto.endpoint,
      '--source',
      'api',
      '--exempt-tag',
      `credsweep:exempt=${exemptValue}`,
      '--as-of',
      '2030-01-01',
      '--format',
      format,
    ],
    {
      env: MOTO_CLI_ENV,
    },
  );
}

describe('hostile tag values from AWS', () => {
  it('JSON keeps the tag value as data in the exemption reason', async () => {
    const run = await audit('json', MARKUP);
    assert.equal(run.code, 0, run.stderr);
    const findings = (
      JSON.parse(run.stdout) as { findings: Array<{ principalName: string; status: string; reason: string }> }
    ).findings;
    const exempt = findings.find((f) => f.principalName === 'tagged-markup');
    assert.equal(exempt?.status, 'exempt');
    assert.ok(exempt.reason.includes(MARKUP), exempt.reason);
  });

  for (const format of ['html', 'md']) {
    it(`--format ${format}: a markup tag value never comes out as markup`, async () => {
      const run = await audit(format, MARKUP);
      assert.equal(run.code, 0, run.stderr);
      // The Markdown summary lists unused credentials only; the HTML report lists every finding.
      if (format === 'html') assert.match(run.stdout, /tagged-markup/);
      assert.ok(!run.stdout.includes(MARKUP), `raw ${MARKUP} in the ${format} report`);
      assert.ok(!/<img\b/i.test(run.stdout), `an <img> tag in the ${format} report`);
    });
  }

  it('--format csv: a formula tag value never starts a cell', async () => {
    const run = await audit('csv', FORMULA);
    assert.equal(run.code, 0, run.stderr);
    const rows: string[][] = parse(run.stdout);
    assert.ok(
      rows.some((r) => r.join(',').includes('HYPERLINK')),
      'the exempt reason quotes the tag',
    );
    for (const row of rows)
      for (const cell of row) if (!/^-?\d+$/.test(cell)) assert.doesNotMatch(cell, /^[=+\-@\t\r]/);
  });
});
