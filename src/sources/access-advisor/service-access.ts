/**
 * What Access Advisor says about one principal, normalised: per granted service, when it was last
 * authenticated and (for action-level jobs) the tracked actions. Dates are epoch ms, "never" is null.
 */
import type { ServiceLastAccessed } from '@aws-sdk/client-iam';
import type { ServiceAccess } from '../../model/service-access.ts';
import type { EpochMs } from '../../time.ts';

export type {
  AccessAdvisorGranularity,
  ActionAccess,
  PermissionPrincipal,
  ServiceAccess,
} from '../../model/service-access.ts';

function epoch(d: Date | undefined): EpochMs | null {
  return d instanceof Date && !Number.isNaN(d.getTime()) ? d.getTime() : null;
}

/** Maps the SDK's ServiceLastAccessed (GetServiceLastAccessedDetails) onto ServiceAccess. */
export function toServiceAccess(s: ServiceLastAccessed): ServiceAccess {
  const tracked = s.TrackedActionsLastAccessed;
  return {
    serviceName: s.ServiceName ?? s.ServiceNamespace ?? '',
    namespace: s.ServiceNamespace ?? '',
    lastAuthenticated: epoch(s.LastAuthenticated),
    region: s.LastAuthenticatedRegion ?? null,
    trackedActions:
      tracked === undefined || tracked === null
        ? null
        : tracked.map((a) => ({
            action: a.ActionName ?? '',
            lastAccessed: epoch(a.LastAccessedTime),
            region: a.LastAccessedRegion ?? null,
          })),
  };
}
