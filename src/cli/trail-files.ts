/**
 * CloudTrail files that could not be read, at the CLI's edge (trail and audit --cloudtrail): one
 * stderr line each, and exit 3 at the end; the scan itself went on.
 */
import { ExitCode } from '../errors.ts';
import type { TrailSummary } from '../model/trail-summary.ts';
import { printable } from '../reporters/printable.ts';
import type { CliContext } from './context.ts';

/** One stderr line per bad file; the exit code for the scan. */
export function reportBadTrailFiles(ctx: CliContext, summary: TrailSummary): number {
  for (const bad of summary.files.bad)
    ctx.stderr.write(`credsweep: ${printable(bad.path)}: ${printable(bad.error)}\n`);
  return summary.files.bad.length > 0 ? ExitCode.awsFailure : ExitCode.ok;
}
