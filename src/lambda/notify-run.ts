/**
 * Everything a run tells people, after its report is stored: the team summary (once per change, per
 * channel) and the owner warnings. Nothing here throws for a failed send: each failure is counted
 * in the result and retried by the next run, and the caller always writes latest.json and state.json.
 */
import type { AuditReport, Finding } from '../model/finding.ts';
import type { EvaluationContext } from '../rules/rule.ts';
import { postToWebhook, publishToTopic } from './notify.ts';
import { type OwnerNoticeFailure, sendOwnerNotices } from './owner-notices.ts';
import { type OwnerWarning, planOwnerWarnings, type UpcomingSteps, upcomingSteps } from './owner-warnings.ts';
import type { RunState, RunStateBucket } from './run-state.ts';
import type { ScheduledAuditDeps, ScheduledAuditSettings } from './scheduled-audit-settings.ts';
import { planStepWarnings, type UnusedPermissions } from './step-warnings.ts';
import { sendTeamSummaries, type TeamChannel, type TeamSummaryOutcome } from './team-summary.ts';
import { readWebhookUrl } from './webhook-secret.ts';

export interface RunNotices {
  /** Per team channel: sent, quiet (nothing changed) or failed (retried next run). */
  summaries: TeamSummaryOutcome[];
  sent: { sns: number; webhook: number };
  ownerWarnings: OwnerWarning[];
  /** Owner notices that failed this run, per owner; each is retried by the next run. */
  ownerNoticeFailures: OwnerNoticeFailure[];
  unreachableOwners: { arn: string; credential: string; step: string; why: string }[];
  /** The scheduled plan's steps due within the notice period, by step (announced or not). */
  upcoming: UpcomingSteps;
}

export async function notifyRun(
  deps: Pick<ScheduledAuditDeps, 'sns' | 'postJson' | 'readSecret' | 'log'>,
  settings: ScheduledAuditSettings,
  bucket: RunStateBucket,
  state: RunState,
  run: {
    report: AuditReport;
    reportName: string;
    reportUri: string;
    previous: AuditReport | undefined;
    tagsOf: (f: Finding) => Record<string, string> | undefined;
    ctx: EvaluationContext;
    /** What users and roles have not used (IAM Access Analyzer), for restrict-permissions notices. */
    unusedPermissions?: readonly UnusedPermissions[];
  },
): Promise<{ result: RunNotices; state: RunState }> {
  const notifications = settings.config.notifications;
  const topic = notifications?.snsTopicArn ?? settings.snsTopicArn;
  const timeoutMs = notifications?.webhookTimeoutMs ?? 10_000;
  const ownerWebhookAllow = notifications?.ownerWebhookAllow ?? [];
  const sent = { sns: 0, webhook: 0 };

  const channels: TeamChannel[] = [
    ...(topic ? (['sns'] as const) : []),
    ...(settings.webhookSecretArn ? (['webhook'] as const) : []),
  ];
  const warningSettings = {
    warningDays: notifications?.ownerWarningDays ?? 7,
    graceDays: notifications?.graceDays ?? 0,
    ownerWebhookAllow,
    exemptionHowTo:
      notifications?.exemptionHowTo ??
      'add an exemption (principal, owner, reason, expires) to credsweep.config.yaml',
  };
  // The principal steps first: a user to be quarantined is not also told its password goes.
  const steps = planStepWarnings(
    run.report.findings,
    run.tagsOf,
    run.ctx,
    warningSettings,
    state.warned,
    notifications?.plannedSteps ?? {},
    run.unusedPermissions,
  );
  const credentials = planOwnerWarnings(
    run.report.findings.filter((f) => !(f.credential === 'password' && steps.quarantinedUsers.has(f.arn))),
    run.tagsOf,
    run.ctx,
    warningSettings,
    state.warned,
  );
  const plan = {
    warnings: [...credentials.warnings, ...steps.warnings],
    unreachable: [...credentials.unreachable, ...steps.unreachable],
    warned: { ...credentials.warned, ...steps.warned },
  };
  const upcoming = upcomingSteps(plan);

  const summaries = await sendTeamSummaries(
    bucket,
    channels,
    async (channel, summary) => {
      if (channel === 'sns') await publishToTopic(deps.sns, topic!, summary, { kind: 'summary' });
      else {
        const url = await readWebhookUrl(deps.readSecret, settings.webhookSecretArn!);
        await postToWebhook(deps.postJson, url, summary, timeoutMs);
      }
      sent[channel] += 1;
    },
    { ...run, upcoming },
    state,
    run.previous,
  );

  const unreachable = plan.unreachable.map((u) => ({ finding: u.finding, step: u.step, why: u.why }));
  const sendable: OwnerWarning[] = [];
  const warned = { ...plan.warned };
  for (const w of plan.warnings) {
    if (w.target.kind === 'email' && !topic) {
      unreachable.push({
        finding: w.finding,
        step: w.step,
        why: 'owner is an email address but no SNS topic is configured',
      });
      delete warned[w.identity];
    } else sendable.push(w);
  }
  const notices = await sendOwnerNotices(
    { warnings: sendable, warned },
    async (w) => {
      if (w.target.kind === 'email') {
        // Email subscriptions filter on this attribute (a filter policy per owner address).
        await publishToTopic(
          deps.sns,
          topic!,
          { subject: w.subject, text: w.message },
          { kind: 'owner_warning', owner: w.target.address },
        );
        sent.sns += 1;
      } else {
        await postToWebhook(deps.postJson, w.target.url, { text: `${w.subject}\n${w.message}` }, timeoutMs);
        sent.webhook += 1;
      }
    },
    ownerWebhookAllow,
  );
  // A scheduled invocation's result goes nowhere: the function's log is where failures show.
  const log = deps.log ?? ((entry: object) => console.warn(JSON.stringify(entry)));
  for (const failure of notices.failures)
    log({ level: 'warn', message: 'owner notice failed; retried next run', ...failure });
  for (const s of summaries.outcomes.filter((o) => o.outcome === 'failed'))
    log({ level: 'warn', message: 'team summary failed; retried next run', ...s });

  return {
    result: {
      summaries: summaries.outcomes,
      sent,
      ownerWarnings: notices.delivered,
      ownerNoticeFailures: notices.failures,
      unreachableOwners: unreachable.map((u) => ({
        arn: u.finding.arn,
        credential: u.finding.credential,
        step: u.step,
        why: u.why,
      })),
      upcoming,
    },
    state: { warned: notices.warned, summarised: summaries.summarised },
  };
}
