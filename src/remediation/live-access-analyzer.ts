/**
 * The IAM Access Analyzer apply reads for a restrict-permissions step planned with its evidence
 * (the step's `restriction.accessAnalyzer`): resolved by credsweep itself, once per apply, from
 * apply's `--access-analyzer <arn|auto>` (`auto` when not given), never taken from the plan. Each
 * such step then reads that analyzer's ACTIVE findings for its one principal live (ListFindingsV2
 * filtered by resource, GetFindingV2), and the audit's own merge (src/audit/judge.ts) judges them
 * with live Access Advisor.
 *
 *   resolveLiveAccessAnalyzer(client, spec) → LiveAccessAnalyzer (an analyzer, or why there is none)
 *   analyzerInputFor(live, restriction, accountId, principalArn) → { input } | { problem } (a sentence)
 */
import type { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import type { AccessAnalyzerInput } from '../audit/access-analyzer-evidence.ts';
import { classifyAwsError } from '../aws/classify-error.ts';
import type { Restriction } from '../model/remediation-plan.ts';
import {
  FIND_ANALYZER_PERMISSIONS,
  findUnusedAccessAnalyzer,
  type UnusedAccessAnalyzer,
} from '../sources/access-analyzer/find-analyzer.ts';
import { indexAccessAnalyzerEvidence } from '../sources/access-analyzer/to-evidence.ts';
import {
  listUnusedAccessFindings,
  UNUSED_ACCESS_FINDING_PERMISSIONS,
} from '../sources/access-analyzer/unused-access-findings.ts';

/** What apply may call on the analyzer (in the caller's account and Region). */
export const LIVE_ACCESS_ANALYZER_PERMISSIONS = [
  ...FIND_ANALYZER_PERMISSIONS,
  ...UNUSED_ACCESS_FINDING_PERMISSIONS,
] as const;

export type LiveAccessAnalyzer =
  | { analyzer: UnusedAccessAnalyzer; client: AccessAnalyzerClient }
  /** `failed`: AWS refused or failed (apply exits 3), not merely no analyzer found. */
  | { unavailable: string; failed?: true };

export async function resolveLiveAccessAnalyzer(
  client: AccessAnalyzerClient,
  spec: string,
): Promise<LiveAccessAnalyzer> {
  try {
    const analyzer = await findUnusedAccessAnalyzer(client, spec);
    if (analyzer) return { analyzer, client };
    return {
      unavailable:
        spec === 'auto'
          ? 'no active unused-access IAM Access Analyzer analyzer in the caller account and Region'
          : `no active unused-access analyzer ${spec}`,
    };
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw e; // a bug in credsweep, not AWS
    const { code, message } = classifyAwsError(e);
    return { unavailable: `IAM Access Analyzer could not be read: ${code}: ${message}`, failed: true };
  }
}

export async function analyzerInputFor(
  live: LiveAccessAnalyzer | undefined,
  planned: NonNullable<Restriction['accessAnalyzer']>,
  accountId: string,
  principalArn: string,
): Promise<{ input: AccessAnalyzerInput } | { problem: string }> {
  const why = 'it was planned with IAM Access Analyzer evidence';
  if (!live) return { problem: `${why}; apply read no analyzer` };
  if ('unavailable' in live) return { problem: `${why}; ${live.unavailable}` };
  const { analyzer } = live;
  if (planned.analyzerArn !== undefined && planned.analyzerArn !== analyzer.arn) {
    return {
      problem: `${why} from ${planned.analyzerArn}, but credsweep reads ${analyzer.arn} (--access-analyzer)`,
    };
  }
  if (planned.trackingDays !== analyzer.trackingDays) {
    return {
      problem: `${why} over ${planned.trackingDays} days, but ${analyzer.arn} tracks ${analyzer.trackingDays} days`,
    };
  }
  const owner = analyzer.arn.split(':')[4];
  if (analyzer.type !== 'ORGANIZATION_UNUSED_ACCESS' && accountId !== owner) {
    return { problem: `${why}; the analyzer ${analyzer.arn} does not look at account ${accountId}` };
  }
  const findings = await listUnusedAccessFindings(live.client, analyzer.arn, [accountId], principalArn);
  const evidence = indexAccessAnalyzerEvidence(
    findings.filter((f) => f.resource === principalArn),
    analyzer,
  );
  return {
    input: { trackingDays: analyzer.trackingDays, evidence, covers: () => true },
  };
}
