import pc from 'picocolors';
import { compareFindings } from '../audit/audit-report.ts';
import type { AuditReport, Finding, FindingStatus } from '../model/finding.ts';
import { printable } from './printable.ts';
import type { RenderOptions, Reporter } from './reporter.ts';

const HEADERS = ['STATUS', 'ACCOUNT', 'PRINCIPAL', 'CREDENTIAL', 'AGE', 'LAST ACTIVITY', 'NOTES'] as const;

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

function row(f: Finding): string[] {
  const principal = f.principalType === 'user' ? f.principalName : `${f.principalName} (${f.principalType})`;
  const notes = [f.neverUsed ? 'never used' : '', ...f.caveats].filter(Boolean).join(', ');
  return [
    f.status,
    f.accountId,
    printable(principal),
    f.credential === 'permission' ? printable(`permission ${f.action ?? f.service ?? ''}`) : f.credential,
    `${f.ageDays}d`,
    `${f.lastActivity.slice(0, 10)} ${f.lastActivitySource}`,
    printable(notes),
  ];
}

export function summaryLine(report: Pick<AuditReport, 'summary' | 'thresholdDays' | 'asOf'>): string {
  const total = Object.values(report.summary).reduce((a, b) => a + b, 0);
  const parts = Object.entries(report.summary)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status.replace('_', ' ')}`);
  return `${total} credential${total === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''} (threshold ${report.thresholdDays} days, as of ${report.asOf.slice(0, 10)})`;
}

export const tableReporter: Reporter = {
  id: 'table',
  description: 'a readable table, unused first (default)',
  render(report: AuditReport, options: RenderOptions): string {
    const c = pc.createColors(options.color);
    const findings = [...report.findings].sort(compareFindings);
    const body = findings.map(row);
    const widths = HEADERS.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
    const pad = (cellsOfRow: readonly string[]) =>
      cellsOfRow.map((cell, i) => (i === cellsOfRow.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
    const lines = [c.bold(pad(HEADERS))];
    findings.forEach((f, i) => {
      const cellsOfRow = body[i]!;
      const text = pad(cellsOfRow);
      const status = cellsOfRow[0]!;
      lines.push(statusColor(c, f.status)(status) + text.slice(status.length));
    });
    const failed = report.accounts.filter((a) => a.status === 'failed');
    for (const a of failed) {
      lines.push(
        c.red(
          `account ${a.accountId} FAILED: ${a.error?.code ?? 'error'}: ${printable(a.error?.message ?? '')}`,
        ),
      );
    }
    lines.push('', summaryLine(report));
    return `${lines.join('\n')}\n`;
  },
};
