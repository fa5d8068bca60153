/**
 * What a scheduled run is given: its settings (from the environment, handler.ts) and its
 * dependencies (clients, clock, sleep). Apart from scheduled-audit.ts so that the modules it calls
 * (notify-run.ts) can name these types without an import cycle.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { AwsClients, AwsConnection } from '../aws/clients.ts';
import type { CredsweepConfig } from '../config/schema.ts';
import type { PostJson } from './notify.ts';

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
  /**
   * CREDSWEEP_ACCESS_ANALYZER: `auto` or an analyzer ARN. Folds an existing IAM Access Analyzer's
   * unused-access findings into every run (docs/scheduling.md: one paginated read per run instead of
   * per-principal Access Advisor jobs; free with Security Hub's analyzer, billed per principal otherwise).
   */
  accessAnalyzer?: string;
  /**
   * CREDSWEEP_SSH_PUBLIC_KEYS: false skips the one ListSSHPublicKeys call per user (docs/scaling.md);
   * unset: the configuration's `sshPublicKeys`, else true.
   */
  sshPublicKeys?: boolean;
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
