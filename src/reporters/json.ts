import { reportHeader } from '../audit/audit-report.ts';
import type { AuditReport } from '../model/finding.ts';
import { BatchedWrite } from './batched-write.ts';
import type { Reporter } from './reporter.ts';

/**
 * The stable JSON envelope (schemaVersion 1, schemas/audit-report.schema.json). Streaming writes the
 * findings before accounts and summary, since those are known only at the end; key order carries no
 * meaning in JSON.
 */
export const jsonReporter: Reporter = {
  id: 'json',
  description: 'the stable JSON envelope (schemaVersion 1)',
  render(report: AuditReport): string {
    return `${JSON.stringify(report, null, 2)}\n`;
  },
  async stream(meta, findingBatches, tally, write) {
    const out = new BatchedWrite(write);
    const header = JSON.stringify(reportHeader(meta), null, 2);
    out.add(`${header.slice(0, -2)},\n  "findings": [`);
    let separator = '\n    ';
    for await (const batch of findingBatches) {
      for (const finding of batch) {
        tally.add(finding);
        out.add(separator + JSON.stringify(finding));
        separator = ',\n    ';
      }
      await out.drained();
    }
    out.add(`${separator === ',\n    ' ? '\n  ' : ''}],\n`);
    out.add(`  "accounts": ${JSON.stringify(tally.accountResults())},\n`);
    let extras = '';
    for (const [key, value] of Object.entries(tally.envelopeExtras())) {
      if (value !== undefined) extras += `,\n  ${JSON.stringify(key)}: ${JSON.stringify(value)}`;
    }
    out.add(`  "summary": ${JSON.stringify(tally.summary)}${extras}\n}\n`);
    await out.end();
  },
};
