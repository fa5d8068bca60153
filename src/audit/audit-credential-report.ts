/**
 * The credential-report audit as a stream: CSV text in, findings out. At most one account's rows are
 * held at a time (IAM allows 5 000 users per account), so memory stays flat however many accounts an
 * organisation-wide export concatenates, and a user listed twice within its account is merged.
 */
import type { Readable } from 'node:stream';
import type { Finding } from '../model/finding.ts';
import type { Principal } from '../model/inventory.ts';
import {
  DEFAULT_EXEMPTION,
  type EvaluationContext,
  type ExemptionPolicy,
  evaluatePrincipal,
} from '../rules/index.ts';
import { mergeDuplicateRows } from '../sources/credential-report/merge-duplicate-rows.ts';
import { parseCredentialReportChunks } from '../sources/credential-report/parse-csv.ts';
import { rowToPrincipal } from '../sources/credential-report/to-inventory.ts';

export async function* auditCredentialReport(
  input: Readable,
  file: string,
  ctx: EvaluationContext,
  exemption: ExemptionPolicy = DEFAULT_EXEMPTION,
): AsyncGenerator<Finding> {
  for await (const principals of principalsByAccount(input, file)) {
    const findings: Finding[] = [];
    for (const principal of principals) findings.push(...evaluatePrincipal(principal, ctx, exemption));
    yield* findings;
  }
}

/** Principals of a credential report, one account's contiguous rows at a time, duplicates merged. */
export async function* principalsByAccount(input: Readable, file: string): AsyncGenerator<Principal[]> {
  let account: string | undefined;
  let group = new Map<string, Principal>();
  for await (const rows of parseCredentialReportChunks(input, file)) {
    for (const row of rows) {
      const principal = rowToPrincipal(row, file);
      if (principal.accountId !== account) {
        if (group.size > 0) yield [...group.values()];
        group = new Map();
        account = principal.accountId;
      }
      const earlier = group.get(principal.arn);
      group.set(principal.arn, earlier ? mergeDuplicateRows(earlier, principal) : principal);
    }
  }
  if (group.size > 0) yield [...group.values()];
}
