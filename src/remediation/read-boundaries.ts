/**
 * `plan --permissions`, the reads: for every user and role with permission findings, its current
 * permissions boundary (ARN and document: the planned boundary intersects it) and its tags, with the
 * exempt tag and the configuration's exemptions applied. Read-only; one principal's failure makes it
 * `unresolved`, and an account that cannot be read is reported once (the CLI exits 3).
 */
import { classifyAwsError } from '../aws/classify-error.ts';
import type { Finding } from '../model/finding.ts';
import type { RemediationClients } from './actions/index.ts';
import { readBoundaryPrincipal, readManagedPolicy } from './boundary-reads.ts';
import type { ExemptionCheck } from './exemptions.ts';
import { type PlanBoundary, permissionPrincipals } from './plan-permissions.ts';
import { readPrincipalTags } from './principal.ts';

export async function readPlanBoundaries(
  findings: readonly Finding[],
  clients: RemediationClients,
  check: ExemptionCheck,
): Promise<{ boundaries: Map<string, PlanBoundary>; failures: { accountId: string; message: string }[] }> {
  const boundaries = new Map<string, PlanBoundary>();
  const failures: { accountId: string; message: string }[] = [];
  const failedAccounts = new Set<string>();
  for (const [arn, [f]] of permissionPrincipals(findings)) {
    if (!f) continue;
    try {
      const iam = await clients.iam(f.accountId);
      const live = await readBoundaryPrincipal(iam, { type: f.principalType, name: f.principalName });
      if (!live) {
        boundaries.set(arn, { unreadable: `no ${f.principalType} ${f.principalName} now` });
        continue;
      }
      const policy = live.boundaryArn ? await readManagedPolicy(iam, live.boundaryArn) : null;
      if (live.boundaryArn && !policy) {
        boundaries.set(arn, { unreadable: `its boundary ${live.boundaryArn} cannot be read` });
        continue;
      }
      const exempt = check(f, await readPrincipalTags(iam, f));
      boundaries.set(arn, {
        arn: live.boundaryArn,
        document: policy?.document ?? null,
        ...(exempt !== null ? { exempt } : {}),
      });
    } catch (e) {
      const { code, message } = classifyAwsError(e);
      if (!failedAccounts.has(f.accountId)) {
        failedAccounts.add(f.accountId);
        failures.push({ accountId: f.accountId, message: `reading boundaries: ${code}: ${message}` });
      }
      boundaries.set(arn, { unreadable: `its boundary could not be read (${code})` });
    }
  }
  return { boundaries, failures };
}
