import type { ActivitySource, Caveat, Finding } from '../model/finding.ts';
import type { Principal } from '../model/inventory.ts';
import { daysBefore } from '../time.ts';
import {
  ageDaysOf,
  whenInWords,
  buildFinding,
  type EvaluationContext,
  NO_FINDINGS,
  type Rule,
  seenBy,
  statusByThreshold,
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
  evaluate(principal: Principal, ctx: EvaluationContext): readonly Finding[] {
    const password = principal.password;
    if (!password) return NO_FINDINGS;
    // The later of the last sign-in and the last change (else the user's creation): PasswordLastUsed is
    // the user's and outlives a deleted password, so a password set or reset after the last sign-in is a
    // new one somebody is about to use, not an unused one (docs/aws-behaviour.md §2; apply judges the
    // same way, src/remediation/actions/action.ts unusedForThreshold).
    const changedLater =
      password.lastChanged !== null &&
      (password.lastUsed === null || password.lastChanged > password.lastUsed);
    const lastActivity = changedLater ? password.lastChanged! : (password.lastUsed ?? principal.createdAt);
    const lastActivitySource: ActivitySource = changedLater
      ? 'last_changed'
      : password.lastUsed !== null
        ? (password.lastUsedSource ?? 'last_used')
        : 'created';
    const ageDays = ageDaysOf(lastActivity, ctx);
    const neverUsed = password.lastUsed === null;
    const caveats: Caveat[] = [];
    if (neverUsed && lastActivity < PASSWORD_TRACKING_START) caveats.push('not_tracked_before_2014_10_20');
    if (
      password.lastUsed !== null &&
      password.lastUsed < PASSWORD_GAP_2018_END &&
      daysBefore(ctx.asOf, thresholdFor(ctx, 'password')) < PASSWORD_GAP_2018_END
    ) {
      caveats.push('password_gap_2018');
    }
    return [
      buildFinding(principal, ctx, {
        credential: 'password',
        status: statusByThreshold(lastActivity, ctx, 'password'),
        lastUsed: password.lastUsed,
        lastActivity,
        lastActivitySource,
        ageDays,
        neverUsed,
        caveats,
        reason: neverUsed
          ? `console password never used; ${lastActivitySource === 'created' ? 'user created' : 'set'} ${whenInWords(lastActivity, ctx)} ${thresholdNote(ctx, 'password')}`
          : changedLater
            ? `console password set ${whenInWords(lastActivity, ctx)}, after its last use ${whenInWords(password.lastUsed!, ctx)}${seenBy(password.lastUsedSource)} ${thresholdNote(ctx, 'password')}`
            : `console password last used ${whenInWords(lastActivity, ctx)}${seenBy(password.lastUsedSource)} ${thresholdNote(ctx, 'password')}`,
      }),
    ];
  },
};
