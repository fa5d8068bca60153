import type { AuditReport, Finding } from '../model/finding.ts';
import { BatchedWrite } from './batched-write.ts';
import { isRendered, type Reporter } from './reporter.ts';

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

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A spreadsheet opening the file would run a cell starting with = + - @ (or tab/CR, which some
 * strip first) as a formula. IAM names may hold `=+,.@-`, so text cells get a leading apostrophe
 * (OWASP's advice). Numbers are written as numbers and left alone.
 */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** RFC 4180: a cell holding a comma, quote or line break is quoted, its quotes doubled. */
function quoteCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// A cell whose text needs the formula guard or quoting; most need neither, and one test says so.
const NEEDS_CARE = /^[=+\-@\t\r]|[",\r\n]/;

function cellText(value: Finding[(typeof CSV_COLUMNS)[number]]): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = Array.isArray(value) ? value.join(';') : String(value);
  return NEEDS_CARE.test(text) ? quoteCell(neutraliseFormula(text)) : text;
}

function plainText(value: Finding[(typeof CSV_COLUMNS)[number]]): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return Array.isArray(value) ? value.join(';') : String(value);
}

// Joined as they are, the cells need no care when the line is exactly CSV_COLUMNS.length cells between
// commas (so no cell holds a comma), none holding a quote or line break and none starting with a
// formula character, then its line end: one regular expression, one pass over the line, no cell
// looked at on its own.
const PLAIN_CELL = '(?:[^,"\\r\\n=+\\-@\\t][^,"\\r\\n]*)?';
const PLAIN_LINE = new RegExp(`^${PLAIN_CELL}(?:,${PLAIN_CELL}){${CSV_COLUMNS.length - 1}}\\n$`);

/** One finding as a CSV line: one test of the whole line, and cell by cell only when it needs care. */
export function csvLine(f: Finding): string {
  const line = plainLine(f);
  if (PLAIN_LINE.test(line)) return line;
  const cells = new Array<string>(CSV_COLUMNS.length);
  for (let i = 0; i < CSV_COLUMNS.length; i++) cells[i] = cellText(f[CSV_COLUMNS[i]!]);
  return `${cells.join(',')}\n`;
}

/**
 * The cells as they are, joined, with the line end (CSV_COLUMNS spelled out: a million findings pay
 * no map). An array joined is one flat string, which the test above reads and the writer copies as it
 * is; a template of 39 parts would be a tree of joined strings that both must flatten. Array.join
 * costs per element (~30 ns, more than the text it copies), so the last seven cells, which most
 * findings lack, are joined to the reason as one piece: a constant when all are absent.
 */
function plainLine(f: Finding): string {
  return [
    f.accountId,
    f.principalType,
    plainText(f.principalName),
    plainText(f.arn),
    f.credential,
    f.status,
    plainText(f.lastUsed),
    plainText(f.lastActivity),
    f.lastActivitySource,
    plainText(f.ageDays),
    plainText(f.neverUsed),
    plainText(f.caveats),
    plainText(f.reason) + optionalCells(f),
  ].join(',');
}

const NO_OPTIONAL_CELLS = ',,,,,,,\n';

/**
 * The cells after the reason (accessKeyId … expiresAt), each with its comma before it, and the line
 * end. The common shapes first, each a template of few pieces: none of them, then an access key's
 * (its last service and region, and its id when the source knows it).
 */
function optionalCells(f: Finding): string {
  if (
    f.service === undefined &&
    f.sshPublicKeyId === undefined &&
    f.serviceSpecificCredentialId === undefined &&
    f.expiresAt === undefined
  ) {
    if (f.accessKeyId === undefined) {
      if (f.lastUsedService === undefined && f.lastUsedRegion === undefined) return NO_OPTIONAL_CELLS;
      return `,,${plainText(f.lastUsedService)},${plainText(f.lastUsedRegion)},,,,\n`;
    }
    return `,${plainText(f.accessKeyId)},${plainText(f.lastUsedService)},${plainText(f.lastUsedRegion)},,,,\n`;
  }
  return `,${plainText(f.accessKeyId)},${plainText(f.lastUsedService)},${plainText(f.lastUsedRegion)},${plainText(f.service)},${plainText(f.sshPublicKeyId)},${plainText(f.serviceSpecificCredentialId)},${plainText(f.expiresAt)}\n`;
}

const HEADER_LINE = `${CSV_COLUMNS.join(',')}\n`;

export const csvReporter: Reporter = {
  id: 'csv',
  description: 'one row per finding, safe to open in a spreadsheet',
  render(report: AuditReport): string {
    return HEADER_LINE + report.findings.map(csvLine).join('');
  },
  async stream(_meta, findingBatches, tally, write) {
    const out = new BatchedWrite(write);
    out.add(HEADER_LINE);
    for await (const batch of findingBatches) {
      if (isRendered(batch)) {
        tally.addCounts(batch.counts);
        out.addBytes(batch.rendered, batch.release);
      } else {
        for (const finding of batch) {
          tally.add(finding);
          out.add(csvLine(finding));
        }
      }
      await out.drained();
    }
    await out.end();
  },
};
