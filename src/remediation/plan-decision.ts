/** What the planner decides for one finding: a step, or a skip with its named reason. */
import type { Finding } from '../model/finding.ts';
import type { RemediationActionId, SkipReason } from '../model/remediation-plan.ts';

export type Decision =
  | {
      step: {
        action: RemediationActionId;
        reversible: boolean;
        reason: string;
        /** The last use apply compares to, when it is not the finding's own (quarantine-user: the user's). */
        lastUsed?: string | null;
      };
    }
  | { skip: SkipReason; detail: string };

/**
 * A finding's credential was last active at least `thresholdDays` before the as-of date (for a signing
 * certificate, which AWS records no use of, uploaded that long ago). An activity after the as-of date
 * reads age 0 but is recent whatever the threshold (--days 0 included).
 */
export function pastPlanThreshold(f: Finding, thresholdDays: number): boolean {
  return f.ageDays >= thresholdDays && !f.caveats.includes('used_after_as_of');
}
