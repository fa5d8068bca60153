/**
 * The scheduled organisation audit, as the Lambda runs it:
 *
 *   collectOrgAudit(deps, settings)          every account in one process (the default)
 *   collectOneAccount(deps, settings, id)    one account (a Step Functions Distributed Map item)
 *   publishRun(deps, settings, collected)    exemptions → report → S3 → notifyRun (team summary per
 *                                            change, owner warnings; failures counted, never thrown)
 *                                            → latest.json and state.json, every run
 *
 * The audit itself is the CLI's live audit (src/audit/audit-accounts.ts); this file only adds what a
 * schedule needs. "Now" is the EventBridge event's time, passed in by the handler.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import { ACCOUNT_AUDIT_PERMISSIONS } from '../audit/audit-account.ts';
import {
  type AccountTarget,
  auditAccounts,
  CALLER_PERMISSIONS,
  resolveAccountTargets,
} from '../audit/audit-accounts.ts';
import { assembleAuditReport } from '../audit/audit-report.ts';
import type { AwsClients, AwsConnection } from '../aws/clients.ts';
import { ExemptionMatcher } from '../config/exemptions.ts';
import type { CredsweepConfig } from '../config/schema.ts';
import type { AccountResult, AuditReport, Finding } from '../model/finding.ts';
import { DEFAULT_EXEMPTION } from '../rules/index.ts';
import type { EvaluationContext } from '../rules/rule.ts';
import { toIso } from '../time.ts';
import { NOTIFY_PERMISSIONS, type PostJson } from './notify.ts';
import { notifyRun, type RunNotices } from './notify-run.ts';
import { RunStateBucket, STATE_PERMISSIONS } from './run-state.ts';
import { WEBHOOK_SECRET_PERMISSIONS } from './webhook-secret.ts';

/** Every AWS action the function performs, by where it runs (infra/template.yaml grants exactly these). */
export const SCHEDULED_AUDIT_PERMISSIONS = {
  /** The function's own role: find accounts, assume into them, audit its own account, store, notify. */
  function: [
    ...CALLER_PERMISSIONS.identity,
    ...CALLER_PERMISSIONS.org,
    ...CALLER_PERMISSIONS.assumeRole,
    ...ACCOUNT_AUDIT_PERMISSIONS.api,
    ...STATE_PERMISSIONS,
    ...NOTIFY_PERMISSIONS,
    ...WEBHOOK_SECRET_PERMISSIONS,
  ],
  /** The role assumed in each member account. */
  memberRole: [...ACCOUNT_AUDIT_PERMISSIONS.api],
} as const;

export interface ScheduledAuditSettings {
  bucket: string;
  /** Key prefix in the bucket, e.g. `credsweep/`. */
  prefix: string;
  config: CredsweepConfig;
  /** Default threshold when the config has none. */
  thresholdDays: number;
  roleName: string;
  externalId?: string;
  concurrency: number;
  snsTopicArn?: string;
  /** The Secrets Manager secret holding the team webhook URL (a URL is a secret: never an env var). */
  webhookSecretArn?: string;
}

export interface ScheduledAuditDeps {
  connection: AwsConnection;
  clients: AwsClients;
  s3: S3Client;
  sns: SNSClient;
  postJson: PostJson;
  /** Reads a Secrets Manager secret's string (the team webhook URL). */
  readSecret: (secretId: string) => Promise<string>;
  /** Where warnings go (one JSON line each; default: the function's log through console.warn). */
  log?: (entry: object) => void;
  /** The run's time (the schedule event's `time`). */
  now: number;
  sleep: (ms: number) => Promise<void>;
}

export interface CollectedAudit {
  findings: Finding[];
  accounts: AccountResult[];
  /** Tags by principal ARN, for exemptions and owners. */
  tags: Record<string, Record<string, string>>;
}

export interface PublishedRun extends RunNotices {
  reportUri: string;
  report: AuditReport;
}

function evaluationContext(deps: ScheduledAuditDeps, settings: ScheduledAuditSettings): EvaluationContext {
  return {
    asOf: deps.now,
    thresholdDays: settings.config.days ?? settings.thresholdDays,
    ...(settings.config.thresholds ? { thresholds: settings.config.thresholds } : {}),
  };
}

async function collect(
  deps: ScheduledAuditDeps,
  settings: ScheduledAuditSettings,
  targets: AccountTarget[],
): Promise<CollectedAudit> {
  const result = await auditAccounts(deps.connection, deps.clients, targets, {
    ...evaluationContext(deps, settings),
    source: 'api', // the API path knows key ids, which owner warnings name
    exemption: DEFAULT_EXEMPTION,
    principalConcurrency: 4,
    poll: { sleep: deps.sleep },
    concurrency: settings.concurrency,
    roleName: settings.config.roleName ?? settings.roleName,
    ...(settings.externalId ? { externalId: settings.externalId } : {}),
  });
  return { findings: result.findings, accounts: result.accounts, tags: Object.fromEntries(result.tags) };
}

/** The accounts to audit: the configured list, else every ACTIVE account of the organisation. */
export async function listTargets(deps: ScheduledAuditDeps, settings: ScheduledAuditSettings) {
  const accounts = settings.config.accounts;
  return resolveAccountTargets(deps.clients, accounts?.length ? { accounts } : { org: true });
}

export async function collectOrgAudit(
  deps: ScheduledAuditDeps,
  settings: ScheduledAuditSettings,
): Promise<CollectedAudit> {
  const { targets } = await listTargets(deps, settings);
  return collect(deps, settings, targets);
}

export async function collectOneAccount(
  deps: ScheduledAuditDeps,
  settings: ScheduledAuditSettings,
  target: AccountTarget,
): Promise<CollectedAudit> {
  return collect(deps, settings, [target]);
}

export function mergeCollected(parts: readonly CollectedAudit[]): CollectedAudit {
  return {
    findings: parts.flatMap((p) => p.findings),
    accounts: parts.flatMap((p) => p.accounts).sort((a, b) => a.accountId.localeCompare(b.accountId)),
    tags: Object.assign({}, ...parts.map((p) => p.tags)),
  };
}

export async function publishRun(
  deps: ScheduledAuditDeps,
  settings: ScheduledAuditSettings,
  collected: CollectedAudit,
): Promise<PublishedRun> {
  const ctx = evaluationContext(deps, settings);
  const tagsOf = (f: Finding) => collected.tags[f.arn];
  const matcher = new ExemptionMatcher(settings.config.exemptions, ctx.asOf);
  const findings = collected.findings.map((f) => matcher.apply(f, tagsOf(f)));
  const report: AuditReport = {
    ...assembleAuditReport(
      {
        generatedAt: deps.now,
        asOf: ctx.asOf,
        thresholdDays: ctx.thresholdDays,
        ...(ctx.thresholds ? { thresholds: ctx.thresholds } : {}),
      },
      findings,
      collected.accounts,
    ),
    ...(matcher.size > 0 ? { exemptions: matcher.outcome() } : {}),
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
  });
  // Notices never throw (a failed one is counted and retried next run), so the run always becomes
  // the baseline and its state is always kept.
  await bucket.putJson('latest.json', report);
  await bucket.putJson('state.json', notified.state);
  return { reportUri, report, ...notified.result };
}
