/**
 * The collect stage of `--access-analyzer [ARN|auto]`: the ACTIVE unused-access findings of an
 * existing IAM Access Analyzer analyzer, read once with the caller's credentials and Region before the
 * accounts are judged. credsweep never creates an analyzer: they are billed per principal analysed
 * (docs/aws-behaviour.md §3.4), while the new Security Hub runs one at no extra cost (§10).
 *
 *   collectAccessAnalyzer(connection, spec) → { analyzer, findings, input } | { analyzer: null } | { error }
 *
 * None found and a failure are outcomes, not exceptions: the audit runs on without the analyzer and
 * the caller says so (the CLI in one line; a failure makes it exit 3 like any AWS failure).
 */
import { classifyAwsError } from '../aws/classify-error.ts';
import { createAccessAnalyzerClient } from '../aws/access-analyzer-client.ts';
import type { AwsConnection } from '../aws/clients.ts';
import {
  findUnusedAccessAnalyzer,
  type UnusedAccessAnalyzer,
} from '../sources/access-analyzer/find-analyzer.ts';
import { indexAccessAnalyzerEvidence } from '../sources/access-analyzer/to-evidence.ts';
import { listUnusedAccessFindings } from '../sources/access-analyzer/unused-access-findings.ts';
import type { AccessAnalyzerInput } from './access-analyzer-evidence.ts';

export type AccessAnalyzerOutcome =
  | { analyzer: UnusedAccessAnalyzer; findings: number; input: AccessAnalyzerInput }
  | { analyzer: null; spec: string }
  | { error: { code: string; message: string } };

export async function collectAccessAnalyzer(
  connection: AwsConnection,
  spec: string,
  /** Only these accounts' findings (the run audits only them); absent: every finding. */
  accounts?: readonly string[],
): Promise<AccessAnalyzerOutcome> {
  const client = createAccessAnalyzerClient(connection);
  try {
    const analyzer = await findUnusedAccessAnalyzer(client, spec);
    if (!analyzer) return { analyzer: null, spec };
    const findings = await listUnusedAccessFindings(client, analyzer.arn, accounts);
    const owner = analyzer.arn.split(':')[4];
    return {
      analyzer,
      findings: findings.length,
      input: {
        trackingDays: analyzer.trackingDays,
        evidence: indexAccessAnalyzerEvidence(findings, analyzer),
        // an organization analyzer sees every member; an account analyzer only its own account
        covers: (accountId) => analyzer.type === 'ORGANIZATION_UNUSED_ACCESS' || accountId === owner,
      },
    };
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw e; // a bug in credsweep, not AWS
    return { error: classifyAwsError(e) };
  } finally {
    client.destroy();
  }
}
