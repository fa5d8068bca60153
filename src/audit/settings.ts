/**
 * The audit's settings, resolved once for every caller (audit, plan, permissions, the Lambda):
 *
 *   resolveSettings(flags, env, configFile, { now, defaults? }) → AuditSettings
 *
 * Precedence: a flag given (not undefined) wins over the configuration file, which wins over the
 * defaults; the environment says where AWS is (AWS_ENDPOINT_URL, AWS_REGION…). Pure: nothing is read
 * here, "now" comes in. Contradictory flags are a UsageError (exit 2, one line).
 */
import type { AwsConnection } from '../aws/clients.ts';
import { DEFAULT_ROLE_NAME } from '../aws/default-role.ts';
import type { LoadedConfig } from '../config/load-config.ts';
import type { Exemption } from '../config/schema.ts';
import { UsageError } from '../errors.ts';
import { type Retention, resolveRetention } from '../history/retention.ts';
import { DEFAULT_EXEMPTION, type EvaluationContext, type ExemptionPolicy } from '../rules/index.ts';
import type { AccessAdvisorGranularity } from '../model/service-access.ts';
import type { S3Connection } from '../sources/cloudtrail/s3-location.ts';
import type { EpochMs } from '../time.ts';
import type { LiveSource } from './live-source.ts';
import { connectionFromFlags, s3ConnectionFrom } from './resolve-connection.ts';

/** What a caller's flags say; undefined means "not given" (the file or the default decides). */
export interface AuditFlags {
  /** A credential report CSV to audit instead of AWS (`-`: standard input). */
  report?: string;
  source?: LiveSource;
  accounts?: readonly string[];
  org?: boolean;
  roleName?: string;
  externalId?: string;
  /** Accounts audited at once. */
  concurrency?: number;
  exemptTag?: ExemptionPolicy;
  profile?: string;
  region?: string;
  endpointUrl?: string;
  days?: number;
  asOf?: EpochMs;
  /** CloudTrail evidence: log trees, files or s3:// prefixes. */
  cloudtrail?: readonly string[];
  manyIps?: number;
  /** IAM Access Analyzer evidence: `auto` or an analyzer ARN (live credential and permissions audits). */
  accessAnalyzer?: string;
  db?: string;
  /** The history database's retention (`--keep-runs`, `--keep-days`): only with a database. */
  keepRuns?: number;
  keepDays?: number;
  /** The permissions audit (Access Advisor) instead of the credential audit. */
  permissions?: PermissionsFlags;
  /** Report path: list each user's SSH public keys (one ListSSHPublicKeys per user). */
  sshPublicKeys?: boolean;
  /** Threads auditing a credential report file (`--jobs`; 1: this one only); else CREDSWEEP_JOBS, else by size (report-workers/report-jobs.ts). */
  jobs?: number;
}

export interface PermissionsFlags {
  granularity: AccessAdvisorGranularity;
  /** User/role ARNs of the caller's account; every user and role when absent. */
  principals?: readonly string[];
  /** Principals evaluated at once within an account. */
  principalConcurrency: number;
}

/** What applies when neither a flag nor the configuration file says. */
export interface AuditDefaults {
  days: number;
  source: LiveSource;
  concurrency: number;
  roleName: string;
  /** Without --accounts/--org or configured accounts: every account of the organisation. */
  org: boolean;
  /** Report path: list SSH public keys (one call per user); the IAM API path always does. */
  sshPublicKeys: boolean;
}

export const AUDIT_DEFAULTS: AuditDefaults = {
  days: 90,
  source: 'report',
  concurrency: 8,
  roleName: DEFAULT_ROLE_NAME,
  org: false,
  sshPublicKeys: true,
};

/** Days before a key becomes unused in which its id is wanted: the default ownerWarningDays. */
export const DEFAULT_KEY_ID_WINDOW_DAYS = 7;

/**
 * Principals read at once within one account (IAM's request quotas are per account): the live
 * audit's users, and the default of permissions' --principal-concurrency.
 */
export const PRINCIPAL_CONCURRENCY = 4;

export type AuditInput =
  | { kind: 'report'; file: string }
  | { kind: 'live'; source: LiveSource }
  | ({ kind: 'permissions' } & PermissionsFlags);

/**
 * What the credential-report path collects beyond the report (docs/scaling.md has the calls): the
 * account-wide service-specific credentials and unassigned MFA devices always; SSH public keys when
 * `sshPublicKeys` (one call per user); the key ids of keys within `keyIdWindowDays` of becoming unused
 * (the configuration's notifications.ownerWarningDays, so owner warnings can name them).
 */
export interface ReportPathSettings {
  sshPublicKeys: boolean;
  keyIdWindowDays: number;
}

export interface AuditSettings {
  input: AuditInput;
  /** Which accounts (live and permissions audits); neither: the caller's own. */
  targets: { accounts?: readonly string[]; org?: boolean };
  connection: AwsConnection;
  fanOut: { concurrency: number; roleName: string; externalId?: string };
  /** Live audits through the credential report (source `report`). */
  reportPath: ReportPathSettings;
  evaluation: EvaluationContext;
  generatedAt: EpochMs;
  /** The exemption stage: the exempt tag and the configuration file's exemptions. */
  exemptTag: ExemptionPolicy;
  exemptions: readonly Exemption[];
  /** The configuration file the settings came from (named in warnings). */
  configFile?: string;
  evidence?: { cloudtrail: readonly string[]; manyIps?: number; s3: S3Connection };
  /** `--access-analyzer`: `auto` or an analyzer ARN, read with the caller's connection. */
  accessAnalyzer?: string;
  dbPath?: string;
  /** What the history database keeps (older runs are removed as this one is stored); none: every run. */
  retention?: Retention;
  /** Threads auditing a credential report file (this one and jobs-1 workers); undefined: by its size (report-workers/report-jobs.ts). */
  jobs?: number;
}

/** The most worker threads `--jobs` / CREDSWEEP_JOBS may ask for. */
export const MAX_JOBS = 64;

/** CREDSWEEP_JOBS, validated: a whole number from 1 to MAX_JOBS. */
function jobsFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.CREDSWEEP_JOBS;
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_JOBS) {
    throw new UsageError(
      `CREDSWEEP_JOBS: expected a whole number from 1 to ${MAX_JOBS}, found ${JSON.stringify(text)}`,
    );
  }
  return Number(text);
}

/** Flags that only make sense for a live audit (without --report). */
const LIVE_ONLY_FLAGS = [
  ['source', '--source'],
  ['accounts', '--accounts'],
  ['org', '--org'],
  ['roleName', '--role-name'],
  ['externalId', '--external-id'],
  ['concurrency', '--concurrency'],
  ['profile', '--profile'],
  ['region', '--region'],
  ['endpointUrl', '--endpoint-url'],
  ['accessAnalyzer', '--access-analyzer'],
  ['sshPublicKeys', '--no-ssh-public-keys'],
] as const;

/** How to reach S3, which a report audit may need for --cloudtrail s3://… (s3ConnectionFrom). */
const S3_CONNECTION_FLAGS: ReadonlySet<string> = new Set(['profile', 'region', 'endpointUrl']);

export function resolveSettings(
  flags: AuditFlags,
  env: NodeJS.ProcessEnv,
  configFile: LoadedConfig | undefined,
  options: { now: EpochMs; defaults?: Partial<AuditDefaults> },
): AuditSettings {
  const defaults = { ...AUDIT_DEFAULTS, ...options.defaults };
  const config = configFile?.config;
  if (flags.report !== undefined) {
    // A report audit calls AWS only to read CloudTrail evidence in S3: the connection flags choose how.
    const readsS3 = flags.cloudtrail?.some((c) => c.startsWith('s3://')) ?? false;
    const live = LIVE_ONLY_FLAGS.find(
      ([key]) => flags[key] !== undefined && !(readsS3 && S3_CONNECTION_FLAGS.has(key)),
    );
    if (live) {
      throw new UsageError(
        S3_CONNECTION_FLAGS.has(live[0])
          ? `${live[1]} is for live audits and for --cloudtrail s3://…; with --report alone it has nothing to connect to`
          : `${live[1]} is for live audits; it cannot be combined with --report`,
      );
    }
  }
  if (flags.org && flags.accounts?.length) {
    throw new UsageError('--org and --accounts cannot be combined: choose one');
  }
  const principals = flags.permissions?.principals ?? [];
  if (principals.length > 0 && (flags.org || flags.accounts?.length)) {
    throw new UsageError('--principal names principals of this account: give it without --accounts/--org');
  }
  const input: AuditInput = flags.permissions
    ? { kind: 'permissions', ...flags.permissions }
    : flags.report !== undefined
      ? { kind: 'report', file: flags.report }
      : { kind: 'live', source: flags.source ?? defaults.source };
  // --principal names this account's principals: configured accounts do not apply to it.
  const configuredAccounts = principals.length > 0 ? undefined : config?.accounts;
  const accounts = flags.accounts?.length ? flags.accounts : flags.org ? undefined : configuredAccounts;
  const org = flags.org ?? (accounts?.length ? false : defaults.org);
  const generatedAt = options.now;
  const externalId = flags.externalId;
  const dbPath = flags.db ?? config?.db;
  const retentionFlag =
    flags.keepRuns !== undefined ? '--keep-runs' : flags.keepDays !== undefined ? '--keep-days' : undefined;
  if (retentionFlag && !dbPath) {
    throw new UsageError(
      `${retentionFlag} is for the history database: give --db FILE (or "db" in the configuration file)`,
    );
  }
  const retention = dbPath ? resolveRetention(flags, config) : undefined;
  if (flags.jobs !== undefined && input.kind !== 'report') {
    throw new UsageError('--jobs is for audits of a credential report file (--report FILE)');
  }
  const jobs = flags.jobs ?? (input.kind === 'report' ? jobsFromEnv(env) : undefined);
  return {
    input,
    targets: { ...(accounts?.length ? { accounts } : {}), ...(org ? { org } : {}) },
    connection: input.kind === 'report' ? {} : connectionFromFlags(flags, env),
    fanOut: {
      concurrency: flags.concurrency ?? defaults.concurrency,
      roleName: flags.roleName ?? config?.roleName ?? defaults.roleName,
      ...(externalId ? { externalId } : {}),
    },
    reportPath: {
      sshPublicKeys: flags.sshPublicKeys ?? config?.sshPublicKeys ?? defaults.sshPublicKeys,
      keyIdWindowDays: config?.notifications?.ownerWarningDays ?? DEFAULT_KEY_ID_WINDOW_DAYS,
    },
    evaluation: {
      asOf: flags.asOf ?? generatedAt,
      thresholdDays: flags.days ?? config?.days ?? defaults.days,
      ...(config?.thresholds ? { thresholds: config.thresholds } : {}),
    },
    generatedAt,
    exemptTag: flags.exemptTag ?? DEFAULT_EXEMPTION,
    exemptions: config?.exemptions ?? [],
    ...(configFile ? { configFile: configFile.file } : {}),
    ...(flags.cloudtrail?.length
      ? {
          evidence: {
            cloudtrail: flags.cloudtrail,
            ...(flags.manyIps !== undefined ? { manyIps: flags.manyIps } : {}),
            s3: s3ConnectionFrom(flags, env),
          },
        }
      : {}),
    ...(flags.accessAnalyzer !== undefined && input.kind !== 'report'
      ? { accessAnalyzer: flags.accessAnalyzer }
      : {}),
    ...(dbPath ? { dbPath } : {}),
    ...(retention ? { retention } : {}),
    ...(jobs !== undefined ? { jobs } : {}),
  };
}
