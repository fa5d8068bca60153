/**
 * Writes an audit in the chosen format, streaming where the format allows, all-or-nothing.
 */
import { type AuditMeta, AuditTally, assembleAuditReport } from '../audit/audit-report.ts';
import { UsageError } from '../errors.ts';
import type { AccountResult, Finding } from '../model/finding.ts';
import { REPORTERS, reporterFor } from '../reporters/index.ts';
import type { AuditPostProcess } from './audit-config.ts';
import { type CliContext, wantsColor } from './context.ts';
import { openPendingOutput } from './output.ts';

export interface EmitRequest {
  format: string;
  output?: string;
  meta: AuditMeta;
  findings: AsyncIterable<Finding>;
  /** Accounts known up front or failed (merged with those seen in findings). */
  accounts?: () => AccountResult[];
  /** The configuration file's exemptions and the history (`--db`), see ./audit-config.ts. */
  post?: AuditPostProcess;
  /** Tags by finding, when the source collected them (tag exemptions need them). */
  tagsOf?: (finding: Finding) => Record<string, string> | undefined;
}

export function requireReporter(format: string) {
  const reporter = reporterFor(format);
  if (!reporter) {
    throw new UsageError(`unknown format '${format}' (one of ${Object.keys(REPORTERS).join(', ')})`);
  }
  return reporter;
}

/** Returns the tally (summary and accounts) of what was written. */
export async function emitAudit(ctx: CliContext, request: EmitRequest): Promise<AuditTally> {
  const reporter = requireReporter(request.format);
  const out = await openPendingOutput(request.output);
  const tally = new AuditTally();
  const post = request.post;
  if (post) tally.envelopeExtras = post.extras;
  const findings = post ? post.findings(request.findings, request.tagsOf) : request.findings;
  try {
    if (reporter.stream) {
      const accounts = request.accounts;
      async function* withAccounts(): AsyncGenerator<Finding> {
        yield* findings;
        for (const a of accounts?.() ?? []) tally.setAccount(a);
      }
      await reporter.stream(request.meta, withAccounts(), tally, out.write);
    } else {
      const all: Finding[] = [];
      for await (const f of findings) all.push(f);
      const report = {
        ...assembleAuditReport(request.meta, all, request.accounts?.() ?? []),
        ...post?.extras(),
      };
      const trend = await post?.trend(report);
      for (const f of all) tally.add(f);
      for (const a of report.accounts) tally.setAccount(a);
      const toTerminal = request.output === undefined || request.output === '-';
      await out.write(
        await reporter.render(report, {
          color: toTerminal && wantsColor(ctx.stdout, ctx.env),
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
  await post?.finish(request.meta, tally);
  return tally;
}
