/**
 * The one line a CLI prints about `--access-analyzer`'s outcome. Its own light module: the audit
 * command loads it on every run, and the collect stage brings the AWS SDK.
 */
import type { AccessAnalyzerOutcome } from './collect-access-analyzer.ts';

export function describeAccessAnalyzerOutcome(outcome: AccessAnalyzerOutcome): string {
  if ('error' in outcome) {
    return `IAM Access Analyzer: ${outcome.error.code}: ${outcome.error.message}; audited without it`;
  }
  if (outcome.analyzer === null) {
    return outcome.spec === 'auto'
      ? 'no IAM Access Analyzer unused-access analyzer in this account and Region; audited without it (credsweep never creates one: they are billed per principal)'
      : `--access-analyzer: no active unused-access analyzer ${outcome.spec} in this account and Region; audited without it`;
  }
  const a = outcome.analyzer;
  const n = outcome.findings;
  return `IAM Access Analyzer ${a.name}${a.managedBy ? ` (managed by ${a.managedBy})` : ''}: ${n} active unused-access finding${n === 1 ? '' : 's'}, tracking period ${a.trackingDays} days`;
}
