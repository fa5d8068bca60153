/**
 * What restrict-permissions fences off for one principal, from its permission findings (the
 * `permissions` audit's, made by the permission-unused rule): the services in use stay inside the
 * boundary, every other service is outside it, and with action granularity the unused tracked actions
 * of the services in use are denied. The same function serves the planner (findings from a
 * `permissions` JSON or a live audit) and apply (findings made again from live Access Advisor by the
 * same rule), so both judge alike. Pure.
 */
import type { Finding } from '../model/finding.ts';
import { parseIsoDateTime } from '../time.ts';

export interface RestrictionFacts {
  servicesInUse: string[];
  /** Granted services not used past the threshold (outside the boundary). */
  unusedServices: string[];
  /** `namespace:Action`, unused tracked actions of services in use. */
  unusedActions: string[];
  /** The latest use of anything the boundary fences off (ISO), null when none was ever used. */
  fencedLastUsed: string | null;
  /** A finding that stops the principal being restricted (exempt, service-linked), if any. */
  blocked?: Finding;
}

export function restrictionFacts(findings: readonly Finding[]): RestrictionFacts {
  const inUse = new Set<string>();
  const unusedServices = new Set<string>();
  const unusedActions = new Set<string>();
  let fencedLastUsed: string | null = null;
  let blocked: Finding | undefined;
  for (const f of findings) {
    if (f.credential !== 'permission' || f.service === undefined) continue;
    if (f.status === 'exempt' || f.status === 'service_linked') {
      blocked ??= f;
      continue;
    }
    const unused = f.status === 'unused';
    if (f.action === undefined) (unused ? unusedServices : inUse).add(f.service);
    else if (unused) unusedActions.add(f.action);
    if (unused && f.lastUsed !== null) fencedLastUsed = later(fencedLastUsed, f.lastUsed);
  }
  return {
    servicesInUse: [...inUse].sort(),
    unusedServices: [...unusedServices].sort(),
    // An action of a service outside the boundary is fenced off with its service already.
    unusedActions: [...unusedActions].filter((a) => inUse.has(a.split(':')[0]!)).sort(),
    fencedLastUsed,
    ...(blocked ? { blocked } : {}),
  };
}

function later(a: string | null, b: string): string {
  if (a === null) return b;
  return (parseIsoDateTime(b) ?? 0) > (parseIsoDateTime(a) ?? 0) ? b : a;
}

/** Same services and actions (both sorted). */
export function sameRestriction(
  a: { servicesInUse: readonly string[]; unusedActions: readonly string[] },
  b: { servicesInUse: readonly string[]; unusedActions: readonly string[] },
): boolean {
  return (
    a.servicesInUse.join(',') === b.servicesInUse.join(',') &&
    a.unusedActions.join(',') === b.unusedActions.join(',')
  );
}

/** The credsweep boundary policy's ARN in the principal's account and partition. */
export function boundaryPolicyArn(principalArn: string, accountId: string, policyName: string): string {
  const partition = /^arn:(aws[\w-]*):/.exec(principalArn)?.[1] ?? 'aws';
  return `arn:${partition}:iam::${accountId}:policy/credsweep/${policyName}`;
}

/** A boundary credsweep set: one of its managed policies (path /credsweep/, CredsweepBoundary- name). */
export function isCredsweepBoundary(arn: string | null): boolean {
  return arn !== null && /:policy\/credsweep\/CredsweepBoundary-[0-9a-f]{16}$/.test(arn);
}
