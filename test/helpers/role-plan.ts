/** Plans of role remediation for the role tests: a role finding and the planner's options around it. */
import type { Finding } from '../../src/model/finding.ts';
import type { RemediationPlan } from '../../src/model/remediation-plan.ts';
import { assembleRemediationPlan, type PlanOptions } from '../../src/remediation/plan.ts';
import { aFinding } from './builders.ts';
import { MOTO_DEFAULT_ACCOUNT as ACCOUNT } from './moto.ts';

/** credsweep running as the role credsweep-ops in moto's default account. */
export const ROLE_CALLER = {
  accountId: ACCOUNT,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/credsweep-ops/run`,
  accessKeyId: null,
};

/** An unused, never-used role of moto's default account (path /apps/, as seedFullRole makes it). */
export function roleFinding(name: string, overrides: Partial<Finding> = {}): Finding {
  return aFinding({
    accountId: ACCOUNT,
    principalType: 'role',
    principalName: name,
    arn: `arn:aws:iam::${ACCOUNT}:role/apps/${name}`,
    credential: 'role',
    status: 'unused',
    lastUsed: null,
    neverUsed: true,
    reason: 'role never used; created 200 days ago (threshold 90)',
    ...overrides,
  });
}

/** plan --roles at `at` (90 days, --delete-after 30, no irreversible step unless overridden). */
export function planRoles(
  findings: Finding[],
  at: number,
  overrides: Partial<PlanOptions> = {},
): RemediationPlan {
  return assembleRemediationPlan(findings, {
    dataCollectedAt: at,
    createdAt: at,
    thresholdDays: 90,
    deleteAfterDays: 30,
    allowIrreversible: false,
    includeRoot: false,
    include: [],
    exclude: [],
    caller: ROLE_CALLER,
    roles: true,
    ...overrides,
  });
}
