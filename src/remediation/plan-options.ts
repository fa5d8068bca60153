/** What the planner is given besides the findings: its options and the caller's identity. Types only. */
import type { Finding } from '../model/finding.ts';
import type { ExemptionPolicy } from '../rules/index.ts';
import type { EpochMs } from '../time.ts';
import type { PlanKey } from './plan-digest.ts';
import type { PermissionPlanOptions } from './plan-permissions.ts';

export interface CallerIdentity {
  accountId: string;
  arn: string;
  /** The access key id the SDK signs with (null when unknown). */
  accessKeyId: string | null;
}

export interface PlanOptions {
  /** When the findings' data was collected (the audit's generatedAt). */
  dataCollectedAt: EpochMs;
  /** When the plan is assembled (the CLI's now). */
  createdAt: EpochMs;
  /** The evaluation date; defaults to `createdAt`. */
  asOf?: EpochMs;
  /** The audit's threshold: certificates older than this are deactivated (AWS records no use). */
  thresholdDays: number;
  /** The audit's per-kind thresholds (configuration file); apply re-applies them to the live last use. */
  thresholds?: Readonly<Record<string, number>>;
  /** Accounts the audit read successfully (default: the findings' accounts); apply acts nowhere else. */
  auditedAccounts?: readonly string[];
  /** The journals `deactivatedAt` was read from; apply reads them again. */
  journals?: readonly string[];
  /** Seal with an HMAC instead of a plain SHA-256. */
  planKey?: PlanKey;
  deleteAfterDays: number;
  allowIrreversible: boolean;
  includeRoot: boolean;
  /** Principal names, ARNs or account ids, `*` as wildcard; empty = everything. */
  include: readonly string[];
  exclude: readonly string[];
  caller: CallerIdentity;
  /**
   * The roles credsweep assumes in every account other than the caller's (`--role-name`; plan's live
   * audit's role too): never planned there, like the caller (src/remediation/caller.ts). Default none.
   */
  memberRoleNames?: readonly string[];
  /** Access key id → when an earlier credsweep run deactivated it (from its journal). */
  deactivatedAt?: ReadonlyMap<string, EpochMs>;
  /** findingKey(f) → why its key/certificate id (or its principal's tags) could not be read. */
  unresolved?: ReadonlyMap<string, string>;
  /** Accounts whose root credentials may be removed with sts:AssumeRoot (centralised root access). */
  rootAccessAccounts?: ReadonlySet<string>;
  /** `--roles`: unused roles are quarantined; quarantined ones deleted after deleteAfterDays (irreversible). */
  roles?: boolean;
  /** `--include-service-roles`: roles whose trust policy names an AWS service are planned too (apply checks it live). */
  includeServiceRoles?: boolean;
  /**
   * `--quarantine-users`: a user none of whose credentials is in use is quarantined (reversible); that
   * replaces delete-login-profile as the answer to its unused console password.
   */
  quarantineUsers?: boolean;
  /** The configuration file whose exemptions were applied (recorded: apply needs one too). */
  configFile?: string;
  /** `--exempt-tag`: exempt tags besides the default one (recorded: apply honours them too). */
  exemptTags?: readonly ExemptionPolicy[];
  /** `--permissions`: permission findings become restrict-permissions steps (plan-permissions.ts). */
  permissions?: Pick<PermissionPlanOptions, 'granularity' | 'boundaries' | 'analyzerArn'>;
}

/** A finding the planner plans per credential (permission findings are planned per principal). */
export type PlannableFinding = Finding & { principalType: 'root' | 'user' | 'role' };
