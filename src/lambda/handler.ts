/**
 * The Lambda entry point (bundled by scripts/build-lambda.mjs into dist-lambda/index.mjs). This is the
 * function's edge: it reads the environment and the clock (the schedule event's `time`), builds the
 * clients, and dispatches:
 *
 *   EventBridge scheduled event (or {})            whole organisation in this invocation
 *   { action: 'list-accounts' }                    Step Functions: the accounts to fan out over
 *   { action: 'audit-account', runId, accountId }  Step Functions Distributed Map item → S3 partial
 *   { action: 'merge', runId }                     Step Functions: merge the partials, publish, notify
 *
 * Environment: CREDSWEEP_BUCKET (required), CREDSWEEP_PREFIX (default `credsweep/`),
 * CREDSWEEP_TOPIC_ARN, CREDSWEEP_WEBHOOK_SECRET_ARN (the Secrets Manager secret holding the team
 * webhook URL), CREDSWEEP_ROLE_NAME (default CredsweepAudit, infra/member-role.yaml),
 * CREDSWEEP_EXTERNAL_ID, CREDSWEEP_ACCESS_ANALYZER (auto or an analyzer ARN), CREDSWEEP_SSH_PUBLIC_KEYS
 * (false: no ListSSHPublicKeys per user), CREDSWEEP_DAYS, CREDSWEEP_CONCURRENCY, CREDSWEEP_CONFIG (the configuration
 * file's JSON/YAML text), AWS_ENDPOINT_URL (tests).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { AUDIT_DEFAULTS } from '../audit/settings.ts';
import { type AwsConnection, createClients, destroyClients } from '../aws/clients.ts';
import { nameFailedCalls } from '../aws/failed-call.ts';
import { parseConfig } from '../config/parse-config.ts';
import { InputError, UsageError } from '../errors.ts';
import { parseIsoDateTime, toIso } from '../time.ts';
import { MEMBER_ROLE_NAME } from './member-role.ts';
import { type PostJson, postJsonWithFetch } from './notify.ts';
import {
  type CollectedAudit,
  collectOneAccount,
  collectOrgAudit,
  listTargets,
  mergeCollected,
  publishRun,
  type ScheduledAuditDeps,
  type ScheduledAuditSettings,
} from './scheduled-audit.ts';
import { RunStateBucket } from './run-state.ts';
import { readSecretString } from './webhook-secret.ts';

export type ScheduledEvent =
  | { action?: undefined; time?: string }
  | { action: 'list-accounts'; time?: string }
  | { action: 'audit-account'; runId: string; accountId: string; assumeRole?: boolean }
  | { action: 'merge'; runId: string };

export function settingsFromEnv(env: NodeJS.ProcessEnv): ScheduledAuditSettings {
  const bucket = env.CREDSWEEP_BUCKET;
  if (!bucket) throw new UsageError('CREDSWEEP_BUCKET is not set');
  if (env.CREDSWEEP_WEBHOOK_URL)
    throw new UsageError(
      'CREDSWEEP_WEBHOOK_URL is no longer read (a webhook URL is a secret): store it in Secrets Manager and set CREDSWEEP_WEBHOOK_SECRET_ARN',
    );
  const number = (name: string, fallback: number) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    if (!/^\d+$/.test(text)) throw new UsageError(`${name}: expected a whole number, got '${text}'`);
    return Number(text);
  };
  return {
    bucket,
    prefix: env.CREDSWEEP_PREFIX ?? 'credsweep/',
    config: parseConfig(env.CREDSWEEP_CONFIG ?? '', 'CREDSWEEP_CONFIG'),
    thresholdDays: number('CREDSWEEP_DAYS', AUDIT_DEFAULTS.days),
    roleName: env.CREDSWEEP_ROLE_NAME || MEMBER_ROLE_NAME,
    concurrency: number('CREDSWEEP_CONCURRENCY', AUDIT_DEFAULTS.concurrency),
    ...(env.CREDSWEEP_EXTERNAL_ID ? { externalId: env.CREDSWEEP_EXTERNAL_ID } : {}),
    ...(env.CREDSWEEP_TOPIC_ARN ? { snsTopicArn: env.CREDSWEEP_TOPIC_ARN } : {}),
    ...(env.CREDSWEEP_WEBHOOK_SECRET_ARN ? { webhookSecretArn: env.CREDSWEEP_WEBHOOK_SECRET_ARN } : {}),
    ...(env.CREDSWEEP_ACCESS_ANALYZER ? { accessAnalyzer: env.CREDSWEEP_ACCESS_ANALYZER } : {}),
    ...sshPublicKeysFromEnv(env.CREDSWEEP_SSH_PUBLIC_KEYS),
  };
}

/** CREDSWEEP_SSH_PUBLIC_KEYS: true|false; unset or empty: the configuration (default true) decides. */
function sshPublicKeysFromEnv(text: string | undefined): { sshPublicKeys?: boolean } {
  if (text === undefined || text === '') return {};
  if (text === 'true' || text === 'false') return { sshPublicKeys: text === 'true' };
  throw new UsageError(`CREDSWEEP_SSH_PUBLIC_KEYS: expected true or false, got '${text}'`);
}

/**
 * The function's settings, or an error whose message alone says what is wrong and where: a failed
 * invocation shows only `errorMessage`, so a bad CREDSWEEP_CONFIG names its variable and line there.
 */
function settingsOrClearError(env: NodeJS.ProcessEnv): ScheduledAuditSettings {
  try {
    return settingsFromEnv(env);
  } catch (error) {
    if (error instanceof InputError) throw new UsageError(`${error.location}: ${error.message}`, error.hint);
    throw error;
  }
}

/** The run's "now": the scheduled event's time, else the clock (read here, at the edge, only). */
export function eventTime(event: unknown, clock: () => number): number {
  const time = (event as { time?: unknown } | null)?.time;
  return (typeof time === 'string' ? parseIsoDateTime(time) : null) ?? clock();
}

export async function dispatch(
  event: ScheduledEvent,
  deps: ScheduledAuditDeps,
  settings: ScheduledAuditSettings,
) {
  const bucket = new RunStateBucket(deps.s3, settings.bucket, settings.prefix);
  switch (event.action) {
    case undefined: {
      const run = await publishRun(deps, settings, await collectOrgAudit(deps, settings));
      return resultOf(run);
    }
    case 'list-accounts': {
      // The list goes to S3, where the Distributed Map's ItemReader reads it: thousands of accounts
      // would not fit the 256 KB a state's input may hold.
      const { targets } = await listTargets(deps, settings);
      const runId = toIso(deps.now);
      const accountsKey = bucket.key(`fanout/${runId}/accounts.json`);
      await bucket.putJson(`fanout/${runId}/accounts.json`, targets);
      return { runId, bucket: settings.bucket, accountsKey, count: targets.length };
    }
    case 'audit-account': {
      const part = await collectOneAccount(deps, settings, {
        accountId: event.accountId,
        assumeRole: event.assumeRole ?? true,
      });
      const uri = await bucket.putJson(`partial/${event.runId}/${event.accountId}.json`, part);
      return { accountId: event.accountId, uri, status: part.accounts[0]?.status ?? 'failed' };
    }
    case 'merge': {
      const names = await bucket.listNames(`partial/${event.runId}/`);
      const parts: CollectedAudit[] = [];
      for (const name of names) parts.push((await bucket.getJson(name)) as CollectedAudit);
      const run = await publishRun(
        { ...deps, now: parseIsoDateTime(event.runId) ?? deps.now },
        settings,
        mergeCollected(parts),
      );
      return resultOf(run);
    }
  }
}

/** What a whole run (or a merge) returns: where the report is and what was sent. */
export type RunResult = ReturnType<typeof resultOf>;

function resultOf(run: Awaited<ReturnType<typeof publishRun>>) {
  return {
    report: run.reportUri,
    summary: run.report.summary,
    /** A team summary went out on at least one channel. */
    notified: run.summaries.some((s) => s.outcome === 'sent'),
    summaries: run.summaries,
    sent: run.sent,
    ownerWarnings: run.ownerWarnings.length,
    /** Per owner: notices that failed this run (retried by the next). */
    ownerNoticeFailures: run.ownerNoticeFailures,
    unreachableOwners: run.unreachableOwners.length,
    /** The scheduled plan's steps due within the notice period, by step (`quarantine-role: 2`). */
    upcoming: run.upcoming,
  };
}

/** What the edge lets a caller replace: the webhook delivery (tests reach a loopback server). */
export interface HandlerOverrides {
  postJson?: PostJson;
  log?: (entry: object) => void;
}

export function createHandler(overrides: HandlerOverrides = {}) {
  return async (event: ScheduledEvent = {}) => {
    const env = process.env;
    const settings = settingsOrClearError(env);
    const connection: AwsConnection = {
      ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
      ...(env.AWS_ENDPOINT_URL ? { endpointUrl: env.AWS_ENDPOINT_URL } : {}),
    };
    const endpoint = env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {};
    const clients = createClients(connection);
    const s3 = nameFailedCalls(
      new S3Client({ ...endpoint, ...(env.AWS_ENDPOINT_URL ? { forcePathStyle: true } : {}) }),
    );
    const sns = nameFailedCalls(new SNSClient(endpoint));
    const secrets = nameFailedCalls(new SecretsManagerClient(endpoint));
    try {
      return await dispatch(
        event,
        {
          connection,
          clients,
          s3,
          sns,
          postJson: overrides.postJson ?? postJsonWithFetch,
          readSecret: (id) => readSecretString(secrets, id),
          ...(overrides.log ? { log: overrides.log } : {}),
          now: eventTime(event, Date.now),
          sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        },
        settings,
      );
    } finally {
      destroyClients(clients);
      s3.destroy();
      sns.destroy();
      secrets.destroy();
    }
  };
}

export const handler = createHandler();
