/**
 * `credsweep export securityhub` against moto's Security Hub: findings are imported in batches of
 * 100, read back with GetFindings, re-imports update instead of duplicating, refused findings are
 * reported one by one, and failures exit 3 with one line per problem.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type AwsSecurityFinding, GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { assembleAuditReport } from '../../src/audit/audit-report.ts';
import { importFindingsToSecurityHub } from '../../src/export/security-hub.ts';
import type { AuditReport, Finding } from '../../src/model/finding.ts';
import { type AsffFinding, toAsffFindings } from '../../src/reporters/asff.ts';
import { AS_OF, aFinding } from '../helpers/builders.ts';
import { runCredsweep } from '../helpers/cli.ts';
import { MOTO_DEFAULT_ACCOUNT, MOTO_CLI_ENV, type MotoServer, startMoto } from '../helpers/moto.ts';

const MOTO_ENV = {
  ...MOTO_CLI_ENV,
};

/**
 * credsweep's own lines on standard error. On Node 20 the AWS SDK also prints its NodeVersionSupport
 * warning there (once per process), which is not ours to assert on.
 */
function credsweepLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('credsweep:'));
}

async function allFindings(client: SecurityHubClient): Promise<AwsSecurityFinding[]> {
  const found: AwsSecurityFinding[] = [];
  let NextToken: string | undefined;
  for (let page = 0; page < 100; page++) {
    const response = await client.send(new GetFindingsCommand({ MaxResults: 100, NextToken }));
    found.push(...(response.Findings ?? []));
    NextToken = response.NextToken;
    if (!NextToken) return found;
  }
  throw new Error('GetFindings did not stop paging');
}

function manyFindings(count: number): AuditReport {
  const findings: Finding[] = Array.from({ length: count }, (_, i) =>
    aFinding({
      accountId: MOTO_DEFAULT_ACCOUNT,
      principalName: `user-${i}`,
      arn: `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT}:user/user-${i}`,
      status: i % 3 === 0 ? 'in_use' : 'unused',
    }),
  );
  return assembleAuditReport({ generatedAt: AS_OF, asOf: AS_OF, thresholdDays: 90 }, findings);
}

describe('export securityhub (moto)', () => {
  let moto: MotoServer;
  let hub: SecurityHubClient;
  let dir: string;

  before(async () => {
    moto = await startMoto();
    hub = new SecurityHubClient(moto.clientConfig());
    dir = mkdtempSync(join(tmpdir(), 'credsweep-securityhub-'));
  });
  after(async () => {
    hub?.destroy();
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => moto.reset());

  it('imports the audit as ASFF, reads it back with GetFindings, and updates on re-import', async () => {
    // The demo account's report, moved into moto's default account: BatchImportFindings accepts
    // findings only for the calling account (the default product's account).
    const csv = join(dir, 'report.csv');
    writeFileSync(
      csv,
      readFileSync('examples/demo/credential-report.csv', 'utf8').replaceAll(
        '210987654321',
        MOTO_DEFAULT_ACCOUNT,
      ),
    );
    const json = join(dir, 'findings.json');
    const audit = await runCredsweep([
      'audit',
      '--report',
      csv,
      '--as-of',
      '2026-11-01T18:00:00Z',
      '--format',
      'json',
      '--output',
      json,
    ]);
    assert.equal(audit.code, 0, audit.stderr);
    const report = JSON.parse(readFileSync(json, 'utf8')) as AuditReport;

    const exportArgs = ['export', 'securityhub', '--from', json, '--endpoint-url', moto.endpoint];
    const first = await runCredsweep(exportArgs, { env: MOTO_ENV });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(credsweepLines(first.stderr), [], 'nothing refused');
    assert.match(
      first.stdout,
      new RegExp(
        `imported ${report.findings.length} of ${report.findings.length} findings into Security Hub \\(account ${MOTO_DEFAULT_ACCOUNT}, us-east-1\\) in 1 batch`,
      ),
    );

    const stored = await allFindings(hub);
    assert.equal(stored.length, report.findings.length);
    const expected = toAsffFindings(report, { region: 'us-east-1', productAccountId: MOTO_DEFAULT_ACCOUNT });
    assert.deepEqual(new Set(stored.map((f) => f.Id)), new Set(expected.map((f) => f.Id)));

    const kevinKey = stored.find(
      (f) =>
        f.Id ===
        `credsweep/${MOTO_DEFAULT_ACCOUNT}/arn:aws:iam::${MOTO_DEFAULT_ACCOUNT}:user/kevin.obrien/access_key_1`,
    );
    assert.ok(kevinKey, 'the unused key of kevin.obrien');
    assert.equal(kevinKey.SchemaVersion, '2018-10-08');
    assert.equal(
      kevinKey.ProductArn,
      `arn:aws:securityhub:us-east-1:${MOTO_DEFAULT_ACCOUNT}:product/${MOTO_DEFAULT_ACCOUNT}/default`,
    );
    assert.equal(kevinKey.AwsAccountId, MOTO_DEFAULT_ACCOUNT);
    assert.equal(kevinKey.GeneratorId, 'credsweep/access-key-unused');
    assert.equal(kevinKey.Severity?.Label, 'HIGH');
    assert.equal(kevinKey.Compliance?.Status, 'FAILED');
    assert.equal(kevinKey.RecordState, 'ACTIVE');
    assert.deepEqual(
      kevinKey.Resources?.map((r) => [r.Type, r.Id, r.Partition, r.Region]),
      [['AwsIamUser', `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT}:user/kevin.obrien`, 'aws', 'us-east-1']],
    );
    assert.match(kevinKey.Title ?? '', /unused: access key 1 of IAM user kevin\.obrien/);

    // Re-importing updates in place: same ids, no duplicates.
    const second = await runCredsweep(exportArgs, { env: MOTO_ENV });
    assert.equal(second.code, 0, second.stderr);
    assert.equal((await allFindings(hub)).length, report.findings.length);
  });

  it('sends batches of at most 100 and reads every finding back', async () => {
    const findings = toAsffFindings(manyFindings(250), { region: 'us-east-1' });
    const result = await importFindingsToSecurityHub(hub, findings);
    assert.deepEqual(result, { imported: 250, refused: [], notSent: 0, batches: 3 });
    const stored = await allFindings(hub);
    assert.equal(stored.length, 250);
    assert.equal(stored.filter((f) => f.Compliance?.Status === 'PASSED').length, 84);
    assert.ok(
      stored.filter((f) => f.Compliance?.Status === 'PASSED').every((f) => f.RecordState === 'ARCHIVED'),
    );
  });

  it('reports the findings Security Hub refuses and imports the rest of the batch', async () => {
    const findings = toAsffFindings(manyFindings(3), { region: 'us-east-1' });
    // moto refuses a finding without resources (as Security Hub does).
    const broken: AsffFinding = { ...findings[1]!, Resources: [] };
    const result = await importFindingsToSecurityHub(hub, [findings[0]!, broken, findings[2]!]);
    assert.equal(result.imported, 2);
    assert.deepEqual(
      result.refused.map((r) => [r.id, r.code]),
      [[broken.Id, 'InvalidInput']],
    );
    assert.equal((await allFindings(hub)).length, 2);
  });

  it('a failed call stops the export: what was not sent is counted, exit 3 with one line', async () => {
    const json = join(dir, 'few.json');
    writeFileSync(json, JSON.stringify(manyFindings(5)));
    // Nothing listens on port 9 of the loopback: every call fails to connect.
    const run = await runCredsweep(
      ['export', 'securityhub', '--from', json, '--endpoint-url', 'http://127.0.0.1:9'],
      { env: { ...MOTO_ENV, AWS_MAX_ATTEMPTS: '1' } },
    );
    assert.equal(run.code, 3, run.stderr);
    const lines = credsweepLines(run.stderr);
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /^credsweep: sts:GetCallerIdentity failed: /);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  });

  it('a file that is not an audit JSON is an input error (exit 2, one line)', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"schemaVersion": 1, "findings": "nope"}');
    const run = await runCredsweep(
      ['export', 'securityhub', '--from', bad, '--endpoint-url', moto.endpoint],
      {
        env: MOTO_ENV,
      },
    );
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      `credsweep: ${bad}: not a credsweep audit JSON: generatedAt: Invalid input: expected string, received undefined\n`,
    );
  });

  it('export without a target is a usage error (exit 2, one line)', async () => {
    const run = await runCredsweep(['export']);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'credsweep: export needs a target: credsweep export securityhub --from FILE\n');
  });
});
