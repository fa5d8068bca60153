/**
 * `--format asff`: the fields BatchImportFindings requires, stable ids, and the mapping of each
 * status to severity, compliance, workflow and record state. (Importing into moto's Security Hub is
 * test/export/security-hub.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleAuditReport } from '../../src/audit/audit-report.ts';
import type { Finding } from '../../src/model/finding.ts';
import { asffReporter, toAsffFindings } from '../../src/reporters/asff.ts';
import { AS_OF, aFinding } from '../helpers/builders.ts';
import { auditDemo } from '../helpers/cli.ts';

/** BatchImportFindings' required top-level attributes (ASFF reference, "Required top-level attributes"). */
const REQUIRED = [
  'AwsAccountId',
  'CreatedAt',
  'Description',
  'GeneratorId',
  'Id',
  'ProductArn',
  'Resources',
  'SchemaVersion',
  'Severity',
  'Title',
  'Types',
  'UpdatedAt',
] as const;

const report = (findings: Finding[]) =>
  assembleAuditReport({ generatedAt: AS_OF, asOf: AS_OF, thresholdDays: 90 }, findings);

describe('asff reporter', () => {
  it('writes every required attribute for every finding of the demo audit', async () => {
    const run = await auditDemo('asff', { env: { AWS_REGION: '', AWS_DEFAULT_REGION: '' } });
    assert.equal(run.code, 0, run.stderr);
    const findings = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    assert.equal(findings.length, 52);
    for (const f of findings) {
      for (const key of REQUIRED) assert.ok(f[key] !== undefined && f[key] !== '', `${key} in ${f.Id}`);
      assert.equal(f.SchemaVersion, '2018-10-08');
      assert.equal(f.ProductArn, 'arn:aws:securityhub:us-east-1:210987654321:product/210987654321/default');
      assert.ok((f.Title as string).length <= 256 && (f.Description as string).length <= 1024);
      assert.ok(Date.parse(f.CreatedAt as string) <= Date.parse(f.UpdatedAt as string));
    }
    assert.equal(new Set(findings.map((f) => f.Id)).size, findings.length, 'one Id per credential');
  });

  it("names the SDK's region (AWS_REGION) in ProductArn and the resources", async () => {
    const run = await auditDemo('asff', { env: { AWS_REGION: 'eu-west-1' } });
    assert.equal(run.code, 0, run.stderr);
    const [first] = JSON.parse(run.stdout) as Array<{
      ProductArn: string;
      Resources: Array<{ Region: string }>;
    }>;
    assert.equal(
      first!.ProductArn,
      'arn:aws:securityhub:eu-west-1:210987654321:product/210987654321/default',
    );
    assert.equal(first!.Resources[0]!.Region, 'eu-west-1');
  });

  it('keeps Ids stable across runs and evaluation dates, so re-imports update', () => {
    const before = toAsffFindings(report([aFinding({})]), { region: 'eu-west-1' })[0]!;
    const later = assembleAuditReport(
      { generatedAt: AS_OF + 86_400_000, asOf: AS_OF + 86_400_000, thresholdDays: 90 },
      [aFinding({ status: 'in_use', ageDays: 1, lastActivity: '2026-10-31T00:00:00Z' })],
    );
    const after = toAsffFindings(later, { region: 'eu-west-1' })[0]!;
    assert.equal(after.Id, before.Id);
    assert.equal(before.Id, 'credsweep/111122223333/arn:aws:iam::111122223333:user/alice/access_key_1');
    assert.ok(after.UpdatedAt > before.UpdatedAt);
    assert.deepEqual(
      [after.Compliance.Status, after.Workflow.Status, after.RecordState],
      ['PASSED', 'RESOLVED', 'ARCHIVED'],
    );
  });

  it('maps each status and principal to severity, compliance, workflow and resources', () => {
    const findings = toAsffFindings(
      report([
        aFinding({ accessKeyId: 'AKIAEXAMPLE0000001' }),
        aFinding({ credential: 'password' }),
        aFinding({
          principalType: 'root',
          principalName: '<root_account>',
          arn: 'arn:aws:iam::111122223333:root',
          credential: 'access_key_1',
        }),
        aFinding({
          principalType: 'role',
          principalName: 'deployer',
          arn: 'arn:aws-us-gov:iam::111122223333:role/deployer',
          credential: 'role',
        }),
        aFinding({ status: 'unverified', credential: 'cert_1' }),
        aFinding({ status: 'exempt', credential: 'access_key_2' }),
      ]),
      { region: 'eu-west-1', productAccountId: '999988887777' },
    );
    assert.deepEqual(
      findings.map((f) => [f.Severity.Label, f.Compliance.Status, f.Workflow.Status, f.RecordState]),
      [
        ['HIGH', 'FAILED', 'NEW', 'ACTIVE'],
        ['MEDIUM', 'FAILED', 'NEW', 'ACTIVE'],
        ['CRITICAL', 'FAILED', 'NEW', 'ACTIVE'],
        ['MEDIUM', 'FAILED', 'NEW', 'ACTIVE'],
        ['LOW', 'WARNING', 'NEW', 'ACTIVE'],
        ['INFORMATIONAL', 'PASSED', 'SUPPRESSED', 'ACTIVE'],
      ],
    );
    assert.deepEqual(
      findings.map((f) => f.Resources.map((r) => `${r.Type} ${r.Id} ${r.Partition} ${r.Region}`)),
      [
        [
          'AwsIamAccessKey AWS::IAM::AccessKey:AKIAEXAMPLE0000001 aws eu-west-1',
          'AwsIamUser arn:aws:iam::111122223333:user/alice aws eu-west-1',
        ],
        ['AwsIamUser arn:aws:iam::111122223333:user/alice aws eu-west-1'],
        ['AwsAccount AWS::::Account:111122223333 aws eu-west-1'],
        ['AwsIamRole arn:aws-us-gov:iam::111122223333:role/deployer aws-us-gov eu-west-1'],
        ['AwsIamUser arn:aws:iam::111122223333:user/alice aws eu-west-1'],
        ['AwsIamUser arn:aws:iam::111122223333:user/alice aws eu-west-1'],
      ],
    );
    assert.equal(
      findings[0]!.ProductArn,
      'arn:aws:securityhub:eu-west-1:999988887777:product/999988887777/default',
    );
    assert.equal(
      findings[3]!.ProductArn,
      'arn:aws-us-gov:securityhub:eu-west-1:999988887777:product/999988887777/default',
    );
    assert.deepEqual(
      findings.map((f) => f.GeneratorId),
      [
        'credsweep/access-key-unused',
        'credsweep/password-unused',
        'credsweep/access-key-unused',
        'credsweep/role-unused',
        'credsweep/signing-certificate-unverified',
        'credsweep/access-key-unused',
      ],
    );
  });

  it('bounds Ids of very long ARNs to 512 characters, still one per credential', () => {
    const long = 'p'.repeat(600);
    const [a, b] = toAsffFindings(
      report([
        aFinding({ arn: `arn:aws:iam::111122223333:user/${long}/a` }),
        aFinding({ arn: `arn:aws:iam::111122223333:user/${long}/b` }),
      ]),
      { region: 'us-east-1' },
    );
    assert.ok(a!.Id.length <= 512 && b!.Id.length <= 512);
    assert.notEqual(a!.Id, b!.Id);
  });

  it('shortens Title and Description without splitting a surrogate pair (half an emoji is no text)', () => {
    // (256 − 1) units before the ellipsis: with one ASCII character first, the cut fell inside an emoji
    for (const pad of ['', 'a']) {
      const name = `${pad}${'\u{1F600}'.repeat(600)}`;
      const [f] = toAsffFindings(report([aFinding({ principalName: name, reason: name })]), {
        region: 'us-east-1',
      });
      for (const text of [f!.Title, f!.Description]) {
        assert.ok(text.endsWith('…'), text);
        assert.doesNotMatch(
          text,
          /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
          'a lone surrogate',
        );
      }
      assert.ok(f!.Title.length <= 256 && f!.Description.length <= 1024);
    }
  });

  it('renders a JSON array (the shape of batch-import-findings --findings)', () => {
    const text = asffReporter.render(report([aFinding({})]), { color: false }) as string;
    assert.ok(Array.isArray(JSON.parse(text)));
  });
});
