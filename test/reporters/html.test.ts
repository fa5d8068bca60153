/**
 * The HTML report in a real browser (headless Chromium via playwright-core): the counts shown equal
 * the JSON's, the table sorts and filters, hostile names never execute (with and without the CSP),
 * nothing is fetched from the network, and a screenshot lands in test-artifacts/ for a human to judge.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { assembleAuditReport } from '../../src/audit/audit-report.ts';
import type { AuditReport, Finding } from '../../src/model/finding.ts';
import { htmlReporter } from '../../src/reporters/html/index.ts';
import { PAGE_ROWS } from '../../src/reporters/html/sections.ts';
import { writeCredentialReport } from '../../bench/generate-credential-report.ts';
import { AS_OF } from '../helpers/builders.ts';
import { launchChromium } from '../helpers/browser.ts';
import { DEMO_AS_OF, DEMO_REPORT as DEMO, REPO_ROOT, runCredsweep } from '../helpers/cli.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

/** Each payload would set `window.__pwned` (or open a dialog) if the page ever parsed it as markup. */
const PAYLOADS = [
  '<script>window.__pwned = "script"</script>',
  '"><img src=x onerror="window.__pwned = \'img\'">',
  "'><svg onload=window.__pwned='svg'>",
  '"><img src=x onerror=alert(1)>',
  '</td></tr></tbody></table><script>alert(document.domain)</script>',
  '</style></script><iframe srcdoc="<script>parent.__pwned=1</script>">',
];

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

function csvCell(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

function hostileCredentialReport(): string {
  const rows = PAYLOADS.map((payload, i) =>
    [
      csvCell(payload),
      csvCell(`arn:aws:iam::111122223333:user/${payload}`),
      '2020-01-01T00:00:00+00:00',
      i % 2 === 0 ? 'true' : 'false',
      '2020-03-01T00:00:00+00:00',
      '2020-01-01T00:00:00+00:00',
      'N/A,false,true,2020-01-01T00:00:00+00:00,2020-02-01T00:00:00+00:00',
      csvCell(`us-east-1${payload}`),
      csvCell(`s3${payload}`),
      'false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
    ].join(','),
  );
  return `${HEADER}\n${rows.join('\n')}\n`;
}

/** A report no credential report could produce: hostile account ids, reasons, caveats and errors. */
function hostileAuditReport(): AuditReport {
  const findings: Finding[] = PAYLOADS.map((payload, i) => ({
    accountId: i === 0 ? '111122223333' : `${payload}${i}`,
    principalType: i === 1 ? 'role' : 'user',
    principalName: payload,
    arn: `arn:aws:iam::111122223333:user/${payload}`,
    credential: i === 2 ? 'permission' : 'access_key_1',
    status: i % 2 === 0 ? 'unused' : 'in_use',
    lastUsed: null,
    lastActivity: '2026-01-01T00:00:00Z',
    lastActivitySource: 'last_rotated',
    ageDays: 300 + i,
    neverUsed: true,
    caveats: [payload],
    reason: `reason ${payload}`,
    accessKeyId: `AKIA${payload}`,
    action: `s3:${payload}`,
  }));
  const report = assembleAuditReport({ generatedAt: AS_OF, asOf: AS_OF, thresholdDays: 90 }, findings, [
    {
      accountId: PAYLOADS[1]!,
      status: 'failed',
      error: { code: `AccessDenied${PAYLOADS[0]}`, message: PAYLOADS[3]! },
    },
  ]);
  const notice = (i: number) => ({
    index: i,
    match: `principal ${PAYLOADS[i]}`,
    owner: PAYLOADS[i + 1]!,
    reason: PAYLOADS[i + 2]!,
    expires: '2026-01-01',
    matched: i,
  });
  return {
    ...report,
    thresholds: { [PAYLOADS[0]!]: 45 },
    exemptions: { applied: 0, expired: [notice(0), notice(1)], stale: [notice(2), notice(3)] },
  };
}

interface PageWatch {
  dialogs: string[];
  requests: string[];
  errors: string[];
}

async function openReport(browser: Browser, file: string): Promise<{ page: Page; watch: PageWatch }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const watch: PageWatch = { dialogs: [], requests: [], errors: [] };
  page.on('dialog', (dialog) => {
    watch.dialogs.push(dialog.message());
    void dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => watch.errors.push(e.message));
  page.on('console', (message) => {
    if (message.type() === 'error') watch.errors.push(message.text());
  });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url === pathToFileURL(file).href) return route.continue();
    watch.requests.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, watch };
}

async function visibleRowCount(page: Page): Promise<number> {
  return page.locator('#findings tbody tr:not([hidden])').count();
}

async function columnTexts(page: Page, column: number): Promise<string[]> {
  return page.$$eval(
    '#findings tbody tr:not([hidden])',
    (rows, index) => rows.map((r) => (r as HTMLTableRowElement).cells[index]!.textContent ?? ''),
    column,
  );
}

async function assertNothingExecuted(page: Page, watch: PageWatch, label: string): Promise<void> {
  // Let any onerror/onload handler that might have been injected fire first.
  await page.waitForTimeout(300);
  assert.equal(
    await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned),
    undefined,
    label,
  );
  assert.deepEqual(watch.dialogs, [], `${label}: no dialog`);
  assert.deepEqual(watch.requests, [], `${label}: no network request`);
  const dom = await page.evaluate(() => ({
    scripts: document.scripts.length,
    injected: document.querySelectorAll('img, iframe, [onerror], [onload]').length,
  }));
  assert.deepEqual(
    dom,
    { scripts: 1, injected: 0 },
    `${label}: only the report's own script, no injected element`,
  );
}

/** The same audit as HTML (`<stem>.html`) and as JSON (parsed): the page is checked against the JSON. */
async function auditToHtmlAndJson(
  report: string,
  stem: string,
): Promise<{ htmlFile: string; json: AuditReport }> {
  for (const format of ['html', 'json']) {
    const run = await runCredsweep([
      'audit',
      '--report',
      report,
      '--as-of',
      DEMO_AS_OF,
      '--format',
      format,
      '--output',
      `${stem}.${format}`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '', 'no warnings from chart rendering');
  }
  return { htmlFile: `${stem}.html`, json: JSON.parse(readFileSync(`${stem}.json`, 'utf8')) as AuditReport };
}

describe('html report in headless Chromium', () => {
  let browser: Browser | undefined;
  let dir: string;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'credsweep-html-'));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the counts of the JSON report, sorts and filters the table, and leaves a screenshot', async () => {
    const { htmlFile, json } = await auditToHtmlAndJson(DEMO, join(dir, 'demo'));
    const { page, watch } = await openReport(browser!, htmlFile);
    try {
      await page.screenshot({ path: join(ARTIFACTS, 'html-report.png') });
      // Summary cards: every status with findings, and the total.
      const cards = await page.$$eval('[data-summary-status]', (els) =>
        Object.fromEntries(
          els.map((el) => [
            el.getAttribute('data-summary-status'),
            Number(el.querySelector('.count')?.textContent),
          ]),
        ),
      );
      const total = Object.values(json.summary).reduce((a, b) => a + b, 0);
      assert.equal(cards.total, total);
      for (const [status, count] of Object.entries(json.summary)) {
        if (count > 0 || status === 'unused' || status === 'in_use')
          assert.equal(cards[status], count, status);
      }
      // Per account.
      for (const account of json.accounts) {
        const row = page.locator(`[data-account-row="${account.accountId}"]`);
        const mine = json.findings.filter((f) => f.accountId === account.accountId);
        assert.equal(Number(await row.locator('[data-col="total"]').textContent()), mine.length);
        assert.equal(
          Number(await row.locator('[data-col="unused"]').textContent()),
          mine.filter((f) => f.status === 'unused').length,
        );
      }
      assert.equal(await visibleRowCount(page), json.findings.length);
      assert.equal(await page.locator('#shown-count').textContent(), String(json.findings.length));
      // Both charts are inline SVG with the threshold marked.
      assert.equal(await page.locator('#chart-age svg').count(), 1);
      assert.equal(await page.locator('#chart-accounts svg').count(), 1);
      assert.match((await page.locator('#chart-age svg').textContent()) ?? '', /threshold 90 d/);

      // Sort by days: ascending, then descending.
      const days = page.locator('#findings thead th', { hasText: 'days' }).locator('button');
      await days.click();
      const ascending = (await columnTexts(page, 5)).map(Number);
      assert.deepEqual(
        ascending,
        [...ascending].sort((a, b) => a - b),
      );
      assert.equal(await page.locator('#findings thead th[aria-sort="ascending"]').textContent(), 'days');
      await days.click();
      const descending = (await columnTexts(page, 5)).map(Number);
      assert.deepEqual(
        descending,
        [...ascending].sort((a, b) => b - a),
      );
      // Sort by principal name.
      await page.locator('#findings thead th', { hasText: 'principal' }).locator('button').click();
      const names = await page.$$eval('#findings tbody tr', (rows) =>
        rows.map((r) => (r as HTMLTableRowElement).cells[3]!.getAttribute('data-sort')!.toLowerCase()),
      );
      assert.deepEqual(
        names,
        [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      );

      // Filter by status, then by text as well.
      await page.selectOption('#filter-status', 'unused');
      assert.equal(await visibleRowCount(page), json.summary.unused);
      assert.deepEqual(new Set(await columnTexts(page, 0)), new Set(['unused']));
      assert.equal(await page.locator('#shown-count').textContent(), String(json.summary.unused));
      await page.fill('#filter-text', 'laura');
      const laura = json.findings.filter((f) => f.status === 'unused' && f.principalName.includes('laura'));
      assert.equal(await visibleRowCount(page), laura.length);
      assert.ok(laura.length > 0);
      await page.fill('#filter-text', 'no such principal anywhere');
      assert.equal(await visibleRowCount(page), 0);
      assert.equal(await page.locator('#no-match').isVisible(), true);
      await page.fill('#filter-text', '');
      await page.selectOption('#filter-status', '');
      assert.equal(await visibleRowCount(page), json.findings.length);

      assert.deepEqual(watch.requests, [], 'the report loads nothing from the network');
      assert.deepEqual(watch.errors, [], 'no script error and no CSP violation');
      await page.screenshot({ path: join(ARTIFACTS, 'html-report-full.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('a large report shows a page of matches at a time; counts, filters and sorting cover every row', async () => {
    const csv = join(dir, 'large.csv');
    await writeCredentialReport(csv, 1300, 99);
    const { htmlFile, json } = await auditToHtmlAndJson(csv, join(dir, 'large'));
    const total = json.findings.length;
    assert.ok(total > 2 * PAGE_ROWS + 100, `${total} findings`);
    const { page, watch } = await openReport(browser!, htmlFile);
    try {
      assert.equal(await visibleRowCount(page), PAGE_ROWS);
      assert.equal(await page.locator('#shown-count').textContent(), String(total));
      assert.equal(await page.locator('#page-count').textContent(), String(PAGE_ROWS));
      await page.click('#show-more');
      assert.equal(await visibleRowCount(page), 2 * PAGE_ROWS);
      for (let click = 0; click < 10 && (await page.locator('#more-rows').isVisible()); click++) {
        await page.click('#show-more');
      }
      assert.equal(await visibleRowCount(page), total);
      assert.equal(await page.locator('#more-rows').isVisible(), false);
      // A filter starts again from one page, and counts every match.
      const unused = json.findings.filter((f) => f.status === 'unused').length;
      await page.selectOption('#filter-status', 'unused');
      assert.equal(await page.locator('#shown-count').textContent(), String(unused));
      assert.equal(await visibleRowCount(page), Math.min(unused, PAGE_ROWS));
      assert.deepEqual(new Set(await columnTexts(page, 0)), new Set(['unused']));
      await page.selectOption('#filter-status', '');
      // Sorting orders every row: the first page holds the smallest ages of the whole report.
      await page.locator('#findings thead th', { hasText: 'days' }).locator('button').click();
      const firstPage = (await columnTexts(page, 5)).map(Number);
      const smallest = json.findings
        .map((f) => f.ageDays)
        .sort((a, b) => a - b)
        .slice(0, PAGE_ROWS);
      assert.deepEqual(firstPage, smallest);
      assert.deepEqual(watch.errors, [], 'no script error and no CSP violation');
    } finally {
      await page.close();
    }
  });

  it('renders hostile principal names from a credential report as text; nothing executes', async () => {
    const csv = join(dir, 'hostile.csv');
    const htmlFile = join(dir, 'hostile.html');
    writeFileSync(csv, hostileCredentialReport());
    const run = await runCredsweep([
      'audit',
      '--report',
      csv,
      '--as-of',
      DEMO_AS_OF,
      '--format',
      'html',
      '--output',
      htmlFile,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const { page, watch } = await openReport(browser!, htmlFile);
    try {
      await assertNothingExecuted(page, watch, 'hostile credential report');
      const shown = await page.$$eval('#findings td.principal', (cells) => cells.map((c) => c.textContent));
      for (const payload of PAYLOADS) assert.ok(shown.includes(payload), `shown verbatim: ${payload}`);
      assert.deepEqual(watch.errors, []);
    } finally {
      await page.close();
    }
  });

  it('escapes every field (account ids, reasons, caveats, errors) even with the CSP removed', async () => {
    const html = await htmlReporter.render(hostileAuditReport(), { color: false });
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-/,
    );
    const withCsp = join(dir, 'hostile-fields.html');
    const withoutCsp = join(dir, 'hostile-fields-no-csp.html');
    writeFileSync(withCsp, html);
    // Escaping must hold on its own: the CSP is a second guard, not the first.
    writeFileSync(withoutCsp, html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''));
    for (const file of [withCsp, withoutCsp]) {
      const { page, watch } = await openReport(browser!, file);
      try {
        await assertNothingExecuted(page, watch, file);
        const failed = await page.locator('.failed li').textContent();
        assert.ok(failed?.includes(PAYLOADS[3]!), 'the failure message is shown as text');
        const failedRow = page.locator('tr[data-account-row]').filter({ hasText: 'failed' });
        assert.equal(await failedRow.locator('[data-col="unused"]').textContent(), '—', 'unknown, not 0');
        const exemptions = await page.locator('.exemptions li').allTextContents();
        assert.equal(exemptions.length, 4);
        assert.ok(
          exemptions[0]!.startsWith(`principal ${PAYLOADS[0]} (owner ${PAYLOADS[1]}, ${PAYLOADS[2]})`),
        );
        const reasons = await page.$$eval('#findings td.reason', (cells) => cells.map((c) => c.textContent));
        for (const payload of PAYLOADS) assert.ok(reasons.includes(`reason ${payload}`));
        // The filter still works on hostile account ids (compared as text, never as selectors).
        await page.selectOption('#filter-account', `${PAYLOADS[1]}1`);
        assert.equal(await visibleRowCount(page), 1);
      } finally {
        await page.close();
      }
    }
  });

  it('the CSP alone stops markup that escaped the escaping: no inline script, handler or load runs', async () => {
    const html = await htmlReporter.render(hostileAuditReport(), { color: false });
    // Simulate an escaping bug: raw markup injected into the page body.
    const broken = join(dir, 'escaping-bug.html');
    writeFileSync(
      broken,
      html.replace(
        '</main>',
        '<script>window.__pwned = "inline"</script><img src="https://evil.example/x.png" onerror="window.__pwned = \'handler\'"><svg onload="alert(1)"></svg></main>',
      ),
    );
    const { page, watch } = await openReport(browser!, broken);
    try {
      await page.waitForTimeout(300);
      assert.equal(
        await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned),
        undefined,
      );
      assert.deepEqual(watch.dialogs, []);
      assert.deepEqual(watch.requests, [], 'the image is never even requested');
      // The report's own script still ran (its hash is allowed): the filter counter is filled in.
      assert.equal(await page.locator('#shown-count').textContent(), String(PAYLOADS.length));
    } finally {
      await page.close();
    }
  });

  it('draws the trend of unused credentials over runs when history is given', async () => {
    const report = hostileAuditReport();
    const trend = [
      { runAt: '2026-08-01T00:00:00Z', unused: 30 },
      { runAt: '2026-09-01T00:00:00Z', unused: 24 },
      { runAt: '2026-10-01T00:00:00Z', unused: 3 },
    ];
    const withTrend = await htmlReporter.render(report, { color: false, trend });
    const without = await htmlReporter.render(report, { color: false });
    assert.match(withTrend, /<figure id="chart-trend">.*<svg/s);
    assert.doesNotMatch(without, /chart-trend/);
  });
});
