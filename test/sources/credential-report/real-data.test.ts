/**
 * Every real credential report in test/fixtures/credential-reports (written by other projects from real
 * AWS responses; licences in LICENSES/) is audited, with its expected outcome.
 */
import assert from 'node:assert/strict';
import { createReadStream, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { auditCredentialReport } from '../../../src/audit/audit-credential-report.ts';
import type { Finding } from '../../../src/model/finding.ts';

const DIR = fileURLToPath(new URL('../../fixtures/credential-reports/', import.meta.url));
const AS_OF = Date.UTC(2026, 10, 1);

async function audit(file: string): Promise<Finding[]> {
  const out: Finding[] = [];
  for await (const f of auditCredentialReport(createReadStream(DIR + file), file, {
    asOf: AS_OF,
    thresholdDays: 90,
  })) {
    out.push(f);
  }
  return out;
}

function counts(findings: Finding[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const f of findings) c[f.status] = (c[f.status] ?? 0) + 1;
  return c;
}

const find = (fs: Finding[], name: string, credential: string) =>
  fs.find((f) => f.principalName === name && f.credential === credential);

const EXPECTED: Record<
  string,
  { findings: number; statuses: Record<string, number>; check?: (f: Finding[]) => void }
> = {
  'cloud-custodian__test_account_credential_report__iam.GetCredentialReport_1.csv': {
    findings: 35,
    statuses: { unused: 34, no_credentials: 1 },
    check(f) {
      // The recorded response lists `christopher` twice; the rows merge and the newer use wins.
      const pw = find(f, 'christopher', 'password')!;
      assert.equal(pw.lastUsed, '2016-11-21T14:42:22Z');
      assert.deepEqual(pw.caveats, ['duplicate_report_rows']);
      assert.equal(f.filter((x) => x.principalName === 'christopher').length, 2);
      const root = find(f, '<root_account>', 'password')!;
      assert.deepEqual([root.principalType, root.lastActivitySource], ['root', 'last_used']);
      // region N/A with service s3 (S3 is not region-specific): the service is kept, the region is null.
      assert.ok(f.some((x) => x.lastUsedService === 's3' && x.lastUsedRegion === null));
    },
  },
  'cloud-custodian__test_iam_user_credential_multi_delete__iam.GetCredentialReport_1.csv': {
    findings: 3,
    statuses: { unused: 3 },
    check(f) {
      // last_rotated (2019) later than last_used (2018): the last use is what counts.
      const k = find(f, 'kapil', 'access_key_1')!;
      assert.deepEqual([k.lastActivity, k.lastActivitySource], ['2018-11-21T06:54:00Z', 'last_used']);
    },
  },
  'cloud-custodian__test_iam_user_credential_multi_delete_noop__iam.GetCredentialReport_1.csv': {
    findings: 3,
    statuses: { unused: 1, in_use: 1, inactive: 1 },
    check(f) {
      const future = find(f, 'test1', 'access_key_2')!;
      // a key rotated in 2099: after the as-of date, so age 0, never negative, and said so
      assert.equal(future.ageDays, 0);
      assert.ok(future.caveats.includes('used_after_as_of'));
      assert.equal(find(f, 'test1', 'password'), undefined);
      assert.equal(find(f, '<root_account>', 'password')!.lastActivitySource, 'created');
    },
  },
  'cloud-custodian__test_iam_user_credential_reverse_filter_delete__iam.GetCredentialReport_1.csv': {
    findings: 2,
    statuses: { unused: 2 },
  },
  'cloud-custodian__test_iam_user_delete_options__iam.GetCredentialReport_1.csv': {
    findings: 2,
    statuses: { unused: 2 },
    check(f) {
      const pw = find(f, 'test_user', 'password')!;
      assert.deepEqual([pw.neverUsed, pw.lastActivitySource], [true, 'last_changed']);
    },
  },
  'cloud-custodian__test_iam_user_unused_keys__iam.GetCredentialReport_2.csv': {
    findings: 12,
    statuses: { unused: 10, inactive: 1, unverified: 1 },
    check(f) {
      assert.equal(find(f, '<root_account>', 'access_key_1')!.status, 'unused');
      assert.equal(find(f, '<root_account>', 'cert_1')!.status, 'unverified');
      assert.deepEqual(find(f, 'charmworld', 'access_key_1')!.caveats, ['not_tracked_before_2015_04_22']);
    },
  },
  'duo-labs-cloudmapper__account-data_demo_us-east-1_iam-get-credential-report.csv': {
    findings: 6,
    statuses: { unused: 6 },
    check(f) {
      assert.equal(find(f, '<root_account>', 'access_key_1')!.lastUsedService, 'ecr');
      assert.equal(f.filter((x) => x.principalName === 'user').length, 3);
    },
  },
  'elastic-cloudbeat__user_test.go_credentialsReportContent.csv': {
    findings: 14,
    statuses: { unused: 8, unverified: 6 },
    check(f) {
      // 16 columns: no region/service, no cert_N_last_rotated; a 10-digit account id.
      assert.equal(f[0]!.accountId, '1234567890');
      assert.equal(find(f, 'user2', 'password'), undefined);
      assert.equal(find(f, 'user1', 'cert_2')!.lastActivitySource, 'created');
      assert.equal(find(f, 'user1', 'access_key_1')!.lastUsedService, undefined);
    },
  },
  'prowler__iam_avoid_root_usage_test.py_test_root_not_used.csv': {
    findings: 2,
    statuses: { unused: 2 },
    check(f) {
      // `Z` timestamps, root ARN ending in <root_account>, password_enabled=true for root.
      assert.deepEqual(
        f.map((x) => [x.principalType, x.credential, x.lastActivity]),
        [
          ['root', 'password', '2022-04-17T14:59:38Z'],
          ['root', 'access_key_1', '2022-04-17T14:59:38Z'],
        ],
      );
    },
  },
  'prowler__iam_user_no_setup_initial_access_key_test.py_test_setup_both_access_keys_fail.csv': {
    findings: 3,
    statuses: { unused: 3 },
    check(f) {
      assert.deepEqual(
        f.map((x) => [x.credential, x.lastActivitySource, x.neverUsed]),
        [
          ['password', 'created', true],
          ['access_key_1', 'created', true],
          ['access_key_2', 'created', true],
        ],
      );
    },
  },
};

describe('real credential reports', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.csv'));
  it('every fixture has an expectation', () => {
    assert.deepEqual(files.sort(), Object.keys(EXPECTED).sort());
  });
  for (const file of files) {
    it(file, async () => {
      const expected = EXPECTED[file]!;
      const findings = await audit(file);
      assert.equal(findings.length, expected.findings);
      assert.deepEqual(counts(findings), expected.statuses);
      expected.check?.(findings);
    });
  }
});
