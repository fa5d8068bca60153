/**
 * `--format table`: one line per credential, unused first and the most severe first within each
 * status; fitted to the terminal when there is one (./fit-table.ts), every column in a pipe.
 */
import pc from 'picocolors';
import { compareFindings } from '../audit/audit-report.ts';
import type { AuditReport, Finding, FindingStatus } from '../model/finding.ts';
import { credentialIdOf } from '../model/credential-ids.ts';
import type { SeverityLevel } from '../rules/severity.ts';
import {
  countedFindings,
  createdWords,
  isPermissionsReport,
  kindWords,
  notesOf,
  severityOf,
} from './finding-facts.ts';
import { type Column, constantsLine, droppedNote, fitTable, WIDE_OR_JSON } from './fit-table.ts';
import { printable } from './printable.ts';
import type { RenderOptions, Reporter } from './reporter.ts';
import { wrapText } from './text-width.ts';

// The principal is what a reader acts on: never cut (fit-table.ts says why); the notes, the last
// activity and the key id give way first, and the note under the table says they did.
const COLUMNS: readonly Column[] = [
  { header: 'STATUS', shorten: 'none' },
  { header: 'SEVERITY', shorten: 'none' },
  { header: 'ACCOUNT', shorten: 'none', constantLabel: 'account' },
  { header: 'PRINCIPAL', identifies: true },
  { header: 'CREDENTIAL', minWidth: 12 },
  { header: 'KEY ID', shorten: 'none', optional: 2 },
  { header: 'AGE', align: 'right', shorten: 'none' },
  { header: 'LAST ACTIVITY', shorten: 'none', optional: 3 },
  { header: 'NOTES', shorten: 'end', minWidth: 12, optional: 1 },
];
const CREDENTIAL = 4;
const KEY_ID = 5;
/**
 * `credsweep permissions`: the service or action (`s3:DeleteBucket`), whole as IAM spells it (it is
 * what a policy denies); the principal wraps or moves under the row around it.
 */
const PERMISSION: Column = { header: 'PERMISSION', shorten: 'none' };

/** How a finding's last activity was known, in a word. */
const ACTIVITY_WORDS: Record<string, string> = {
  last_used: 'used',
  last_changed: 'set',
  last_rotated: 'created',
  cloudtrail: 'CloudTrail',
};

type Colors = ReturnType<typeof pc.createColors>;

function statusColor(c: Colors, status: FindingStatus): (s: string) => string {
  switch (status) {
    case 'unused':
      return (s) => c.bold(c.red(s));
    case 'unverified':
    case 'inactive':
    case 'no_credentials':
      return c.yellow;
    case 'in_use':
      return c.green;
    default:
      return c.dim;
  }
}

function severityColor(c: Colors, level: SeverityLevel): (s: string) => string {
  if (level === 'critical' || level === 'high') return (s) => c.bold(c.red(s));
  if (level === 'medium') return c.yellow;
  return c.dim;
}

function credentialWords(f: Finding, permissions: boolean): string {
  const slot = /_(\d)$/.exec(f.credential)?.[1];
  const permission = f.action ?? f.service ?? '';
  if (f.credential === 'permission') return permissions ? permission : `permission ${permission}`.trim();
  if (f.credential.startsWith('access_key_')) return `access key ${slot}`;
  if (f.credential.startsWith('cert_')) return `certificate ${slot}`;
  return kindWords(f.credential);
}

function row(f: Finding, permissions: boolean): string[] {
  const principal =
    f.principalType === 'user' ? f.principalName : `${f.principalName} (${kindWords(f.principalType)})`;
  const severity = severityOf(f);
  return [
    f.status,
    severity === 'informational' ? 'info' : severity,
    f.accountId,
    printable(principal),
    printable(credentialWords(f, permissions)),
    printable(credentialIdOf(f) ?? ''),
    `${f.ageDays}d`,
    `${f.lastActivity.slice(0, 10)} ${
      f.lastActivitySource === 'created'
        ? createdWords(f.principalType)
        : (ACTIVITY_WORDS[f.lastActivitySource] ?? f.lastActivitySource)
    }`,
    printable(notesOf(f)),
  ];
}

/** The footer's threshold: `threshold 90 days` or `thresholds: 90 days, access keys 60, roles 180`. */
export function thresholdWords(report: Pick<AuditReport, 'thresholdDays' | 'thresholds'>): string {
  const overrides = Object.entries(report.thresholds ?? {}).filter(([, d]) => d !== report.thresholdDays);
  if (overrides.length === 0) return `threshold ${report.thresholdDays} days`;
  const kinds = overrides.map(([kind, days]) => `${kind.replaceAll('_', ' ')} ${days}`);
  return `thresholds ${report.thresholdDays} days, ${kinds.join(', ')}`;
}

/**
 * `52 credentials: 20 unused, …` for an audit; `10 permissions of 5 principals: 5 unused, …` for
 * `credsweep permissions` (isPermissionsReport).
 */
export function summaryLine(
  report: Pick<AuditReport, 'summary' | 'thresholdDays' | 'thresholds' | 'asOf'> &
    Partial<Pick<AuditReport, 'findings' | 'accounts'>>,
): string {
  const total = Object.values(report.summary).reduce((a, b) => a + b, 0);
  const parts = Object.entries(report.summary)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status.replace('_', ' ')}`);
  const counts = countedFindings({ findings: report.findings ?? [], accounts: report.accounts ?? [] }, total);
  return `${counts}${parts.length ? `: ${parts.join(', ')}` : ''} (${thresholdWords(report)}, as of ${report.asOf.slice(0, 10)})`;
}

/** The findings as table lines (constants line, header, rows), fitted to `width` when given. */
export function findingsTableLines(
  findings: readonly Finding[],
  options: RenderOptions,
  permissions = isPermissionsReport({ findings, accounts: [] }),
): string[] {
  const c = pc.createColors(options.color);
  const sorted = [...findings].sort(compareFindings);
  const withKeyIds = sorted.map((f) => row(f, permissions));
  // A key id column only when some row has one (the credential report has none).
  const keep = (_: unknown, i: number) => i !== KEY_ID || withKeyIds.some((r) => r[KEY_ID] !== '');
  const columns = COLUMNS.map((c, i) => (permissions && i === CREDENTIAL ? PERMISSION : c)).filter(keep);
  const rows = withKeyIds.map((r) => r.filter(keep));
  const table = fitTable(columns, rows, {
    ...(options.width !== undefined ? { width: options.width } : {}),
    paint: (column, n, cell) => {
      if (n === -1) return c.bold(cell);
      if (column === 0) return statusColor(c, sorted[n]!.status)(cell);
      if (column === 1) return severityColor(c, severityOf(sorted[n]!))(cell);
      return cell;
    },
  });
  return [
    ...constantsLine(table, options.width),
    ...table.lines,
    ...droppedNote(table, options.width, WIDE_OR_JSON),
  ];
}

export const tableReporter: Reporter = {
  id: 'table',
  description: 'a readable table, unused and most severe first (default)',
  render(report: AuditReport, options: RenderOptions): string {
    const c = pc.createColors(options.color);
    const lines = findingsTableLines(report.findings, options, isPermissionsReport(report));
    const failed = report.accounts.filter((a) => a.status === 'failed');
    for (const a of failed) {
      const text = `account ${a.accountId} FAILED: ${a.error?.code ?? 'error'}: ${printable(a.error?.message ?? '')}`;
      lines.push(...wrapText(text, options.width).map((l) => c.red(l)));
    }
    lines.push('', ...wrapText(summaryLine(report), options.width));
    return `${lines.join('\n')}\n`;
  },
};
