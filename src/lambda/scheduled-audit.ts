/**
 * The scheduled organisation audit, as the Lambda runs it:
 *
 *   collectOrgAudit(deps, settings)          every account in one process (the default)
 *   collectOneAccount(deps, settings, id)    one account (a Step Functions Distributed Map item)
 *   publishRun(deps, settings, collected)    report (findings arrive judged) → S3 → notifyRun (team
 *                                            summary per change, owner warnings; failures counted,
 *                                            never thrown) → latest.json and state.json, every run
 *
 * The audit itself is the library's runAudit (src/audit/run-audit.ts), the one `audit` and `plan`
 * run, with the same settings resolver; this file only adds what a schedule needs.
 * "Now" is the EventBridge event's time, passed in by the handler.
 */
import { ACCOUNT_AUDIT_PERMISSIONS } from '../audit/audit-account.ts';
import { type AccountTarget, CALLER_PERMISSIONS, resolveAccountTargets } from '../audit/audit-accounts.ts';
import { assembleAuditReport } from '../audit/audit-report.ts';
import { assembleAudit, runAudit } from '../audit/run-audit.ts';
import { describeAccessAnalyzerOutcome } from '../audit/describe-access-analyzer.ts';
import { type AuditSettings, resolveSettings } from '../audit/settings.ts';
import { mergeExemptionOutcomes } from '../config/exemptions.ts';
import type { AccountResult, AuditReport, ExemptionOutcome, Finding } from '../model/finding.ts';
import { toIso } from '../time.ts';
import type { ScheduledAuditDeps, ScheduledAuditSettings } from './scheduled-audit-settings.ts';
import { NOTIFY_PERMISSIONS } from './notify.ts';
import { notifyRun, type RunNotices } from './notify-run.ts';
import { FIND_ANALYZER_PERMISSIONS } from '../sources/access-analyzer/find-analyzer.ts';
import { UNUSED_ACCESS_FINDING_PERMISSIONS } from '../sources/access-analyzer/unused-access-findings.ts';
import { RunStateBucket, STATE_PERMISSIONS } from './run-state.ts';
import { type UnusedPermissions, unusedPermissionsFromAnalyzer } from './step-warnings.ts';
import { WEBHOOK_SECRET_PERMISSIONS } from './webhook-secret.ts';

export type { ScheduledAuditDeps, ScheduledAuditSettings } from './scheduled-audit-settings.ts';

/** Every AWS action the function performs, by where it runs (infra/template.yaml grants exactly these). */
export const SCHEDULED_AUDIT_PERMISSIONS = {
  /** The function's own role: find accounts, assume into them, audit its own account, store, notify. */
  function: [
    ...CALLER_PERMISSIONS.identity,
    ...CALLER_PERMISSIONS.org,
    ...CALLER_PERMISSIONS.assumeRole,
    ...ACCOUNT_AUDIT_PERMISSIONS.report,
    ...STATE_PERMISSIONS,
    ...NOTIFY_PERMISSIONS,
    ...WEBHOOK_SECRET_PERMISSIONS,
    // CREDSWEEP_ACCESS_ANALYZER: read with the function's own role, once per run
    ...FIND_ANALYZER_PERMISSIONS,
    ...UNUSED_ACCESS_FINDING_PERMISSIONS,
  ],
  /** The role assumed in each member account. */
  memberRole: [...ACCOUNT_AUDIT_PERMISSIONS.report],
} as const;

export interface CollectedAudit {
  /** Judged: evaluated, evidence and exemptions applied (runAudit). */
  findings: Finding[];
  accounts: AccountResult[];
  /** Tags by principal ARN, for owners. */
  tags: Record<string, Record<string, string>>;
  /** The configuration file's exemptions: applied, expired, stale (merged over partials). */
  exemptions?: ExemptionOutcome;
  /** plannedSteps.permissions: what users and roles have not used, from IAM Access Analyzer. */
  unusedPermissions?: UnusedPermissions[];
}

export interface PublishedRun extends RunNotices {
  reportUri: string;
  report: AuditReport;
}

/** The audit's settings for a run: the library's resolver, the environment's values as defaults. */
export function auditSettingsFor(deps: ScheduledAuditDeps, settings: ScheduledAuditSettings): AuditSettings {
  const resolved = resolveSettings(
    {
      // The credential report, with the key ids of the keys that are unused, inactive or within the
      // owner-warning window (notifications.ownerWarningDays: owner warnings name them), the account's
      // service-specific credentials and unassigned MFA devices, and each user's SSH keys (1 call a user).
      source: 'report',
      ...(settings.externalId ? { externalId: settings.externalId } : {}),
      ...(settings.accessAnalyzer ? { accessAnalyzer: settings.accessAnalyzer } : {}),
      ...(settings.sshPublicKeys !== undefined ? { sshPublicKeys: settings.sshPublicKeys } : {}),
    },
    {},
    { file: 'CREDSWEEP_CONFIG', config: settings.config },
    {
      now: deps.now,
      defaults: {
        days: settings.thresholdDays,
        roleName: settings.roleName,
        concurrency: settings.concurrency,
        org: true,
      },
    },
  );
  return { ...resolved, connection: deps.connection };
}

async function collect(
  deps: ScheduledAuditDeps,
  settings: ScheduledAuditSettings,
  targets?: AccountTarget[],
): Promise<CollectedAudit> {
  const audit = auditSettingsFor(deps, settings);
  const run = await runAudit(audit, {
    clients: deps.clients,
    sleep: deps.sleep,
    ...(targets ? { targets } : {}),
  });
  const report = await assembleAudit(run);
  const accounts = run.accounts().sort((a, b) => a.accountId.localeCompare(b.accountId));
  const log = deps.log ?? ((entry: object) => console.warn(JSON.stringify(entry)));
  const analyzer = run.accessAnalyzer;
  if (analyzer && !('input' in analyzer)) {
    // CREDSWEEP_ACCESS_ANALYZER: none found or unreadable; the run goes on without it, said in the log
    log({ warning: 'access_analyzer', message: describeAccessAnalyzerOutcome(analyzer) });
  }
  // Unused permissions come from the analyzer's one paginated read, never from Access Advisor
  // jobs per principal (docs/scheduling.md: their cost does not fit a scheduled run).
  const wantsPermissions = settings.config.notifications?.plannedSteps?.permissions === true;
  if (wantsPermissions && !settings.accessAnalyzer) {
    log({
      warning: 'planned_steps',
      message:
        'notifications.plannedSteps.permissions: no restrict-permissions notices without CREDSWEEP_ACCESS_ANALYZER (the function does not run Access Advisor per principal)',
    });
  }
  const unusedPermissions =
    wantsPermissions && analyzer && 'input' in analyzer
      ? unusedPermissionsFromAnalyzer(analyzer.input.evidence, audit.evaluation).filter((u) =>
          accounts.some((a) => a.accountId === u.accountId && a.status === 'ok'),
        )
      : undefined;
  return {
    findings: report.findings,
    accounts,
    tags: Object.fromEntries(run.tags),
    ...(report.exemptions ? { exemptions: report.exemptions } : {}),
    ...(unusedPermissions ? { unusedPermissions } : {}),
  };
}

/** The accounts to audit: the configured list, else every ACTIVE account of the organisation. */
export async function listTargets(deps: ScheduledAuditDeps, settings: ScheduledAuditSettings) {
  return resolveAccountTargets(deps.clients, auditSettingsFor(deps, settings).targets);
}

export async function collectOrgAudit(
  deps: ScheduledAuditDeps,
  settings: ScheduledAuditSettings,
): Promise<CollectedAudit> {
  return collect(deps, settings);
}

export async function collectOneAccount(
  deps: ScheduledAuditDeps,
  settings: ScheduledAuditSettings,
  target: AccountTarget,
): Promise<CollectedAudit> {
  return collect(deps, settings, [target]);
}

export function mergeCollected(parts: readonly CollectedAudit[]): CollectedAudit {
  const exemptions = mergeExemptionOutcomes(parts.flatMap((p) => (p.exemptions ? [p.exemptions] : [])));
  return {
    findings: parts.flatMap((p) => p.findings),
    accounts: parts.flatMap((p) => p.accounts).sort((a, b) => a.accountId.localeCompare(b.accountId)),
    tags: Object.assign({}, ...parts.map((p) => p.tags)),
    ...(exemptions ? { exemptions } : {}),
    ...(parts.some((p) => p.unusedPermissions) ? { unusedPermissions: mergeUnusedPermissions(parts) } : {}),
  };
}

/** Each fan-out item read the same analyzer: one entry per principal, the accounts' own. */
function mergeUnusedPermissions(parts: readonly CollectedAudit[]): UnusedPermissions[] {
  const audited = new Set(parts.flatMap((p) => p.accounts.map((a) => a.accountId)));
  const byArn = new Map<string, UnusedPermissions>();
  for (const u of parts.flatMap((p) => p.unusedPermissions ?? []))
    if (audited.has(u.accountId)) byArn.set(u.arn, u);
  return [...byArn.values()].sort((a, b) => a.arn.localeCompare(b.arn));
}

export async function publishRun(
  deps: ScheduledAuditDeps,
  settings: ScheduledAuditSettings,
  collected: CollectedAudit,
): Promise<PublishedRun> {
  const audit = auditSettingsFor(deps, settings);
  const ctx = audit.evaluation;
  const tagsOf = (f: Finding) => collected.tags[f.arn];
  // Findings arrive judged (exemptions applied by runAudit); only the envelope is assembled here.
  const report: AuditReport = {
    ...assembleAuditReport(
      {
        generatedAt: deps.now,
        asOf: ctx.asOf,
        thresholdDays: ctx.thresholdDays,
        ...(ctx.thresholds ? { thresholds: ctx.thresholds } : {}),
      },
      collected.findings,
      collected.accounts,
    ),
    ...(collected.exemptions ? { exemptions: collected.exemptions } : {}),
  };

  const bucket = new RunStateBucket(deps.s3, settings.bucket, settings.prefix);
  const reportName = `runs/${toIso(deps.now)}.json`;
  const reportUri = await bucket.putJson(reportName, report);
  const previous = await bucket.latestReport();
  const state = await bucket.state();
  const notified = await notifyRun(deps, settings, bucket, state, {
    report,
    reportName,
    reportUri,
    previous,
    tagsOf,
    ctx,
    ...(collected.unusedPermissions ? { unusedPermissions: collected.unusedPermissions } : {}),
  });
  // Notices never throw (a failed one is counted and retried next run), so the run always becomes
  // the baseline and its state is always kept.
  await bucket.putJson('latest.json', report);
  await bucket.putJson('state.json', notified.state);
  return { reportUri, report, ...notified.result };
}
