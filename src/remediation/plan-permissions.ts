/**
 * `plan --permissions`, the pure part: permission findings (a `permissions` audit's, from its JSON or
 * live) grouped per user and role → one restrict-permissions step per principal with unused services
 * or tracked actions, or the principal skipped with its reason. The principals' current boundaries
 * are read by the caller (src/remediation/read-boundaries.ts) and passed in; no AWS, no clock.
 */
import { matchesAnyIgnoringCase } from '../config/glob.ts';
import type { Finding } from '../model/finding.ts';
import type { PlanStep, SkippedCredential, SkipReason } from '../model/remediation-plan.ts';
import type { AccessAdvisorGranularity } from '../model/service-access.ts';
import { callerSkip, type RunsAs } from './caller.ts';
import { BoundaryError, buildBoundary } from './permissions-boundary.ts';
import { isCredsweepBoundary, restrictionFacts } from './restriction.ts';

/** A principal's boundary when the plan is made: its ARN and document, or why it could not be read. */
export type PlanBoundary =
  | { arn: string | null; document: string | null; exempt?: string }
  | { unreadable: string };

/** RunsAs: never the caller, nor the role credsweep assumes in another account. */
export interface PermissionPlanOptions extends RunsAs {
  granularity: AccessAdvisorGranularity;
  /** Principal ARN → its boundary now (and an exemption found while reading it). */
  boundaries: ReadonlyMap<string, PlanBoundary>;
  include: readonly string[];
  exclude: readonly string[];
  /** The analyzer a live audit read (`--access-analyzer`), recorded on the steps it judged. */
  analyzerArn?: string;
}

type PermissionFinding = Finding & { principalType: 'user' | 'role' };

/** The principals with permission findings, each with its findings, in ARN order. */
export function permissionPrincipals(findings: readonly Finding[]): Map<string, PermissionFinding[]> {
  const byArn = new Map<string, PermissionFinding[]>();
  for (const f of findings) {
    if (f.credential !== 'permission' || (f.principalType !== 'user' && f.principalType !== 'role')) continue;
    byArn.set(f.arn, [...(byArn.get(f.arn) ?? []), f as PermissionFinding]);
  }
  return new Map([...byArn.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

export function planRestrictions(
  findings: readonly Finding[],
  o: PermissionPlanOptions,
): { steps: PlanStep[]; skipped: SkippedCredential[] } {
  const steps: PlanStep[] = [];
  const skipped: SkippedCredential[] = [];
  for (const [arn, list] of permissionPrincipals(findings)) {
    const f = list[0]!;
    const ref = {
      accountId: f.accountId,
      principalType: f.principalType,
      principalName: f.principalName,
      arn,
      credential: 'permission' as const,
    };
    const decision = decide(list, o);
    if ('skip' in decision) skipped.push({ ...ref, reason: decision.skip, detail: decision.detail });
    else {
      steps.push({
        id: `${f.accountId}/restrict-permissions/${f.principalType}/${f.principalName}`,
        action: 'restrict-permissions',
        ...ref,
        reversible: true,
        reason: decision.reason,
        expected: { lastUsed: decision.fencedLastUsed },
        restriction: decision.restriction,
      });
    }
  }
  return { steps, skipped };
}

type Decision =
  | { skip: SkipReason; detail: string }
  | { reason: string; fencedLastUsed: string | null; restriction: NonNullable<PlanStep['restriction']> };

function decide(list: readonly PermissionFinding[], o: PermissionPlanOptions): Decision {
  const f = list[0]!;
  const facts = restrictionFacts(list);
  if (facts.blocked?.status === 'service_linked') {
    return { skip: 'service_linked', detail: 'service-linked roles are managed by their AWS service' };
  }
  if (facts.blocked) return { skip: 'exempt', detail: facts.blocked.reason };
  const names = [f.principalName, f.arn, f.accountId];
  const excludedBy = o.exclude.find((p) => matchesAnyIgnoringCase(p, names));
  if (excludedBy !== undefined) return { skip: 'excluded', detail: `matches --exclude ${excludedBy}` };
  if (o.include.length > 0 && !o.include.some((p) => matchesAnyIgnoringCase(p, names))) {
    return { skip: 'not_included', detail: 'matches no --include pattern' };
  }
  const caller = callerSkip({ accountId: f.accountId, type: f.principalType, name: f.principalName }, o);
  if (caller) return { skip: caller.reason, detail: caller.detail };
  const boundary = o.boundaries.get(f.arn);
  if (!boundary) return { skip: 'unresolved', detail: "the principal's boundary was not read" };
  if ('unreadable' in boundary) return { skip: 'unresolved', detail: boundary.unreadable };
  if (boundary.exempt !== undefined) return { skip: 'exempt', detail: boundary.exempt };
  if (facts.unusedServices.length === 0 && facts.unusedActions.length === 0) {
    return { skip: 'all_in_use', detail: 'every granted service (and tracked action) is in use' };
  }
  if (facts.servicesInUse.length === 0) {
    return {
      skip: 'no_service_in_use',
      detail: `no granted service is in use (${facts.unusedServices.length} unused): a boundary would deny everything; quarantine it instead`,
    };
  }
  if (isCredsweepBoundary(boundary.arn)) {
    return { skip: 'already_restricted', detail: `its boundary ${boundary.arn} is credsweep's already` };
  }
  let policyName: string;
  try {
    policyName = buildBoundary({
      servicesInUse: facts.servicesInUse,
      unusedActions: facts.unusedActions,
      existingBoundary: boundary.document,
    }).policyName;
  } catch (e) {
    if (e instanceof BoundaryError) return { skip: 'boundary_invalid', detail: e.message };
    throw e;
  }
  const fenced = [
    ...(facts.unusedServices.length ? [`services ${facts.unusedServices.join(', ')}`] : []),
    ...(facts.unusedActions.length ? [`actions ${facts.unusedActions.join(', ')}`] : []),
  ].join('; ');
  const kept = boundary.arn ? `; its boundary ${boundary.arn} stays in force (intersected)` : '';
  return {
    reason: `allow only ${facts.servicesInUse.join(', ')}: ${fenced} not used past the threshold${kept}; boundary ${policyName}; reversible (undo)`,
    fencedLastUsed: facts.fencedLastUsed,
    restriction: {
      granularity: o.granularity,
      servicesInUse: facts.servicesInUse,
      unusedActions: facts.unusedActions,
      previousBoundaryArn: boundary.arn,
      policyName,
      ...analyzerOf(list, o.analyzerArn),
    },
  };
}

/** The analyzer that judged the principal's findings, from their `access_analyzer_<days>_days` caveat. */
function analyzerOf(
  list: readonly PermissionFinding[],
  analyzerArn: string | undefined,
): { accessAnalyzer?: { trackingDays: number; analyzerArn?: string } } {
  for (const f of list) {
    for (const c of f.caveats) {
      const m = /^access_analyzer_(\d+)_days$/.exec(c);
      if (m) {
        const trackingDays = Number(m[1]);
        return { accessAnalyzer: { trackingDays, ...(analyzerArn ? { analyzerArn } : {}) } };
      }
    }
  }
  return {};
}
