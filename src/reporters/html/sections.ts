/**
 * The HTML report's parts as strings of escaped markup: summary cards, the accounts table and the
 * findings table, which count credentials, or permissions in a permissions report (findingNoun).
 * Every interpolated value goes through `escapeHtml`.
 */
import { STATUS_ORDER } from '../../audit/audit-report.ts';
import type { AuditReport, ExemptionNotice, Finding, FindingStatus } from '../../model/finding.ts';
import { SEVERITY_LEVELS } from '../../rules/severity.ts';
import {
  caveatLabel,
  createdWords,
  credentialLabel,
  findingNoun,
  severityOf,
  statusLabel,
} from '../finding-facts.ts';
import { escapeHtml as h } from './escape-html.ts';

const ACTIVITY_SOURCE_LABELS: Record<string, string> = {
  last_used: 'last used',
  last_changed: 'set (never used)',
  last_rotated: 'created or rotated',
  cloudtrail: 'CloudTrail',
};

export function totalOf(summary: Record<string, number>): number {
  return Object.values(summary).reduce((a, b) => a + b, 0);
}

export function summaryCards(report: AuditReport): string {
  const shown = STATUS_ORDER.filter((s) => s === 'unused' || s === 'in_use' || (report.summary[s] ?? 0) > 0);
  const cards = [
    `<div class="card total" data-summary-status="total"><span class="count">${h(totalOf(report.summary))}</span><span class="label">${h(findingNoun(report))}s</span></div>`,
    ...shown.map(
      (s) =>
        `<div class="card status-${h(s)}" data-summary-status="${h(s)}"><span class="count">${h(report.summary[s] ?? 0)}</span><span class="label">${h(statusLabel(s))}</span></div>`,
    ),
  ];
  return `<div class="cards">${cards.join('')}</div>`;
}

export function failedAccountsNotice(report: AuditReport): string {
  const failed = report.accounts.filter((a) => a.status === 'failed');
  if (failed.length === 0) return '';
  const items = failed
    .map(
      (a) =>
        `<li><code>${h(a.accountId)}</code>: ${h(a.error?.code ?? 'error')}: ${h(a.error?.message ?? '')}</li>`,
    )
    .join('');
  return `<div class="failed" data-failed-accounts="${h(failed.length)}"><strong>${h(failed.length)} account${failed.length === 1 ? '' : 's'} could not be audited</strong> — their ${h(findingNoun(report))}s are missing from every count below, not clean.<ul>${items}</ul></div>`;
}

/** The configuration file's exemptions: how many applied, and the expired and stale ones by name. */
export function exemptionsNotice(report: AuditReport): string {
  const outcome = report.exemptions;
  if (!outcome) return '';
  const item = (n: ExemptionNotice, what: string) =>
    `<li><code>${h(n.match)}</code> (owner ${h(n.owner)}, ${h(n.reason)}): ${h(what)}</li>`;
  const expired = outcome.expired.map((n) =>
    item(
      n,
      `expired ${n.expires}, no longer applies${n.matched ? ` (${n.matched} finding${n.matched === 1 ? '' : 's'})` : ''}`,
    ),
  );
  const stale = outcome.stale.map((n) => item(n, 'matches nothing (stale): remove it or fix its match'));
  const problems = [...expired, ...stale];
  return `<div class="exemptions${problems.length ? ' attention' : ''}" data-exemptions-applied="${h(outcome.applied)}"><strong>Exemptions:</strong> ${h(outcome.applied)} finding${outcome.applied === 1 ? '' : 's'} exempt${expired.length ? `, ${h(expired.length)} expired` : ''}${stale.length ? `, ${h(stale.length)} stale` : ''}.${problems.length ? `<ul>${problems.join('')}</ul>` : ''}</div>`;
}

export function accountsTable(report: AuditReport): string {
  const perAccount = new Map<string, { total: number; unused: number; attention: number }>();
  for (const a of report.accounts) perAccount.set(a.accountId, { total: 0, unused: 0, attention: 0 });
  for (const f of report.findings) {
    const row = perAccount.get(f.accountId) ?? { total: 0, unused: 0, attention: 0 };
    row.total += 1;
    if (f.status === 'unused') row.unused += 1;
    if (f.status === 'unverified' || f.status === 'inactive' || f.status === 'no_credentials')
      row.attention += 1;
    perAccount.set(f.accountId, row);
  }
  const results = new Map(report.accounts.map((a) => [a.accountId, a]));
  const rows = [...perAccount]
    .sort(([a, x], [b, y]) => y.unused - x.unused || a.localeCompare(b))
    .map(([accountId, counts]) => {
      const result = results.get(accountId);
      const failed = result?.status === 'failed';
      const audit = failed
        ? `<span class="pill failed">failed</span> <span class="muted">${h(result?.error?.code ?? '')}</span>`
        : '<span class="pill ok">ok</span>';
      // A failed account with no findings is unknown, not zero.
      const count = (n: number) => (failed && counts.total === 0 ? '—' : h(n));
      return `<tr data-account-row="${h(accountId)}"><td><code>${h(accountId)}</code></td><td>${audit}</td><td class="num" data-col="total">${count(counts.total)}</td><td class="num" data-col="unused">${count(counts.unused)}</td><td class="num" data-col="attention">${count(counts.attention)}</td></tr>`;
    });
  return `<table class="accounts"><thead><tr><th>account</th><th>audit</th><th class="num">${h(findingNoun(report))}s</th><th class="num">unused</th><th class="num">to review</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * Rows displayed at once. A large organisation's report holds tens of thousands of findings; laying
 * them all out makes the page slow to open and to filter, so the table shows the first PAGE_ROWS that
 * match and a button adds the next ones (the counts always cover every match). Kept in step with
 * table-script.ts, which reads it from the table's data-page attribute.
 */
export const PAGE_ROWS = 500;

function findingRow(f: Finding, index: number): string {
  const type = f.principalType === 'user' ? '' : ` <span class="muted">(${h(f.principalType)})</span>`;
  const notes = [f.neverUsed ? 'never used' : '', ...f.caveats.map(caveatLabel)].filter(Boolean).join('; ');
  const source =
    f.lastActivitySource === 'created'
      ? createdWords(f.principalType)
      : (ACTIVITY_SOURCE_LABELS[f.lastActivitySource] ?? f.lastActivitySource);
  const severity = severityOf(f);
  return [
    `<tr data-status="${h(f.status)}" data-account="${h(f.accountId)}"${index >= PAGE_ROWS ? ' hidden' : ''}>`,
    `<td data-sort="${STATUS_ORDER.indexOf(f.status as FindingStatus)}"><span class="pill ${h(f.status)}">${h(statusLabel(f.status))}</span></td>`,
    `<td class="severity" data-sort="${SEVERITY_LEVELS.indexOf(severity)}"><span class="severity-${h(severity)}">${h(severity)}</span></td>`,
    `<td><code>${h(f.accountId)}</code></td>`,
    `<td class="principal" data-sort="${h(f.principalName)}" title="${h(f.arn)}">${h(f.principalName)}${type}</td>`,
    `<td class="credential">${h(credentialLabel(f))}</td>`,
    `<td class="num" data-sort="${h(f.ageDays)}">${h(f.ageDays)}</td>`,
    `<td class="when" data-sort="${h(f.lastActivity)}">${h(f.lastActivity.slice(0, 10))}<br><span class="muted">${h(source)}</span></td>`,
    `<td class="notes">${h(notes)}</td>`,
    `<td class="reason">${h(f.reason)}</td>`,
    '</tr>',
  ].join('');
}

export function findingsTable(report: AuditReport, ordered: readonly Finding[]): string {
  const statuses = STATUS_ORDER.filter((s) => (report.summary[s] ?? 0) > 0);
  const noun = findingNoun(report);
  const accounts = [...new Set(report.findings.map((f) => f.accountId))].sort();
  const option = (value: string, label: string) => `<option value="${h(value)}">${h(label)}</option>`;
  const header = (label: string, type: 'text' | 'number', extra = '') =>
    `<th data-type="${type}"${extra}><button type="button">${h(label)}</button></th>`;
  return [
    '<div class="filters">',
    `<input id="filter-text" type="search" placeholder="Filter by name, account, ${h(noun)}, reason…" aria-label="filter findings">`,
    `<select id="filter-status" aria-label="status"><option value="">all statuses</option>${statuses.map((s) => option(s, statusLabel(s))).join('')}</select>`,
    `<select id="filter-account" aria-label="account"><option value="">all accounts</option>${accounts.map((a) => option(a, a)).join('')}</select>`,
    `<span class="muted"><span id="shown-count">${h(ordered.length)}</span> of ${h(ordered.length)} match</span>`,
    '</div>',
    `<table id="findings" data-page="${PAGE_ROWS}"><thead><tr>`,
    header('status', 'number'),
    header('severity', 'number'),
    header('account', 'text'),
    header('principal', 'text'),
    header(noun, 'text'),
    header('days', 'number', ' class="num"'),
    header('last activity', 'text'),
    header('notes', 'text'),
    header('reason', 'text'),
    '</tr></thead><tbody>',
    ...ordered.map((f, i) => findingRow(f, i)),
    '</tbody></table>',
    '<p id="no-match" class="muted" hidden>No finding matches the filter.</p>',
    `<p id="more-rows"${ordered.length > PAGE_ROWS ? '' : ' hidden'}><span class="muted">Showing the first <span id="page-count">${h(Math.min(PAGE_ROWS, ordered.length))}</span> of the matching findings.</span> <button id="show-more" type="button">show ${h(PAGE_ROWS)} more</button></p>`,
  ].join('');
}
