/**
 * `permissions --suggest-policy --access-analyzer`: IAM Access Analyzer's own recommendation for each
 * principal's UnusedPermission findings, read beside credsweep's suggestion (never generated, never
 * applied; src/sources/access-analyzer/finding-recommendation.ts). One failure is an outcome, not an
 * exception: the suggestions are still printed, without the analyzer's, and the caller says so.
 *
 *   collectFindingRecommendations(connection, analyzerArn, evidence, principalArns) → { byPrincipal } | { error }
 */
import { classifyAwsError } from '../aws/classify-error.ts';
import { createAccessAnalyzerClient } from '../aws/access-analyzer-client.ts';
import type { AwsConnection } from '../aws/clients.ts';
import {
  type FindingRecommendation,
  readFindingRecommendation,
} from '../sources/access-analyzer/finding-recommendation.ts';
import type { AccessAnalyzerInput } from './access-analyzer-evidence.ts';
import { mapBounded } from './map-bounded.ts';

/** GetFindingRecommendation calls in flight at once (Access Analyzer's quotas are per account). */
const CONCURRENCY = 4;

export type RecommendationsOutcome =
  | { byPrincipal: Map<string, FindingRecommendation[]> }
  | { error: { code: string; message: string } };

export async function collectFindingRecommendations(
  connection: AwsConnection,
  analyzerArn: string,
  evidence: AccessAnalyzerInput['evidence'],
  principalArns: readonly string[],
): Promise<RecommendationsOutcome> {
  const wanted = principalArns.flatMap((arn) => {
    const permissions = evidence.get(arn)?.permissions ?? {};
    const ids = [...new Set(Object.values(permissions).map((p) => p.findingId))].sort();
    return ids.map((findingId) => ({ arn, findingId }));
  });
  const client = createAccessAnalyzerClient(connection);
  try {
    const read = await mapBounded(wanted, CONCURRENCY, async (w) => ({
      arn: w.arn,
      recommendation: await readFindingRecommendation(client, analyzerArn, w.findingId),
    }));
    const byPrincipal = new Map<string, FindingRecommendation[]>();
    for (const { arn, recommendation } of read)
      byPrincipal.set(arn, [...(byPrincipal.get(arn) ?? []), recommendation]);
    return { byPrincipal };
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw e; // a bug in credsweep, not AWS
    return { error: classifyAwsError(e) };
  } finally {
    client.destroy();
  }
}
