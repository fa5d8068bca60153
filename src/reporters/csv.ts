import { stringify } from 'csv-stringify/sync';
import type { AuditReport, Finding } from '../model/finding.ts';
import type { Reporter } from './reporter.ts';

export const CSV_COLUMNS = [
  'accountId',
  'principalType',
  'principalName',
  'arn',
  'credential',
  'status',
  'lastUsed',
  'lastActivity',
  'lastActivitySource',
  'ageDays',
  'neverUsed',
  'caveats',
  'reason',
  'accessKeyId',
  'lastUsedService',
  'lastUsedRegion',
  'service',
  'sshPublicKeyId',
  'serviceSpecificCredentialId',
  'expiresAt',
] as const;

/**
 * A spreadsheet opening the file would run a cell starting with = + - @ (or tab/CR, which some
 * strip first) as a formula. IAM names may hold `=+,.@-`, so text cells get a leading apostrophe
 * (OWASP's advice). Numbers are written as numbers and left alone.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function cells(f: Finding): Array<string | number> {
  return CSV_COLUMNS.map((column) => {
    const value = f[column];
    if (value === undefined || value === null) return '';
    if (typeof value === 'number') return value;
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (Array.isArray(value)) return neutraliseFormula(value.join(';'));
    return neutraliseFormula(String(value));
  });
}

function rows(findings: Finding[], header: boolean): string {
  return stringify(findings.map(cells), {
    header,
    columns: header ? [...CSV_COLUMNS] : undefined,
    eof: true,
  });
}

export const csvReporter: Reporter = {
  id: 'csv',
  description: 'one row per finding, safe to open in a spreadsheet',
  render(report: AuditReport): string {
    return rows(report.findings, true);
  },
  async stream(_meta, findings, tally, write) {
    let batch: Finding[] = [];
    let header = true;
    for await (const finding of findings) {
      tally.add(finding);
      batch.push(finding);
      if (batch.length >= 2000) {
        await write(rows(batch, header));
        header = false;
        batch = [];
      }
    }
    if (batch.length > 0 || header) await write(rows(batch, header));
  },
};
