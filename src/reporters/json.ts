import { reportHeader } from '../audit/audit-report.ts';
import type { AuditReport, Finding } from '../model/finding.ts';
import { BatchedWrite } from './batched-write.ts';
import { isRendered, type Reporter } from './reporter.ts';

/**
 * One finding in the streamed envelope's findings array, with the separator before it; the first
 * finding of the array is written without its leading comma.
 */
export function jsonFindingText(finding: Finding): string {
  return `,\n    ${JSON.stringify(finding)}`;
}
const COMMA = 0x2c;

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
    let empty = true;
    for await (const batch of findingBatches) {
      if (isRendered(batch)) {
        const { rendered } = batch;
        tally.addCounts(batch.counts);
        out.addBytes(empty && rendered[0] === COMMA ? rendered.subarray(1) : rendered, batch.release);
        if (rendered.length > 0) empty = false;
      } else {
        for (const finding of batch) {
          tally.add(finding);
          const text = jsonFindingText(finding);
          out.add(empty ? text.slice(1) : text);
          empty = false;
        }
      }
      await out.drained();
    }
    out.add(`${empty ? '' : '\n  '}],\n`);
    out.add(`  "accounts": ${JSON.stringify(tally.accountResults())},\n`);
    let extras = '';
    for (const [key, value] of Object.entries(tally.envelopeExtras())) {
      if (value !== undefined) extras += `,\n  ${JSON.stringify(key)}: ${JSON.stringify(value)}`;
    }
    out.add(`  "summary": ${JSON.stringify(tally.summary)}${extras}\n}\n`);
    await out.end();
  },
};
