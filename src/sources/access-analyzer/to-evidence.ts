/**
 * Access Analyzer's unused-access findings as evidence per principal ARN. Pure.
 *
 *   indexAccessAnalyzerEvidence(findings, analyzer) → Map<principal ARN, AccessAnalyzerEvidence>
 */
import type { AccessAnalyzerEvidence } from '../../model/inventory.ts';
import type { UnusedAccessAnalyzer } from './find-analyzer.ts';
import type { UnusedAccessFinding } from './unused-access-findings.ts';

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
        permissions: [],
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
      else {
        evidence.permissions.push({ ...verdict, service: d.serviceNamespace });
        for (const a of d.actions) {
          evidence.permissions.push({
            findingId: finding.id,
            lastAccessed: a.lastAccessed,
            service: d.serviceNamespace,
            action: a.action,
          });
        }
      }
    }
  }
  return byArn;
}
