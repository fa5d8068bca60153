/**
 * `--format md`: a Markdown summary for pull requests and tickets: the counts, the unused credentials
 * (or, of `credsweep permissions`, permissions) as a table (capped, so a comment stays under GitHub's
 * 65,536-character limit), and the accounts that could not be audited. Every value from AWS goes
 * through `escapeMarkdown`.
 */
import { compareFindings, STATUS_ORDER } from '../audit/audit-report.ts';
import type { AuditReport, ExemptionNotice, Finding } from '../model/finding.ts';
import {
  caveatLabel,
  countedFindings,
  credentialLabel,
  findingNoun,
  severityOf,
  statusLabel,
} from './finding-facts.ts';
import { revealHidden } from './printable.ts';
import type { Reporter } from './reporter.ts';

/** Rows of the unused table (most severe first); the rest are counted, and the JSON or HTML report has them all. */
export const MARKDOWN_ROW_LIMIT = 200;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Text that renders as itself in a GitHub-flavoured Markdown table cell: line breaks become spaces,
 * control, bidi and zero-width characters are shown as their code (`\u202e`: ./printable.ts, as the
 * terminal and HTML show them), HTML's `& < >` become entities (no tag, comment or entity survives),
 * and the rest of Markdown's punctuation (`|` included, which would split the cell) is
 * backslash-escaped. `:` and `@` are escaped too, and `www.` broken, so nothing turns into an autolink,
 * and `$`, so nothing is typeset as math (GitHub renders `$\textsf{…}$`: text styled to look like ours).
 */
export function escapeMarkdown(text: string): string {
  return revealHidden(text.replace(/[\r\n\u2028\u2029]+/g, ' '))
    .replace(/[&<>]/g, (c) => ENTITIES[c]!)
    .replace(/[\\`*_{}[\]()#+!|~"':@=$]/g, '\\$&')
    .replace(/www\./gi, (m) => `${m.slice(0, 3)}\\.`);
}

function row(cells: readonly (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

function unusedRow(f: Finding): string {
  const principal =
    escapeMarkdown(f.principalName) + (f.principalType === 'user' ? '' : ` (${f.principalType})`);
  const notes = [f.neverUsed ? 'never used' : '', ...f.caveats.map(caveatLabel)].filter(Boolean).join('; ');
  return row([
    escapeMarkdown(f.accountId),
    severityOf(f),
    principal,
    escapeMarkdown(credentialLabel(f)),
    f.ageDays,
    `${f.lastActivity.slice(0, 10)} (${f.lastActivitySource.replaceAll('_', ' ')})`,
    escapeMarkdown(notes),
  ]);
}

export function renderMarkdown(report: AuditReport): string {
  const total = Object.values(report.summary).reduce((a, b) => a + b, 0);
  const accountIds = new Set([
    ...report.accounts.map((a) => a.accountId),
    ...report.findings.map((f) => f.accountId),
  ]);
  const failed = report.accounts.filter((a) => a.status === 'failed');
  const unused = report.findings.filter((f) => f.status === 'unused').sort(compareFindings);
  const noun = findingNoun(report);
  const lines: string[] = [
    `## credsweep: unused AWS IAM ${noun}s`,
    '',
    `As of ${report.asOf.slice(0, 10)} · unused after ${report.thresholdDays} days without activity · ${accountIds.size} account${accountIds.size === 1 ? '' : 's'} audited${failed.length > 0 ? `, **${failed.length} failed**` : ''}`,
    '',
    `**${report.summary.unused ?? 0} unused** of ${countedFindings(report, total)}.`,
    '',
    row(['status', `${noun}s`]),
    row(['---', '---:']),
    ...STATUS_ORDER.filter((s) => (report.summary[s] ?? 0) > 0).map((s) =>
      row([statusLabel(s), report.summary[s] ?? 0]),
    ),
    row(['**total**', `**${total}**`]),
  ];
  if (failed.length > 0) {
    lines.push('', `### Accounts that could not be audited (${failed.length})`, '');
    lines.push(`Their ${noun}s are missing from every count above, not clean.`, '');
    for (const a of failed) {
      lines.push(
        `- ${escapeMarkdown(a.accountId)}: ${escapeMarkdown(a.error?.code ?? 'error')}: ${escapeMarkdown(a.error?.message ?? '')}`,
      );
    }
  }
  const outcome = report.exemptions;
  if (outcome && (outcome.expired.length > 0 || outcome.stale.length > 0)) {
    lines.push('', `### Exemptions to fix (${outcome.expired.length + outcome.stale.length})`, '');
    const item = (n: ExemptionNotice, what: string) =>
      `- ${escapeMarkdown(n.match)} (owner ${escapeMarkdown(n.owner)}): ${what}`;
    for (const n of outcome.expired)
      lines.push(item(n, `expired ${escapeMarkdown(n.expires)}, no longer applies`));
    for (const n of outcome.stale) lines.push(item(n, 'matches nothing (stale)'));
  }
  lines.push('', `### Unused ${noun}s (${unused.length})`, '');
  if (unused.length === 0) {
    lines.push('None.');
  } else {
    lines.push(row(['account', 'severity', 'principal', noun, 'days', 'last activity', 'notes']));
    lines.push(row(['---', '---', '---', '---', '---:', '---', '---']));
    lines.push(...unused.slice(0, MARKDOWN_ROW_LIMIT).map(unusedRow));
    if (unused.length > MARKDOWN_ROW_LIMIT) {
      lines.push(
        '',
        `… and ${unused.length - MARKDOWN_ROW_LIMIT} more (the JSON or HTML report lists every one).`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export const markdownReporter: Reporter = {
  id: 'md',
  description: 'a Markdown summary for pull requests and tickets',
  render(report: AuditReport): string {
    return renderMarkdown(report);
  },
};
