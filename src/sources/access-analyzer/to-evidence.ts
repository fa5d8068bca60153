/**
 * Access Analyzer's unused-access findings as evidence per principal ARN. Pure.
 *
 *   indexAccessAnalyzerEvidence(findings, analyzer) → Map<principal ARN, AccessAnalyzerEvidence>
 *
 * UnusedPermission details are kept per service: the whole service unused (no action listed), or the
 * unused actions listed, as `namespace:Action`.
 */
import type { AccessAnalyzerEvidence, AccessAnalyzerServiceVerdict } from '../../model/inventory.ts';
import type { EpochMs } from '../../time.ts';
import type { UnusedAccessAnalyzer } from './find-analyzer.ts';
import type { UnusedAccessDetail, UnusedAccessFinding } from './unused-access-findings.ts';

export function indexAccessAnalyzerEvidence(
  findings: readonly UnusedAccessFinding[],
  analyzer: Pick<UnusedAccessAnalyzer, 'arn' | 'trackingDays'>,
): Map<string, AccessAnalyzerEvidence> {
  const byArn = new Map<string, AccessAnalyzerEvidence>();
  const evidenceOf = (arn: string) => {
    let evidence = byArn.get(arn);
    if (!evidence) {
      evidence = {
        analyzerArn: analyzer.arn,
        trackingDays: analyzer.trackingDays,
        accessKeys: {},
        permissions: {},
      };
      byArn.set(arn, evidence);
    }
    return evidence;
  };
  for (const finding of findings) {
    const evidence = evidenceOf(finding.resource);
    for (const d of finding.details) {
      const verdict = { findingId: finding.id, lastAccessed: d.lastAccessed };
      if (d.kind === 'role') evidence.role = verdict;
      else if (d.kind === 'password') evidence.password = verdict;
      else if (d.kind === 'access_key') evidence.accessKeys[d.accessKeyId] = verdict;
      else addPermission(evidence.permissions, finding.id, d);
    }
  }
  return byArn;
}

const later = (a: EpochMs | null, b: EpochMs | null) => (a === null ? b : b === null || a > b ? a : b);

/** `s3:GetObject` whether the analyzer wrote the action with its namespace or without. */
export function qualifiedAction(namespace: string, action: string): string {
  return action.includes(':') ? action : `${namespace}:${action}`;
}

/** One UnusedPermission detail into the per-service index (two findings naming a service merge). */
function addPermission(
  permissions: Record<string, AccessAnalyzerServiceVerdict>,
  findingId: string,
  d: UnusedAccessDetail & { kind: 'permission' },
): void {
  const seen = permissions[d.serviceNamespace];
  const entry: AccessAnalyzerServiceVerdict = seen
    ? { ...seen, lastAccessed: later(seen.lastAccessed, d.lastAccessed) }
    : { findingId, lastAccessed: d.lastAccessed, wholeService: false, actions: {} };
  if (d.actions.length === 0) entry.wholeService = true;
  for (const a of d.actions) {
    const name = qualifiedAction(d.serviceNamespace, a.action);
    const before = entry.actions[name];
    entry.actions[name] = {
      findingId: before?.findingId ?? findingId,
      lastAccessed: before ? later(before.lastAccessed, a.lastAccessed) : a.lastAccessed,
    };
  }
  permissions[d.serviceNamespace] = entry;
}
