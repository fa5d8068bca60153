/**
 * Writes an audit in the chosen format, streaming where the format allows, all-or-nothing.
 */
import { type AuditMeta, AuditTally, assembleAuditReport } from '../audit/audit-report.ts';
import { InternalError, UsageError } from '../errors.ts';
import type { TrendPoint } from '../history/run-store.ts';
import type { AccountResult, AuditReport, Finding } from '../model/finding.ts';
import { FORMAT_NAMES, loadReporter } from '../reporters/load-reporter.ts';
import { isRendered, type Reporter, type StreamBatch } from '../reporters/reporter.ts';
import { type CliContext, wantsColor } from './context.ts';
import { openPendingOutput } from './output.ts';

export interface EmitRequest {
  format: string;
  output?: string;
  meta: AuditMeta;
  /**
   * The findings in batches (runAudit's `findingBatches`, or one array), or for the json and csv
   * formats runAudit's `streamFor(format)` (some batches rendered on worker threads already).
   */
  findingBatches: AsyncIterable<StreamBatch> | Iterable<StreamBatch>;
  /** Accounts known up front or failed (merged with those seen in findings); read after the findings. */
  accounts?: () => AccountResult[];
  /** Envelope sections known once every finding went past (the configuration file's exemptions). */
  extras?: () => Pick<AuditReport, 'exemptions'>;
  /** The HTML report's trend (the history database). */
  trend?: (report: Pick<AuditReport, 'generatedAt' | 'summary'>) => Promise<TrendPoint[] | undefined>;
}

export async function requireReporter(format: string): Promise<Reporter> {
  const reporter = await loadReporter(format);
  if (!reporter) {
    throw new UsageError(`unknown format '${format}' (one of ${FORMAT_NAMES.join(', ')})`);
  }
  return reporter;
}

/** Returns the tally (summary and accounts) of what was written. */
export async function emitAudit(ctx: CliContext, request: EmitRequest): Promise<AuditTally> {
  const reporter = await requireReporter(request.format);
  const toTerminal = request.output === undefined || request.output === '-';
  const color = toTerminal && wantsColor(ctx.stdout, ctx.env);
  const out = await openPendingOutput(request.output, {
    stdout: ctx.stdout,
    styled: color && !reporter.stream,
  });
  const tally = new AuditTally();
  if (request.extras) tally.envelopeExtras = request.extras;
  const batches = request.findingBatches;
  try {
    if (reporter.stream) {
      const accounts = request.accounts;
      async function* withAccounts(): AsyncGenerator<StreamBatch> {
        yield* batches;
        for (const a of accounts?.() ?? []) tally.setAccount(a);
      }
      await reporter.stream(request.meta, withAccounts(), tally, out.write);
    } else {
      const all: Finding[] = [];
      for await (const batch of batches) {
        if (isRendered(batch)) throw new InternalError(`the ${request.format} format got rendered findings`);
        for (const f of batch) all.push(f);
      }
      const report = {
        ...assembleAuditReport(request.meta, all, request.accounts?.() ?? []),
        ...request.extras?.(),
      };
      const trend = await request.trend?.(report);
      for (const f of all) tally.add(f);
      for (const a of report.accounts) tally.setAccount(a);
      await out.write(
        await reporter.render(report, {
          color,
          ...(toTerminal && ctx.tableWidth !== undefined ? { width: ctx.tableWidth } : {}),
          // ASFF names the Security Hub region in ProductArn; the SDK's own variables say which.
          region: ctx.env.AWS_REGION || ctx.env.AWS_DEFAULT_REGION || undefined,
          ...(trend ? { trend } : {}),
        }),
      );
    }
    await out.commit();
  } catch (e) {
    await out.abort();
    throw e;
  }
  return tally;
}
