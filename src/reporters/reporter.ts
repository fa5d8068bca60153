/**
 * Reporters turn an audit into text. Every reporter can render a whole report; the ones whose format
 * allows it also stream, so a million-row audit never sits in memory.
 */
import type { AuditMeta, AuditTally, TallyCounts } from '../audit/audit-report.ts';
import type { AuditReport, Finding } from '../model/finding.ts';

export interface RenderOptions {
  color: boolean;
  /** The terminal's width that tables must fit; undefined in a pipe, a file or with `--wide`. */
  width?: number;
  /** Unused counts of earlier runs, oldest first (from the history store); the HTML report charts them. */
  trend?: readonly TrendPoint[];
  /** The AWS region findings are imported into (ASFF's ProductArn and resource region); default us-east-1. */
  region?: string;
}

export interface TrendPoint {
  /** ISO-8601 UTC. */
  runAt: string;
  unused: number;
}

/** Where streamed output goes; resolves when the chunk is accepted (back-pressure). */
export type WriteChunk = (chunk: string | Uint8Array) => Promise<void>;

/**
 * Findings already rendered, in order, by the streaming reporter's own per-finding text (json:
 * jsonFindingText, csv: csvLine) and encoded as UTF-8, with their tally: what the credential report
 * audit's worker threads hand back (src/audit/report-workers/).
 */
export interface RenderedFindings {
  readonly rendered: Uint8Array;
  readonly counts: TallyCounts;
  /** Called once `rendered` is written: its buffer may be filled again. */
  release?(): void;
}

/** What a streaming reporter takes: findings, or findings rendered already. */
export type StreamBatch = readonly Finding[] | RenderedFindings;

export function isRendered(batch: StreamBatch): batch is RenderedFindings {
  return !Array.isArray(batch);
}

export interface Reporter {
  id: string;
  description: string;
  /** Formats that need async work (the HTML report's charts) return a promise. */
  render(report: AuditReport, options: RenderOptions): string | Promise<string>;
  /**
   * Streams findings, a batch at a time (an account of a credential report: one await per batch, not
   * per finding), some perhaps rendered already (json and csv); the tally is complete (accounts,
   * summary) once `findingBatches` is exhausted.
   */
  stream?(
    meta: AuditMeta,
    findingBatches: AsyncIterable<StreamBatch>,
    tally: AuditTally,
    write: WriteChunk,
  ): Promise<void>;
}
