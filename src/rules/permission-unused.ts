/**
 * Unused permissions: one finding per service a principal's identity policies grant (Access Advisor
 * lists exactly those, docs/aws-behaviour.md §3.1), and with action granularity one per tracked action of the
 * services still in use. Pure: Access Advisor's data and the evaluation date come in.
 */
import type { Caveat, Finding } from '../model/finding.ts';
import type { Principal } from '../model/inventory.ts';
import type {
  AccessAdvisorGranularity,
  ActionAccess,
  PermissionPrincipal,
  ServiceAccess,
} from '../model/service-access.ts';
import { type EpochMs, MS_PER_DAY } from '../time.ts';
import {
  ageDaysOf,
  whenInWords,
  buildFinding,
  type EvaluationContext,
  type RuleFacts,
  statusByThreshold,
  thresholdNote,
} from './rule.ts';

/** Access Advisor's permission findings come from `auditPermissions`, not from the `RULES` registry. */
export const permissionUnused: RuleFacts = {
  id: 'permission-unused',
  title: 'Granted service or action not used',
  severity: 'medium',
  credentials: ['permission'],
};

/**
 * Access Advisor keeps 400 days of data (IAM-UG:access_policies_access-advisor.md, docs/aws-behaviour.md
 * §3.3): "never accessed" for a principal older than that only means "not within 400 days".
 */
export const ACCESS_ADVISOR_TRACKING_DAYS = 400;

export interface PermissionEvaluationContext extends EvaluationContext {
  granularity: AccessAdvisorGranularity;
}

function asPrincipal(p: PermissionPrincipal): Principal {
  return { ...p, password: null, accessKeys: [], signingCertificates: [] };
}

function trackingCaveats(principal: PermissionPrincipal, lastUsed: EpochMs | null, asOf: EpochMs): Caveat[] {
  return lastUsed === null && asOf - principal.createdAt > ACCESS_ADVISOR_TRACKING_DAYS * MS_PER_DAY
    ? ['access_advisor_400_days']
    : [];
}

function permissionFinding(
  principal: PermissionPrincipal,
  what: {
    label: string;
    namespace: string;
    action?: string;
    lastUsed: EpochMs | null;
    region: string | null;
    source: 'access_analyzer' | undefined;
  },
  ctx: EvaluationContext,
): Finding {
  const neverUsed = what.lastUsed === null;
  const analyzer = what.source === 'access_analyzer';
  const period = analyzer ? "IAM Access Analyzer's tracking period" : "Access Advisor's tracking period";
  const lastActivity = what.lastUsed ?? principal.createdAt;
  const ageDays = ageDaysOf(lastActivity, ctx);
  const finding = buildFinding(asPrincipal(principal), ctx, {
    credential: 'permission',
    status: statusByThreshold(lastActivity, ctx, 'permission'),
    lastUsed: what.lastUsed,
    lastActivity,
    lastActivitySource: neverUsed ? 'created' : analyzer ? 'access_analyzer' : 'last_used',
    ageDays,
    neverUsed,
    // the analyzer's own window is named by the judge stage (access_analyzer_<days>_days)
    caveats: analyzer ? [] : trackingCaveats(principal, what.lastUsed, ctx.asOf),
    reason: neverUsed
      ? `${what.label} is granted but was never accessed in ${period}; the ${principal.type} was created ${whenInWords(lastActivity, ctx)} ${thresholdNote(ctx, 'permission')}`
      : `${what.label} was last accessed ${whenInWords(lastActivity, ctx)}${analyzer ? ' according to IAM Access Analyzer' : ''} ${thresholdNote(ctx, 'permission')}`,
  });
  finding.service = what.namespace;
  finding.lastUsedRegion = what.region;
  if (what.action !== undefined) finding.action = what.action;
  return finding;
}

function actionFindings(
  principal: PermissionPrincipal,
  service: ServiceAccess,
  actions: ActionAccess[],
  ctx: EvaluationContext,
): Finding[] {
  return [...actions]
    .sort((a, b) => a.action.localeCompare(b.action))
    .map((a) => {
      const action = `${service.namespace}:${a.action}`;
      return permissionFinding(
        principal,
        {
          label: `action ${action}`,
          namespace: service.namespace,
          action,
          lastUsed: a.lastAccessed,
          region: a.region,
          source: a.source,
        },
        ctx,
      );
    });
}

/**
 * One finding per granted service (status unused/in_use by the threshold). With action granularity,
 * the tracked actions of each service still in use follow it (an unused service's actions are
 * covered by the service's own finding).
 */
export function evaluateServiceAccess(
  principal: PermissionPrincipal,
  services: readonly ServiceAccess[],
  ctx: PermissionEvaluationContext,
): Finding[] {
  const sorted = [...services].sort((a, b) => a.namespace.localeCompare(b.namespace));
  return sorted.flatMap((service) => {
    const serviceFinding = permissionFinding(
      principal,
      {
        label: `service ${service.namespace} (${service.serviceName})`,
        namespace: service.namespace,
        lastUsed: service.lastAuthenticated,
        region: service.region,
        source: service.source,
      },
      ctx,
    );
    if (ctx.granularity !== 'action' || serviceFinding.status === 'unused' || !service.trackedActions) {
      return [serviceFinding];
    }
    return [serviceFinding, ...actionFindings(principal, service, service.trackedActions, ctx)];
  });
}
