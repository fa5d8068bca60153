/** What the planner decides for one finding: a step, or a skip with its named reason. */
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
