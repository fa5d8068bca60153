/**
 * The HTML report's words, without a browser: a `credsweep permissions` report says permissions (of
 * principals) in its title, headings, cards, tables and charts; an audit says credentials as before;
 * values are escaped either way. html.test.ts checks the page in Chromium.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleAuditReport } from '../../src/audit/audit-report.ts';
import type { AccountResult, Finding } from '../../src/model/finding.ts';
import { renderHtmlReport } from '../../src/reporters/html/index.ts';
import { AS_OF, aFinding } from '../helpers/builders.ts';

const meta = { generatedAt: AS_OF, asOf: AS_OF, thresholdDays: 90 };

const permission = (principalName: string, action: string, status: Finding['status'] = 'unused') =>
  aFinding({
    principalName,
    arn: `arn:aws:iam::111122223333:user/${principalName}`,
    credential: 'permission',
    service: action.split(':')[0]!,
    action,
    status,
  });

const ACCESS_ADVISOR_ACCOUNTS: AccountResult[] = [
  { accountId: '111122223333', status: 'ok', source: 'access-advisor' },
  {
    accountId: '444455556666',
    status: 'failed',
    source: 'access-advisor',
    error: { code: 'AccessDenied', message: 'not authorized' },
  },
];

/** What a reader sees: the page without its stylesheet, script and tags (SVG text included). */
function visibleText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<script>[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ');
}

describe('html report words', () => {
  it('`credsweep permissions`: title, headings, counts, tables and charts say permissions', async () => {
    const html = await renderHtmlReport(
      assembleAuditReport(
        meta,
        [
          permission('ci', 's3:GetObject'),
          permission('ci', 's3:PutObject', 'in_use'),
          permission('<img src=x onerror=alert(1)>', 'ec2:*'),
        ],
        ACCESS_ADVISOR_ACCOUNTS,
      ),
    );
    assert.match(html, /<title>credsweep: unused AWS IAM permissions, 2026-11-01<\/title>/);
    assert.match(html, /<h1>Unused AWS IAM permissions<\/h1>/);
    assert.match(html, /<strong>2 unused permissions<\/strong> out of 3 across 2 accounts/);
    assert.match(
      html,
      /data-summary-status="total"><span class="count">3<\/span><span class="label">permissions</,
    );
    assert.match(html, /— their permissions are missing from every count below, not clean\./);
    assert.match(html, /<th class="num">permissions<\/th>/);
    assert.match(html, /placeholder="Filter by name, account, permission, reason…"/);
    assert.match(html, /<th data-type="text"><button type="button">permission<\/button><\/th>/);
    assert.match(html, /<figcaption>Unused permissions per account<\/figcaption>/);
    assert.match(html, /<footer>credsweep · one finding per permission \(a service or action/);
    const text = visibleText(html);
    assert.match(text, /unused permissions/, 'the per-account chart’s axis');
    assert.doesNotMatch(text, /credential/i);
    // a value from AWS stays text
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  });

  it('a permissions report with no finding (Access Advisor read every account) still says permissions', async () => {
    const html = await renderHtmlReport(assembleAuditReport(meta, [], [ACCESS_ADVISOR_ACCOUNTS[0]!]));
    assert.match(html, /<h1>Unused AWS IAM permissions<\/h1>/);
    assert.match(html, /<strong>0 unused permissions<\/strong> out of 0 across 1 account\./);
  });

  it('an audit says credentials, as before', async () => {
    const html = await renderHtmlReport(
      assembleAuditReport(
        meta,
        [aFinding({}), aFinding({ credential: 'password', status: 'in_use' })],
        [
          { accountId: '111122223333', status: 'ok' },
          { accountId: '444455556666', status: 'failed', error: { code: 'AccessDenied', message: 'no' } },
        ],
      ),
    );
    assert.match(html, /<title>credsweep: unused AWS IAM credentials, 2026-11-01<\/title>/);
    assert.match(html, /<h1>Unused AWS IAM credentials<\/h1>/);
    assert.match(html, /<strong>1 unused credential<\/strong> out of 2 across 2 accounts/);
    assert.match(html, /<span class="label">credentials<\/span>/);
    assert.match(html, /— their credentials are missing from every count below, not clean\./);
    assert.match(html, /<th class="num">credentials<\/th>/);
    assert.match(html, /<button type="button">credential<\/button>/);
    assert.match(html, /<figcaption>Unused credentials per account<\/figcaption>/);
    assert.match(html, /threshold\. Users without any credential are not drawn\./);
    assert.match(html, /<footer>credsweep · one finding per credential · lastActivity is the last use/);
    assert.doesNotMatch(visibleText(html), /permission/i);
  });
});
