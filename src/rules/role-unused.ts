import type { Caveat, Finding } from '../model/finding.ts';
import type { Principal } from '../model/inventory.ts';
import { MS_PER_DAY } from '../time.ts';
import {
  ageDaysOf,
  whenInWords,
  buildFinding,
  type EvaluationContext,
  NO_FINDINGS,
  type Rule,
  seenBy,
  statusByThreshold,
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
  evaluate(principal: Principal, ctx: EvaluationContext): readonly Finding[] {
    const role = principal.role;
    if (principal.type !== 'role' || !role) return NO_FINDINGS;
    // The first known of: the last use, the role's creation.
    const lastActivity = role.lastUsed ?? principal.createdAt;
    const ageDays = ageDaysOf(lastActivity, ctx);
    const neverUsed = role.lastUsed === null;
    const serviceLinked = role.path.startsWith(SERVICE_LINKED_PATH);
    const caveats: Caveat[] = [];
    if (neverUsed && ctx.asOf - principal.createdAt > ROLE_TRACKING_DAYS * MS_PER_DAY) {
      caveats.push('role_tracking_400_days');
    }
    const when = neverUsed
      ? `never used; created ${whenInWords(lastActivity, ctx)}`
      : `last used ${whenInWords(lastActivity, ctx)}${seenBy(role.lastUsedSource)}`;
    const finding = buildFinding(principal, ctx, {
      credential: 'role',
      status: serviceLinked ? 'service_linked' : statusByThreshold(lastActivity, ctx, 'role'),
      lastUsed: role.lastUsed,
      lastActivity,
      lastActivitySource: role.lastUsed !== null ? (role.lastUsedSource ?? 'last_used') : 'created',
      ageDays,
      neverUsed,
      caveats,
      reason: serviceLinked
        ? `service-linked role (managed by an AWS service); ${when}`
        : `role ${when} ${thresholdNote(ctx, 'role')}`,
    });
    if (role.lastUsedRegion !== undefined) finding.lastUsedRegion = role.lastUsedRegion;
    return [finding];
  },
};
