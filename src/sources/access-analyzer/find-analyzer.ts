/**
 * Which IAM Access Analyzer unused-access analyzer to read (`--access-analyzer [ARN|auto]`).
 * credsweep never creates one: they cost money per principal analysed (docs/aws-behaviour.md
 * §3.4), while the new Security Hub turns one on in every account at no extra cost (§10), so `auto`
 * looks for that first.
 *
 *   findUnusedAccessAnalyzer(client, 'auto' | arn) → UnusedAccessAnalyzer | null
 *
 * `auto`: the ACTIVE ACCOUNT_UNUSED_ACCESS / ORGANIZATION_UNUSED_ACCESS analyzers of the caller's
 * account and Region (ListAnalyzers), preferring one managed by Security Hub (`managedBy`, §10), then
 * an organization analyzer (it sees every member), then the account's. null when there is none.
 */
import type { AccessAnalyzerClient, AnalyzerSummary, Type } from '@aws-sdk/client-accessanalyzer';

export const FIND_ANALYZER_PERMISSIONS = ['access-analyzer:ListAnalyzers'] as const;

export interface UnusedAccessAnalyzer {
  arn: string;
  name: string;
  type: 'ACCOUNT_UNUSED_ACCESS' | 'ORGANIZATION_UNUSED_ACCESS';
  /** `configuration.unusedAccess.unusedAccessAge`: the analyzer's tracking period (AWS's default 90). */
  trackingDays: number;
  /** e.g. `securityhubv2.amazonaws.com` for a service-linked analyzer (§10). */
  managedBy?: string;
}

const UNUSED_ACCESS_TYPES: readonly UnusedAccessAnalyzer['type'][] = [
  'ACCOUNT_UNUSED_ACCESS',
  'ORGANIZATION_UNUSED_ACCESS',
];
/** AWS's default unusedAccessAge when the configuration does not say (§3.4). */
const DEFAULT_TRACKING_DAYS = 90;

async function listUnusedAccessAnalyzers(client: AccessAnalyzerClient): Promise<UnusedAccessAnalyzer[]> {
  // The SDK package is loaded by the first call, not with this module: apply and plan import it
  // for its permissions (start-up: docs/performance.md).
  const { paginateListAnalyzers } = await import('@aws-sdk/client-accessanalyzer');
  const found: UnusedAccessAnalyzer[] = [];
  for (const type of UNUSED_ACCESS_TYPES) {
    for await (const page of paginateListAnalyzers({ client }, { type: type as Type })) {
      for (const a of page.analyzers ?? []) {
        const analyzer = toAnalyzer(a);
        if (analyzer && a.status === 'ACTIVE') found.push(analyzer);
      }
    }
  }
  return found;
}

function toAnalyzer(a: AnalyzerSummary): UnusedAccessAnalyzer | null {
  if (!a.arn || !a.name || !UNUSED_ACCESS_TYPES.includes(a.type as UnusedAccessAnalyzer['type'])) return null;
  const unused =
    a.configuration && 'unusedAccess' in a.configuration ? a.configuration.unusedAccess : undefined;
  return {
    arn: a.arn,
    name: a.name,
    type: a.type as UnusedAccessAnalyzer['type'],
    trackingDays: unused?.unusedAccessAge ?? DEFAULT_TRACKING_DAYS,
    ...(a.managedBy ? { managedBy: a.managedBy } : {}),
  };
}

function preference(a: UnusedAccessAnalyzer): number {
  if (a.managedBy?.startsWith('securityhub')) return 0;
  return a.type === 'ORGANIZATION_UNUSED_ACCESS' ? 1 : 2;
}

export async function findUnusedAccessAnalyzer(
  client: AccessAnalyzerClient,
  spec: string,
): Promise<UnusedAccessAnalyzer | null> {
  const analyzers = await listUnusedAccessAnalyzers(client);
  if (spec !== 'auto') return analyzers.find((a) => a.arn === spec) ?? null;
  return (
    [...analyzers].sort((a, b) => preference(a) - preference(b) || a.arn.localeCompare(b.arn))[0] ?? null
  );
}
