/**
 * `credsweep audit ... --cloudtrail PATH [--many-ips N]`: scans the trail first (the same scan as
 * `credsweep trail`), then folds its evidence into the findings as they stream past
 * (src/audit/merge-trail-evidence.ts). Bad trail files are reported like `trail` does and make the
 * audit exit 3 at the end; the audit itself still runs.
 */
import { DEFAULT_MANY_IPS, indexTrailEvidence, mergeTrailEvidence } from '../audit/merge-trail-evidence.ts';
import type { Finding } from '../model/finding.ts';
import type { EvaluationContext } from '../rules/rule.ts';
import { scanCloudTrail } from '../sources/cloudtrail/scan.ts';
import { reportBadFiles, s3ConnectionFrom } from './commands/trail.ts';
import type { CliContext } from './context.ts';

export interface CloudTrailAuditFlags {
  cloudtrail?: string[];
  manyIps?: number;
  profile?: string;
  region?: string;
  endpointUrl?: string;
}

export interface AuditTrail {
  /** The findings with the trail's evidence folded in. */
  apply(findings: AsyncIterable<Finding>, ctx: EvaluationContext): AsyncIterable<Finding>;
  /** 0, or 3 when a trail file was bad (already reported on stderr). */
  exitCode: number;
}

export function collectPaths(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Scans `--cloudtrail` paths; undefined when none were given. */
export async function scanAuditTrail(
  ctx: CliContext,
  flags: CloudTrailAuditFlags,
): Promise<AuditTrail | undefined> {
  if (!flags.cloudtrail || flags.cloudtrail.length === 0) return undefined;
  const summary = await scanCloudTrail(flags.cloudtrail, {
    s3: s3ConnectionFrom({ ...flags, region: flags.region ? [flags.region] : undefined }, ctx.env),
  });
  const exitCode = reportBadFiles(ctx, summary);
  const evidence = indexTrailEvidence(summary);
  const manyIps = flags.manyIps ?? DEFAULT_MANY_IPS;
  return {
    apply: (findings, evaluation) => mergeTrailEvidence(findings, evidence, { ...evaluation, manyIps }),
    exitCode,
  };
}
