/**
 * `--format md`: counts, the unused credentials as a table, failed accounts; values from AWS can
 * neither break the table nor inject HTML, links or formatting.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleAuditReport } from '../../src/audit/audit-report.ts';
import type { Finding } from '../../src/model/finding.ts';
import { escapeMarkdown, MARKDOWN_ROW_LIMIT, renderMarkdown } from '../../src/reporters/markdown.ts';
import { AS_OF, aFinding } from '../helpers/builders.ts';
import { auditDemo } from '../helpers/cli.ts';

/** Unescaped pipes, which GFM reads as cell separators. */
function cellSeparators(line: string): number {
  return (line.match(/(?<!\\)\|/g) ?? []).length;
}

const HOSTILE = [
  'a|b',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '[click](https://evil.example)',
  '![x](https://evil.example/x.png)',
  '**bold** _it_ `code` ~~gone~~',
  'line\nbreak\r\n| fake | row |',
  '<!-- hidden -->',
  'www.evil.example',
  'admin@evil.example',
  '\\|escaped already',
  '&lt;entity&gt;',
  '$\\textsf{admin}$ $$x$$',
];

describe('markdown reporter', () => {
  it('summarises the demo audit: counts, the unused table', async () => {
    const run = await auditDemo('md');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^## credsweep: unused AWS IAM credentials\n/);
    assert.match(run.stdout, /\*\*22 unused\*\* of 52 credentials\./);
    assert.match(run.stdout, /\n\| unused \| 22 \|\n/);
    assert.match(run.stdout, /\n### Unused credentials \(22\)\n/);
    const rows = run.stdout.split('\n').filter((l) => l.startsWith('| 210987654321 |'));
    assert.equal(rows.length, 22);
    assert.match(run.stdout, /\| &lt;root\\_account&gt; \(root\) \| console password \| 200 \|/);
  });

  it('escapes values so the table keeps its shape and nothing renders as HTML, link or format', () => {
    const findings = HOSTILE.map((name, i) =>
      aFinding({ principalName: name, accountId: `1111${i}|x`, caveats: [name] }),
    );
    const md = renderMarkdown(
      assembleAuditReport({ generatedAt: AS_OF, asOf: AS_OF, thresholdDays: 90 }, findings, [
        {
          accountId: '<b>999</b>',
          status: 'failed',
          error: { code: 'AccessDenied|x', message: HOSTILE.join(' ') },
        },
      ]),
    );
    const lines = md.split('\n');
    const header = lines.find((l) => l.startsWith('| account |'))!;
    const body = lines.filter((l) => l.startsWith('| 1111'));
    assert.equal(body.length, HOSTILE.length, 'one line per finding: no line break got through');
    for (const line of body) assert.equal(cellSeparators(line), cellSeparators(header), line);
    assert.doesNotMatch(md, /</, 'no raw tag or comment: every < is an entity');
    assert.doesNotMatch(md, /(?<!\\)\[(?!\s)/, 'no unescaped [ (links, images)');
    assert.doesNotMatch(md, /(?<!\\)`/, 'no code spans');
    assert.doesNotMatch(md.replaceAll('**', ''), /(?<!\\)[*_~]/, 'no emphasis or strike-through from values');
    assert.doesNotMatch(md, /www\.evil/, 'no www autolink');
    assert.doesNotMatch(md, /(?<!\\)\$/, 'no unescaped $ (GitHub typesets $…$ as math)');
    assert.match(md, /- &lt;b&gt;999&lt;\/b&gt;: AccessDenied\\\|x: /);
    const withExemptions = renderMarkdown({
      ...assembleAuditReport({ generatedAt: AS_OF, asOf: AS_OF, thresholdDays: 90 }, []),
      exemptions: {
        applied: 0,
        expired: [],
        stale: [
          {
            index: 0,
            match: 'principal a|<b>',
            owner: '[x](y)',
            reason: 'r',
            expires: '2027-01-01',
            matched: 0,
          },
        ],
      },
    });
    assert.match(
      withExemptions,
      /- principal a\\\|&lt;b&gt; \(owner \\\[x\\\]\\\(y\\\)\): matches nothing \(stale\)/,
    );
  });

  it('escapes each Markdown metacharacter with a backslash, and HTML with entities', () => {
    assert.equal(escapeMarkdown('a|b'), 'a\\|b');
    assert.equal(escapeMarkdown('<img>&'), '&lt;img&gt;&amp;');
    assert.equal(escapeMarkdown('x\\y'), 'x\\\\y');
    assert.equal(escapeMarkdown('one\ntwo'), 'one two');
    assert.equal(escapeMarkdown('alice.smith-ops'), 'alice.smith-ops', 'ordinary names stay readable');
  });

  it('lists failed accounts, and caps the table with a count of the rest', () => {
    const many = Array.from({ length: MARKDOWN_ROW_LIMIT + 5 }, (_, i) =>
      aFinding({ principalName: `u${i}` }),
    );
    const md = renderMarkdown(
      assembleAuditReport({ generatedAt: AS_OF, asOf: AS_OF, thresholdDays: 90 }, many, [
        {
          accountId: '444455556666',
          status: 'failed',
          error: { code: 'AccessDenied', message: 'not authorized' },
        },
      ]),
    );
    assert.match(md, /### Accounts that could not be audited \(1\)/);
    assert.match(md, /- 444455556666: AccessDenied: not authorized/);
    assert.match(md, /… and 5 more \(the JSON or HTML report lists every one\)\./);
    assert.equal(md.split('\n').filter((l) => l.startsWith('| 111122223333 |')).length, MARKDOWN_ROW_LIMIT);
  });

  it('`credsweep permissions`: the headings and counts say permissions of principals, not credentials', () => {
    const permission = (principalName: string, action: string, status: Finding['status'] = 'unused') =>
      aFinding({
        principalName,
        arn: `arn:aws:iam::111122223333:user/${principalName}`,
        credential: 'permission',
        service: action.split(':')[0]!,
        action,
        status,
      });
    const md = renderMarkdown(
      assembleAuditReport(
        { generatedAt: AS_OF, asOf: AS_OF, thresholdDays: 90 },
        [
          permission('ci', 's3:GetObject'),
          permission('ci', 's3:PutObject', 'in_use'),
          permission('a|<b>', 'ec2:*'),
        ],
        [
          { accountId: '111122223333', status: 'ok', source: 'access-advisor' },
          {
            accountId: '444455556666',
            status: 'failed',
            source: 'access-advisor',
            error: { code: 'AccessDenied', message: 'not authorized' },
          },
        ],
      ),
    );
    assert.match(md, /^## credsweep: unused AWS IAM permissions\n/);
    assert.match(md, /\*\*2 unused\*\* of 3 permissions of 2 principals\./);
    assert.match(md, /\n\| status \| permissions \|\n/);
    assert.match(md, /\nTheir permissions are missing from every count above, not clean\.\n/);
    assert.match(md, /\n### Unused permissions \(2\)\n/);
    assert.match(md, /\n\| account \| severity \| principal \| permission \| days \|/);
    assert.doesNotMatch(md, /credential/);
    // values escaped as in any report
    assert.match(md, /\| a\\\|&lt;b&gt; \| permission ec2\\:\\\* \|/);
  });

  it('a permissions report with no finding (Access Advisor read every account) still says permissions', () => {
    const md = renderMarkdown(
      assembleAuditReport(
        { generatedAt: AS_OF, asOf: AS_OF, thresholdDays: 90 },
        [],
        [{ accountId: '111122223333', status: 'ok', source: 'access-advisor' }],
      ),
    );
    assert.match(md, /^## credsweep: unused AWS IAM permissions\n/);
    assert.match(md, /\*\*0 unused\*\* of 0 permissions of 0 principals\./);
    assert.match(md, /\n### Unused permissions \(0\)\n\nNone\.\n$/);
  });
});
