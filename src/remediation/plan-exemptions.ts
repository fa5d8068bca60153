/**
 * The exemption stage of `plan`, whatever the findings came from (a credential-report audit has no
 * tags): for every credential the planner could turn into a step, the principal's tags are read
 * (ListUserTags) and the exempt tag and the configuration's exemptions applied, so an exempt
 * principal is listed `exempt` and never planned. A principal whose tags cannot be read is not
 * planned either (`unresolved`: its exemption cannot be ruled out).
 */
import { classifyAwsError } from '../aws/classify-error.ts';
import type { Finding } from '../model/finding.ts';
import type { RemediationClients } from './actions/index.ts';
import type { ExemptionCheck } from './exemptions.ts';
import { findingKey } from './plan.ts';
import { readPrincipalTags, type Tags } from './principal.ts';

/** Statuses the planner may turn into a step; anything else is skipped before tags matter. */
const PLANNABLE = new Set(['unused', 'inactive', 'unverified']);

export interface ExemptedFindings {
  findings: Finding[];
  /** findingKey → why the principal's tags could not be read. */
  unreadable: Map<string, string>;
  failures: { accountId: string; message: string }[];
}

export async function applyPlanExemptions(
  findings: readonly Finding[],
  clients: RemediationClients,
  check: ExemptionCheck,
): Promise<ExemptedFindings> {
  const tagsByPrincipal = new Map<string, Promise<Tags>>();
  const unreadable = new Map<string, string>();
  const failures: { accountId: string; message: string }[] = [];
  const failedAccounts = new Set<string>();
  const out: Finding[] = [];
  for (const f of findings) {
    if (!PLANNABLE.has(f.status) || (f.principalType !== 'user' && f.principalType !== 'root')) {
      out.push(f);
      continue;
    }
    let tags: Tags = {};
    if (f.principalType === 'user') {
      const k = `${f.accountId}/${f.principalName}`;
      let pending = tagsByPrincipal.get(k);
      if (!pending) {
        const user = { ...f, principalType: 'user' as const };
        pending = clients.iam(f.accountId).then((iam) => readPrincipalTags(iam, user));
        tagsByPrincipal.set(k, pending);
      }
      try {
        tags = await pending;
      } catch (e) {
        const { code, message } = classifyAwsError(e);
        if (!failedAccounts.has(f.accountId)) {
          failedAccounts.add(f.accountId);
          failures.push({ accountId: f.accountId, message: `reading tags: ${code}: ${message}` });
        }
        unreadable.set(findingKey(f), `the principal's tags could not be read (${code})`);
        out.push(f);
        continue;
      }
    }
    const exempt = check(f, tags);
    out.push(exempt === null ? f : { ...f, status: 'exempt', reason: `${exempt}; ${f.reason}` });
  }
  return { findings: out, unreadable, failures };
}
