/**
 * What Access Advisor says about one principal, normalised (src/sources/access-advisor/ maps the SDK's
 * answer onto it; the permission rule evaluates it): per granted service, when it was last
 * authenticated and (for action-level jobs) the tracked actions. Dates are epoch ms, "never" is null.
 */
import type { EpochMs } from '../time.ts';

export type AccessAdvisorGranularity = 'service' | 'action';

export interface ActionAccess {
  /** The action name as IAM reports it (`GetObject`), without the namespace. */
  action: string;
  lastAccessed: EpochMs | null;
  region: string | null;
  /** `access_analyzer` when the date (or the action itself) came from IAM Access Analyzer, not Access Advisor. */
  source?: 'access_analyzer';
}

export interface ServiceAccess {
  serviceName: string;
  namespace: string;
  lastAuthenticated: EpochMs | null;
  region: string | null;
  /** `access_analyzer` when lastAuthenticated (or the service itself) came from IAM Access Analyzer. */
  source?: 'access_analyzer';
  /**
   * null when IAM tracks no actions for this service (or the job was service-level). Which services
   * have tracked actions is data, not a hard-coded list (docs/aws-behaviour.md §3.1).
   */
  trackedActions: ActionAccess[] | null;
}

/** The principals Access Advisor reports on that credsweep evaluates. */
export interface PermissionPrincipal {
  accountId: string;
  type: 'user' | 'role';
  name: string;
  arn: string;
  createdAt: EpochMs;
}
