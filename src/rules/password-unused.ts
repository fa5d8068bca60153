import type { Caveat, Finding } from '../model/finding.ts';
import type { Principal } from '../model/inventory.ts';
import { daysBefore } from '../time.ts';
import {
  ageInWords,
  buildFinding,
  byThreshold,
  type EvaluationContext,
  firstKnown,
  type Rule,
  seenBy,
  thresholdFor,
  thresholdNote,
} from './rule.ts';
import { PASSWORD_GAP_2018_END, PASSWORD_TRACKING_START } from './tracking-dates.ts';

export const passwordUnused: Rule = {
  id: 'password-unused',
  title: 'Console password not used within the window',
  severity: 'medium',
  credentials: ['password'],
  rationale:
    'A console password nobody signs in with is an open door: AWS recommends removing credentials that are not needed.',
  evaluate(principal: Principal, ctx: EvaluationContext): Finding[] {
    const password = principal.password;
    if (!password) return [];
    const activity = firstKnown([
      [password.lastUsed, password.lastUsedSource ?? 'last_used'],
      [password.lastChanged, 'last_changed'],
      [principal.createdAt, 'created'],
    ])!;
    const neverUsed = password.lastUsed === null;
    const caveats: Caveat[] = [];
    if (neverUsed && activity.at < PASSWORD_TRACKING_START) caveats.push('not_tracked_before_2014_10_20');
    if (
      password.lastUsed !== null &&
      password.lastUsed < PASSWORD_GAP_2018_END &&
      daysBefore(ctx.asOf, thresholdFor(ctx, 'password')) < PASSWORD_GAP_2018_END
    ) {
      caveats.push('password_gap_2018');
    }
    return [
      buildFinding(
        principal,
        {
          credential: 'password',
          status: byThreshold(ctx, 'password'),
          lastUsed: password.lastUsed,
          lastActivity: activity.at,
          lastActivitySource: activity.source,
          neverUsed,
          caveats,
          reason: (age) =>
            neverUsed
              ? `console password never used; ${activity.source === 'created' ? 'user created' : 'set'} ${ageInWords(age)} ${thresholdNote(ctx, 'password')}`
              : `console password last used ${ageInWords(age)}${seenBy(password.lastUsedSource)} ${thresholdNote(ctx, 'password')}`,
        },
        ctx,
      ),
    ];
  },
};
