/**
 * The short message a scheduled run sends: counts, then only what changed since the last run.
 * Pure. Returns undefined when nothing changed, so a quiet week sends nothing (no alert storms).
 */
import type { RunDiff } from '../history/diff-runs.ts';
import { isEmptyDiff } from '../history/diff-runs.ts';
import { renderDiffText } from '../history/render-diff.ts';
import type { AccountResult, AuditReport } from '../model/finding.ts';
import { ANNOUNCED_STEPS, type AnnouncedStep, type UpcomingSteps } from './owner-warnings.ts';

export interface RunChanges {
  diff: RunDiff;
  /** Accounts failing now that did not fail last time. */
  newlyFailed: AccountResult[];
  /** Accounts that failed last time and were audited now. */
  recovered: string[];
  firstRun: boolean;
}

export function failedAccountChanges(
  previous: readonly AccountResult[] | undefined,
  current: readonly AccountResult[],
): Pick<RunChanges, 'newlyFailed' | 'recovered'> {
  const before = new Set((previous ?? []).filter((a) => a.status === 'failed').map((a) => a.accountId));
  const now = new Set(current.filter((a) => a.status === 'failed').map((a) => a.accountId));
  return {
    newlyFailed: current.filter((a) => a.status === 'failed' && !before.has(a.accountId)),
    recovered: [...before].filter((id) => !now.has(id) && current.some((a) => a.accountId === id)),
  };
}

/** Lines of changes shown per section; the full list is in the stored report. */
const LIMIT = 20;

const STEP_WORDS: Record<AnnouncedStep, [string, string]> = {
  'deactivate-access-key': ['access key deactivation', 'access key deactivations'],
  'delete-login-profile': ['console password removal', 'console password removals'],
  'deactivate-ssh-public-key': ['SSH key deactivation', 'SSH key deactivations'],
  'deactivate-service-specific-credential': [
    'service-specific credential deactivation',
    'service-specific credential deactivations',
  ],
  'quarantine-role': ['role quarantine', 'role quarantines'],
  'delete-role': ['role deletion', 'role deletions'],
  'quarantine-user': ['user quarantine', 'user quarantines'],
  'restrict-permissions': ['permissions restriction', 'permissions restrictions'],
};

/** `Due within the notice period: 2 access key deactivations, 1 role quarantine.`, or undefined for none. */
export function describeUpcoming(upcoming: UpcomingSteps | undefined): string | undefined {
  const parts = ANNOUNCED_STEPS.flatMap((step) => {
    const n = upcoming?.[step] ?? 0;
    return n > 0 ? [`${n} ${STEP_WORDS[step][n === 1 ? 0 : 1]}`] : [];
  });
  return parts.length ? `Due within the owners' notice period: ${parts.join(', ')}.` : undefined;
}

export function summariseRun(
  report: Pick<AuditReport, 'summary' | 'accounts' | 'asOf'>,
  changes: RunChanges,
  reportLocation: string,
  upcoming?: UpcomingSteps,
): { subject: string; text: string } | undefined {
  const quiet =
    isEmptyDiff(changes.diff) && changes.newlyFailed.length === 0 && changes.recovered.length === 0;
  if (quiet) return undefined;
  const unused = report.summary.unused ?? 0;
  const accounts = report.accounts.length;
  const failed = report.accounts.filter((a) => a.status === 'failed').length;
  const counts = `${unused} unused credential${unused === 1 ? '' : 's'} in ${accounts} account${accounts === 1 ? '' : 's'}${failed ? ` (${failed} could not be audited)` : ''}`;
  const d = changes.diff;
  const since = changes.firstRun
    ? 'first run'
    : `since the last run: ${d.newlyUnused.length} newly unused, ${d.newlyInUse.length} back in use, ${d.resolved.length} resolved, ${d.removed.length} removed`;
  const lines = [`credsweep ${report.asOf.slice(0, 10)}: ${counts}; ${since}.`];
  const due = describeUpcoming(upcoming);
  if (due) lines.push(due);
  if (!isEmptyDiff(d)) lines.push('', renderDiffText(d, LIMIT).trimEnd());
  for (const a of changes.newlyFailed) {
    lines.push(
      '',
      `Account ${a.accountId} could not be audited: ${a.error?.code ?? 'Error'}: ${a.error?.message ?? ''}`,
    );
  }
  if (changes.recovered.length) lines.push('', `Audited again: ${changes.recovered.join(', ')}`);
  lines.push('', `Full report: ${reportLocation}`);
  return { subject: `credsweep: ${counts}`.slice(0, 99), text: lines.join('\n') };
}
