import type { Caveat, Finding } from '../model/finding.ts';
import type { Principal } from '../model/inventory.ts';
import { MS_PER_DAY } from '../time.ts';
import {
  ageInWords,
  buildFinding,
  byThreshold,
  type EvaluationContext,
  firstKnown,
  type Rule,
  seenBy,
  thresholdNote,
} from './rule.ts';

/** AWS keeps a role's last use for 400 days (IAM-UG:id_roles_manage_delete.md). */
export const ROLE_TRACKING_DAYS = 400;
const SERVICE_LINKED_PATH = '/aws-service-role/';

export const roleUnused: Rule = {
  id: 'role-unused',
  title: 'IAM role not assumed within the window',
  severity: 'medium',
  credentials: ['role'],
  rationale: 'A role nobody assumes still grants its permissions to whoever its trust policy names.',
  evaluate(principal: Principal, ctx: EvaluationContext): Finding[] {
    const role = principal.role;
    if (principal.type !== 'role' || !role) return [];
    const activity = firstKnown([
      [role.lastUsed, role.lastUsedSource ?? 'last_used'],
      [principal.createdAt, 'created'],
    ])!;
    const neverUsed = role.lastUsed === null;
    const serviceLinked = role.path.startsWith(SERVICE_LINKED_PATH);
    const caveats: Caveat[] = [];
    if (neverUsed && ctx.asOf - principal.createdAt > ROLE_TRACKING_DAYS * MS_PER_DAY) {
      caveats.push('role_tracking_400_days');
    }
    const extra: Partial<Finding> = {};
    if (role.lastUsedRegion !== undefined) extra.lastUsedRegion = role.lastUsedRegion;
    return [
      buildFinding(
        principal,
        {
          credential: 'role',
          status: serviceLinked ? () => 'service_linked' : byThreshold(ctx, 'role'),
          lastUsed: role.lastUsed,
          lastActivity: activity.at,
          lastActivitySource: activity.source,
          neverUsed,
          caveats,
          reason: (age) => {
            const when = neverUsed
              ? `never used; created ${ageInWords(age)}`
              : `last used ${ageInWords(age)}${seenBy(role.lastUsedSource)}`;
            return serviceLinked
              ? `service-linked role (managed by an AWS service); ${when}`
              : `role ${when} ${thresholdNote(ctx, 'role')}`;
          },
          extra,
        },
        ctx,
      ),
    ];
  },
};
