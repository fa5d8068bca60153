/**
 * Reporters turn an audit into text. Every reporter can render a whole report; the ones whose format
 * allows it also stream, so a million-row audit never sits in memory.
 */
import type { AuditMeta, AuditTally } from '../audit/audit-report.ts';
import type { AuditReport, Finding } from '../model/finding.ts';

export interface RenderOptions {
  color: boolean;
}

/** Where streamed output goes; resolves when the chunk is accepted (back-pressure). */
export type WriteChunk = (chunk: string) => Promise<void>;

export interface Reporter {
  id: string;
  description: string;
  render(report: AuditReport, options: RenderOptions): string;
  /** Streams findings; the tally is complete (accounts, summary) once `findings` is exhausted. */
  stream?(
    meta: AuditMeta,
    findings: AsyncIterable<Finding>,
    tally: AuditTally,
    write: WriteChunk,
  ): Promise<void>;
}
