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
import {
  parseCredentialReportChunks,
  type ReportResume,
  type ReportRow,
} from '../sources/credential-report/parse-csv.ts';
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

/**
 * Principals of a credential report, one account's contiguous rows at a time, duplicates merged;
 * `resume` reads a part of a file that starts at a record (after its header, elsewhere).
 */
export async function* principalsByAccount(
  input: Readable,
  file: string,
  resume?: ReportResume,
): AsyncGenerator<Principal[]> {
  const groups = new AccountGroups(file);
  for await (const rows of parseCredentialReportChunks(input, file, resume)) {
    for (const row of rows) {
      const done = groups.add(row);
      if (done) yield done;
    }
  }
  const last = groups.end();
  if (last) yield last;
}

/** Rows to principals, grouped by account as they come (the report audit's worker threads use it too). */
export class AccountGroups {
  private account: string | undefined;
  private group = new Map<string, Principal>();

  constructor(private readonly file: string) {}

  /** Adds a row (in file order); returns the account's principals it completed, if it began another. */
  add(row: ReportRow): Principal[] | undefined {
    const principal = rowToPrincipal(row, this.file);
    let done: Principal[] | undefined;
    if (principal.accountId !== this.account) {
      if (this.group.size > 0) done = [...this.group.values()];
      this.group = new Map();
      this.account = principal.accountId;
    }
    const earlier = this.group.get(principal.arn);
    this.group.set(principal.arn, earlier ? mergeDuplicateRows(earlier, principal) : principal);
    return done;
  }

  /** The last account's principals, if any. */
  end(): Principal[] | undefined {
    return this.group.size > 0 ? [...this.group.values()] : undefined;
  }
}
