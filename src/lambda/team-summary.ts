/**
 * The team's summary, once per change and per channel (the SNS topic, the team webhook).
 *
 * Each channel remembers, in state.json, the run its last summary covered (`summarised`): the next
 * summary on that channel is the diff from that run. A channel whose send failed keeps its old
 * baseline, so the next run sends the accumulated changes again there, while a channel that
 * worked is not sent the same news twice. A quiet run (nothing changed) moves the baseline on.
 * State written before `summarised` existed has none: that channel's baseline is latest.json.
 */
import { diffRuns } from '../history/diff-runs.ts';
import type { AuditReport } from '../model/finding.ts';
import { describeDeliveryFailure } from './notify.ts';
import type { UpcomingSteps } from './owner-warnings.ts';
import type { RunState, RunStateBucket } from './run-state.ts';
import { failedAccountChanges, summariseRun } from './run-summary.ts';

export const TEAM_CHANNELS = ['sns', 'webhook'] as const;
export type TeamChannel = (typeof TEAM_CHANNELS)[number];

export type SendSummary = (channel: TeamChannel, summary: { subject: string; text: string }) => Promise<void>;

export interface TeamSummaryOutcome {
  channel: TeamChannel;
  outcome: 'sent' | 'quiet' | 'failed';
  /** Why the send failed (`HTTP 404`, `timeout`, …); never the URL. */
  error?: string;
}

export interface TeamSummaries {
  outcomes: TeamSummaryOutcome[];
  /** The state's next `summarised`. */
  summarised: NonNullable<RunState['summarised']>;
}

export async function sendTeamSummaries(
  bucket: RunStateBucket,
  channels: readonly TeamChannel[],
  send: SendSummary,
  run: { report: AuditReport; reportName: string; reportUri: string; upcoming?: UpcomingSteps },
  state: RunState,
  previousLatest: AuditReport | undefined,
): Promise<TeamSummaries> {
  const summarised: TeamSummaries['summarised'] = { ...state.summarised };
  const outcomes: TeamSummaryOutcome[] = [];
  const baselines = new Map<string, Promise<AuditReport | undefined>>();
  const baselineOf = (name: string) => {
    if (!baselines.has(name)) baselines.set(name, bucket.reportAt(name));
    return baselines.get(name)!;
  };
  for (const channel of channels) {
    const recorded = state.summarised?.[channel];
    const baseline =
      recorded === undefined ? previousLatest : recorded === null ? undefined : await baselineOf(recorded);
    const summary = summariseRun(
      run.report,
      {
        diff: diffRuns(baseline ?? { findings: [], accounts: [] }, run.report),
        ...failedAccountChanges(baseline?.accounts, run.report.accounts),
        firstRun: baseline === undefined,
      },
      run.reportUri,
      run.upcoming,
    );
    if (!summary) {
      outcomes.push({ channel, outcome: 'quiet' });
      summarised[channel] = run.reportName;
      continue;
    }
    try {
      await send(channel, summary);
      outcomes.push({ channel, outcome: 'sent' });
      summarised[channel] = run.reportName;
    } catch (error) {
      outcomes.push({ channel, outcome: 'failed', error: describeDeliveryFailure(error) });
      // Keep the old baseline (null: the team never had a first summary) so the next run retries.
      summarised[channel] = recorded === undefined ? latestName(previousLatest) : recorded;
    }
  }
  return { outcomes, summarised };
}

/** The runs/ key of a report (what publishRun stored it under), or null for none. */
function latestName(report: AuditReport | undefined): string | null {
  return report ? `runs/${report.generatedAt}.json` : null;
}
