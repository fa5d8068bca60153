/**
 * `--format html`: one self-contained page a security lead can forward. Charts are SVG rendered at
 * build time (Vega-Lite), the table's sorting and filtering is one small inline script, and a
 * Content-Security-Policy allows exactly that script and stylesheet by hash: even a value that
 * escaped our escaping could not run script or load anything.
 */
import { createHash } from 'node:crypto';
import { compareFindings } from '../../audit/audit-report.ts';
import type { AuditReport } from '../../model/finding.ts';
import { plural } from '../../plural.ts';
import { findingNoun } from '../finding-facts.ts';
import type { RenderOptions, Reporter, TrendPoint } from '../reporter.ts';
import {
  ACCOUNT_CHART_LIMIT,
  credentialAgeSpec,
  renderVegaLiteSvg,
  unusedPerAccountSpec,
  unusedTrendSpec,
} from './charts.ts';
import { escapeHtml as h } from './escape-html.ts';
import {
  accountsTable,
  exemptionsNotice,
  failedAccountsNotice,
  findingsTable,
  summaryCards,
  totalOf,
} from './sections.ts';
import { REPORT_CSS } from './styles.ts';
import { TABLE_SCRIPT } from './table-script.ts';

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** No network, no plugins, no forms; only our own inline script and stylesheet. */
export function contentSecurityPolicy(script: string, css: string): string {
  return [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(css)}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** What one finding is, and what its lastActivity means. */
const FOOTER_WORDS = {
  credential:
    "one finding per credential · lastActivity is the last use, else when the credential was set or rotated, else the user's creation",
  permission:
    "one finding per permission (a service or action a principal is granted) · lastActivity is the last access, else the principal's creation",
} as const;

function figure(id: string, caption: string, svg: string, note = ''): string {
  return `<figure id="${h(id)}"><figcaption>${h(caption)}</figcaption>${svg}${note ? `<p class="muted">${h(note)}</p>` : ''}</figure>`;
}

export async function renderHtmlReport(report: AuditReport, trend?: readonly TrendPoint[]): Promise<string> {
  const ordered = [...report.findings].sort(compareFindings);
  const total = totalOf(report.summary);
  const unused = report.summary.unused ?? 0;
  const accountIds = new Set([
    ...report.accounts.map((a) => a.accountId),
    ...ordered.map((f) => f.accountId),
  ]);
  const failed = report.accounts.filter((a) => a.status === 'failed').length;
  const noun = findingNoun(report);

  const ageSvg = await renderVegaLiteSvg(credentialAgeSpec(report));
  const accountSvg = await renderVegaLiteSvg(unusedPerAccountSpec(report));
  const trendSvg = trend && trend.length > 0 ? await renderVegaLiteSvg(unusedTrendSpec(trend)) : '';

  const asOf = report.asOf.slice(0, 10);
  const overrides = Object.entries(report.thresholds ?? {});
  const perKind =
    overrides.length > 0
      ? ` (${overrides.map(([kind, days]) => `${h(kind.replaceAll('_', ' '))}: ${h(days)}`).join(', ')})`
      : '';
  const headline =
    `<strong>${h(unused)} unused ${h(plural(unused, noun))}</strong> out of ${h(total)} ` +
    `across ${h(accountIds.size)} account${accountIds.size === 1 ? '' : 's'}` +
    (failed > 0
      ? `; <strong>${h(failed)} account${failed === 1 ? '' : 's'} could not be audited</strong>`
      : '') +
    '.';
  const charts = [
    figure(
      'chart-age',
      'Days since last activity',
      ageSvg,
      `Dashed line: the ${overrides.length > 0 ? 'default ' : ''}threshold.${noun === 'credential' ? ' Users without any credential are not drawn.' : ''}`,
    ),
    figure(
      'chart-accounts',
      `Unused ${noun}s per account`,
      accountSvg,
      accountIds.size > ACCOUNT_CHART_LIMIT
        ? `The ${ACCOUNT_CHART_LIMIT} accounts with the most; the table below lists all ${accountIds.size}.`
        : '',
    ),
    trendSvg ? figure('chart-trend', 'Unused credentials over runs', trendSvg) : '',
  ].join('');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(contentSecurityPolicy(TABLE_SCRIPT, REPORT_CSS))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>credsweep: unused AWS IAM ${h(noun)}s, ${h(asOf)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header>
<h1>Unused AWS IAM ${h(noun)}s</h1>
<p>As of <time datetime="${h(report.asOf)}">${h(asOf)}</time> · unused after <span id="threshold-days">${h(report.thresholdDays)}</span> days without activity${perKind} · generated ${h(report.generatedAt.replace('T', ' ').slice(0, 16))} UTC</p>
<p class="headline">${headline}</p>
</header>
<section id="summary"><h2>Summary</h2>${summaryCards(report)}${failedAccountsNotice(report)}${exemptionsNotice(report)}</section>
<section id="charts"><h2>Charts</h2><div class="charts">${charts}</div></section>
<section id="accounts"><h2>Accounts</h2>${accountsTable(report)}</section>
<section id="findings-section"><h2>Findings</h2>${findingsTable(report, ordered)}</section>
<footer>credsweep · ${h(FOOTER_WORDS[noun])} · this file loads nothing from the network.</footer>
</main>
<script>${TABLE_SCRIPT}</script>
</body>
</html>
`;
}

export const htmlReporter: Reporter = {
  id: 'html',
  description: 'a self-contained HTML report (summary, charts, sortable table); use with --output',
  render(report: AuditReport, options: RenderOptions): Promise<string> {
    return renderHtmlReport(report, options.trend);
  },
};
