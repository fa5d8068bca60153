/** The findings table (src/reporters/table.ts): how a row says what it knows, at 80 columns and wide. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/model/finding.ts';
import { findingsTableLines, tableReporter } from '../../src/reporters/table.ts';
import { displayWidth } from '../../src/reporters/text-width.ts';
import { aFinding } from '../helpers/builders.ts';
import { assembleAuditReport } from '../../src/audit/audit-report.ts';

const LONG = 'a-service-account-with-a-rather-long-name-for-the-nightly-warehouse-export';
const NAMES = [
  'breakglass-secondary',
  'breakglass-admin',
  'contractor+qa@example.com',
  'monitoring-readonly',
];
const never = { neverUsed: true, lastUsed: null, caveats: ['not_tracked_before_2015_04_22' as const] };
const findings = (names: readonly string[]): Finding[] =>
  names.map((principalName) =>
    aFinding({ principalName, arn: `arn:aws:iam::111122223333:user/${principalName}`, ...never }),
  );
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('findings table', () => {
  it("a last activity known from the principal's creation names the principal: role created, user created", () => {
    const created = { lastActivitySource: 'created' as const, lastUsed: null, neverUsed: true };
    const lines = findingsTableLines(
      [
        aFinding({
          ...created,
          principalType: 'role',
          principalName: 'app',
          arn: 'arn:aws:iam::111122223333:role/app',
          credential: 'role',
          lastActivity: '2026-12-02T00:00:00Z',
        }),
        aFinding({ ...created, principalName: 'bob', lastActivity: '2026-01-02T00:00:00Z' }),
      ],
      { color: false },
    ).join('\n');
    assert.match(lines, /app \(role\) +role .* 2026-12-02 role created/);
    assert.match(lines, /bob +access key 1 .* 2026-01-02 user created/);
    assert.doesNotMatch(lines, /app \(role\).*user created/);
  });

  it('kinds and caveats in the words people write them: SSH, MFA, API key, AWS, service-specific', () => {
    const lines = findingsTableLines(
      [
        aFinding({
          principalType: 'mfa_device',
          principalName: 'old-laptop-token',
          credential: 'mfa_device',
          caveats: ['no_date_from_aws'],
        }),
        aFinding({ credential: 'ssh_public_key', caveats: ['access_analyzer_90_days'] }),
        aFinding({ credential: 'service_specific_credential', caveats: ['api_key_never_expires'] }),
      ],
      { color: false },
    ).join('\n');
    assert.match(lines, /old-laptop-token \(MFA device\) +MFA device .*no date from AWS/);
    assert.match(lines, / SSH public key .*IAM Access Analyzer tracks 90 days/);
    assert.match(lines, / service-specific credential .*API key never expires/);
    assert.doesNotMatch(
      lines,
      /mfa_device|mfa device|ssh public|service specific|api key|from aws|access analyzer 90/,
    );
  });

  it('at 80 columns every principal is whole; the last activity gives way, and a line says so', () => {
    const lines = findingsTableLines(findings(NAMES), { color: false, width: 80 });
    assert.ok(
      lines.every((l) => displayWidth(l) <= 80),
      lines.join('\n'),
    );
    const text = lines.join('\n');
    for (const name of NAMES) {
      assert.match(
        text,
        new RegExp(`^unused +high +${name.replace('+', '\\+')} +access key 1 +304d +never used`, 'm'),
      );
    }
    assert.equal(lines[0], 'account 111122223333');
    assert.match(lines[1]!, /^STATUS +SEVERITY +PRINCIPAL +CREDENTIAL +AGE +NOTES$/);
    assert.equal(
      lines.at(-1),
      '(LAST ACTIVITY not shown to fit the terminal; --wide or --format json shows it)',
    );
  });

  it('wide (a pipe, --wide): every column, one line a finding, no note', () => {
    for (const width of [undefined, 200]) {
      const lines = findingsTableLines(findings([...NAMES, LONG]), { color: false, width });
      const long = new RegExp(
        `^unused +high .*${LONG} +access key 1 +304d +2026-01-01 used +never used · not tracked before 2015-04-22$`,
      );
      assert.ok(
        lines.some((l) => long.test(l)),
        lines.join('\n'),
      );
      assert.equal(lines.filter((l) => l.startsWith('unused ')).length, 5);
      assert.ok(
        lines.every((l) => /^(STATUS|unused|account) /.test(l)),
        'no line wrapped or moved',
      );
      assert.doesNotMatch(lines.join('\n'), /not shown/);
    }
  });

  it('at 80 columns a principal too long for its column wraps after a separator, whole, never cut with …', () => {
    const lines = findingsTableLines(findings([...NAMES, LONG]), { color: false, width: 80 });
    assert.ok(
      lines.every((l) => displayWidth(l) <= 80),
      lines.join('\n'),
    );
    const at = lines.findIndex((l) => l.includes('a-service-account'));
    const column = lines[at]!.indexOf('a-service-account');
    const rest = lines.slice(at + 1).filter((l) => l.startsWith(' '.repeat(column)));
    const pieces = [lines[at]!, ...rest].map((l) => l.slice(column).trim().split('  ')[0]);
    assert.equal(pieces.join(''), LONG, lines.join('\n'));
    assert.ok(pieces.length > 1, lines.join('\n'));
    assert.match(lines[at]!, /never used/, 'the notes still shown: only the long name wraps');
    for (const name of NAMES)
      assert.ok(
        lines.some((l) => l.includes(` ${name} `)),
        name,
      );
  });

  it('control characters in a name are shown as their codes, at 80 columns and wide, wrapped or not', () => {
    const hostile = ['evil\u001b]52;c;aGk=\u0007name', 'gpj.\u202eexe', `${LONG}\u001b[2J`];
    for (const width of [80, undefined]) {
      const text = findingsTableLines(findings(hostile), { color: false, width }).join('\n');
      assert.doesNotMatch(text, CONTROL);
      assert.match(text, /evil\\u001b]52;c;aGk=\\u0007name/);
      assert.match(text, /gpj\.\\u202eexe/);
      assert.match(text.replace(/\n +/g, ''), /warehouse-export\\u001b\[2J/);
    }
  });

  it('a failed account is one red paragraph naming the account and its AWS error code', () => {
    const report = assembleAuditReport(
      { generatedAt: Date.UTC(2026, 10, 1), asOf: Date.UTC(2026, 10, 1), thresholdDays: 90 },
      findings(['alice']),
      [
        {
          accountId: '444455556666',
          status: 'failed',
          error: { code: 'AccessDenied', message: 'not authorized to perform: sts:AssumeRole\u001b[2J' },
        },
      ],
    );
    const text = tableReporter.render(report, { color: false, width: 80 }) as string;
    // one paragraph, wrapped to the width: its lines joined back read as the one line
    const paragraph = text.split('\n\n').find((p) => p.includes('FAILED'))!;
    assert.ok(paragraph.split('\n').every((l) => displayWidth(l) <= 80));
    assert.match(
      paragraph.replaceAll('\n', ' '),
      /account 444455556666 FAILED: AccessDenied: not authorized to perform: sts:AssumeRole\\u001b\[2J$/,
    );
    assert.doesNotMatch(text, CONTROL);
  });

  it('`credsweep permissions`: the table and its count say permissions and principals, not credentials', () => {
    const permission = (principalName: string, service: string, action?: string) =>
      aFinding({
        principalName,
        arn: `arn:aws:iam::111122223333:user/${principalName}`,
        credential: 'permission',
        service,
        ...(action ? { action } : {}),
        ...never,
      });
    const report = assembleAuditReport(
      { generatedAt: Date.UTC(2026, 10, 1), asOf: Date.UTC(2026, 10, 1), thresholdDays: 90 },
      [
        permission('ci', 's3'),
        permission('ci', 'dynamodb', 'dynamodb:DescribeContributorInsights'),
        permission(LONG, 'ec2'),
      ],
      [],
    );
    for (const width of [80, undefined]) {
      const text = tableReporter.render(report, { color: false, width }) as string;
      // the principal in the row (wide), or under it (80 columns: the action is whole beside it)
      assert.match(text, /^STATUS +SEVERITY +(ACCOUNT +PRINCIPAL +)?PERMISSION +AGE/m);
      assert.match(
        text,
        /^unused +medium +(111122223333 +ci +)?dynamodb:DescribeContributorInsights +304d.*\n( {2}ci\n)?/m,
      );
      assert.ok(text.includes(LONG), 'the long name whole');
      assert.match(
        text,
        /\n3 permissions of 2 principals: 3 unused \(threshold 90 days, as of 2026-11-01\)\n$/,
      );
      assert.doesNotMatch(text, /credential/);
      if (width)
        assert.ok(
          text.split('\n').every((l) => displayWidth(l) <= width),
          text,
        );
    }
  });
});
