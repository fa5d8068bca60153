/**
 * The eligibility of an access key for deletion, shared by user and member-root keys: it must be
 * Inactive, credsweep's own journals must show credsweep deactivated it at least --delete-after days
 * ago (not undone since), and it must show no use after that. An Inactive key whose deactivation date
 * is unknown (an admin may have deactivated it yesterday for forensics) is never deleted.
 */
import { wholeDaysBetween } from '../../time.ts';
import {
  type CredentialState,
  type EligibilityContext,
  epochSeconds,
  type Ineligible,
  missing,
  wrongStatus,
} from './action.ts';

export function keyDeletionEligibility(state: CredentialState, ctx: EligibilityContext): Ineligible | null {
  const gone = missing(state, 'the key') ?? wrongStatus(state, 'Inactive', 'the key');
  if (gone) return gone;
  const since = state.targetId === undefined ? undefined : ctx.deactivatedAt(state.targetId);
  if (since === undefined) {
    return {
      reason: 'deactivation_unknown',
      detail: "inactive, but credsweep's journals do not show credsweep deactivating it",
    };
  }
  const days = wholeDaysBetween(since, ctx.now);
  if (days < ctx.deleteAfterDays) {
    return {
      reason: 'inactive_too_recent',
      detail: `deactivated by credsweep ${days} days ago, deleted after ${ctx.deleteAfterDays}`,
    };
  }
  const used = epochSeconds(state.lastUsed);
  if (used !== null && used > Math.floor(since / 1000)) {
    return {
      reason: 'changed_since_plan',
      detail: `used at ${state.lastUsed}, after credsweep deactivated it`,
    };
  }
  return null;
}
