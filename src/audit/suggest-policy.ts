/**
 * `credsweep permissions --suggest-policy`: from the permission findings, a reduced policy per
 * principal for a human to review. It is never applied by credsweep.
 *
 * The policy allows `<namespace>:*` for each granted service still in use and denies the unused
 * tracked actions of those services. Access Advisor does not say which actions inside a service are
 * granted, so this is shaped as a permissions boundary: a boundary only intersects with what the
 * identity policies grant, so it removes the unused services and never widens anything.
 */
import type { Finding } from '../model/finding.ts';
import type { FindingRecommendation } from '../sources/access-analyzer/finding-recommendation.ts';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: '*';
}

export interface SuggestedPolicy {
  principalArn: string;
  keptServices: string[];
  removedServices: string[];
  removedActions: string[];
  policy: { Version: '2012-10-17'; Statement: PolicyStatement[] };
  /**
   * With `--access-analyzer`: IAM Access Analyzer's own recommendation for the principal's
   * UnusedPermission findings (GetFindingRecommendation), per finding, as AWS gave it; credsweep's
   * `policy` above is the boundary it suggests either way.
   */
  accessAnalyzerRecommendations?: FindingRecommendation[];
}

export interface PolicySuggestions {
  schemaVersion: 1;
  note: string;
  suggestions: SuggestedPolicy[];
}

export const SUGGESTION_NOTE =
  'For review only; credsweep never applies it. Attach as a permissions boundary to drop the unused services and actions (a boundary narrows what the identity policies grant, never widens it).';

/**
 * Suggestions for every principal with permission findings, in ARN order; `recommendations` (by
 * principal ARN) are IAM Access Analyzer's, attached as they are.
 */
export function suggestReducedPolicies(
  findings: readonly Finding[],
  recommendations?: ReadonlyMap<string, FindingRecommendation[]>,
): PolicySuggestions {
  const byPrincipal = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.credential !== 'permission' || f.service === undefined) continue;
    byPrincipal.set(f.arn, [...(byPrincipal.get(f.arn) ?? []), f]);
  }
  const suggestions = [...byPrincipal.keys()].sort().map((arn) => {
    const suggestion = suggestReducedPolicy(arn, byPrincipal.get(arn)!);
    const recommended = recommendations?.get(arn);
    return recommended?.length ? { ...suggestion, accessAnalyzerRecommendations: recommended } : suggestion;
  });
  return { schemaVersion: 1, note: SUGGESTION_NOTE, suggestions };
}

export function suggestReducedPolicy(principalArn: string, findings: readonly Finding[]): SuggestedPolicy {
  const services = findings.filter((f) => f.action === undefined);
  const kept = unique(services.filter((f) => f.status !== 'unused').map((f) => f.service!));
  const removed = unique(services.filter((f) => f.status === 'unused').map((f) => f.service!));
  const keptSet = new Set(kept);
  const removedActions = unique(
    findings
      .filter((f) => f.action !== undefined && f.status === 'unused' && keptSet.has(f.service!))
      .map((f) => f.action!),
  );
  const statements: PolicyStatement[] =
    kept.length === 0
      ? [{ Sid: 'NothingInUse', Effect: 'Deny', Action: '*', Resource: '*' }]
      : [{ Sid: 'KeepServicesInUse', Effect: 'Allow', Action: kept.map((s) => `${s}:*`), Resource: '*' }];
  if (kept.length > 0 && removedActions.length > 0) {
    statements.push({
      Sid: 'DropUnusedTrackedActions',
      Effect: 'Deny',
      Action: removedActions,
      Resource: '*',
    });
  }
  return {
    principalArn,
    keptServices: kept,
    removedServices: removed,
    removedActions,
    policy: { Version: '2012-10-17', Statement: statements },
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values)].sort();
}
