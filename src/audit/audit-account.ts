/**
 * One account, live: collect (credential report or IAM API, plus roles and tags from
 * GetAccountAuthorizationDetails), then the same pure rules as the CSV audit.
 *
 *   auditAccount(iam, accountId, options) → { findings, result }
 *
 * Both sources give the same findings for the same account, every credential kind included (the
 * report path lists what the report lacks: ./complete-report-users.ts); `api` adds every key id and
 * last-used service/Region, the report path only the key ids that matter. A report older than 4 hours at asOf marks the findings it produced
 * `report_stale` (AWS hands out a cached report up to 4 hours old, docs/aws-behaviour.md §1.5).
 */
import { Readable } from 'node:stream';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { AccountResult, Caveat, Finding } from '../model/finding.ts';
import type { Principal } from '../model/inventory.ts';
import { type EvaluationContext, type ExemptionPolicy, evaluatePrincipal } from '../rules/index.ts';
import {
  AUTHORIZATION_DETAILS_PERMISSIONS,
  collectAuthorizationDetails,
} from '../sources/iam-api/authorization-details.ts';
import { collectUsersFromApi, IAM_USER_PERMISSIONS } from '../sources/iam-api/users.ts';
import {
  collectUnassignedMfaDevices,
  VIRTUAL_MFA_DEVICE_PERMISSIONS,
} from '../sources/iam-api/virtual-mfa-devices.ts';
import {
  CREDENTIAL_REPORT_PERMISSIONS,
  fetchCredentialReport,
  type ReportPollOptions,
} from '../sources/credential-report/fetch.ts';
import type { KeyIdPolicy } from '../sources/credential-report/resolve-key-ids.ts';
import { toIso } from '../time.ts';
import { principalsByAccount } from './audit-credential-report.ts';
import { completeReportUsers, REPORT_USER_PERMISSIONS } from './complete-report-users.ts';

import type { LiveSource } from './live-source.ts';

export { LIVE_SOURCES, type LiveSource } from './live-source.ts';

/** The IAM actions each source needs in the audited account. */
export const ACCOUNT_AUDIT_PERMISSIONS: Record<LiveSource, readonly string[]> = {
  report: [
    ...CREDENTIAL_REPORT_PERMISSIONS,
    ...AUTHORIZATION_DETAILS_PERMISSIONS,
    ...REPORT_USER_PERMISSIONS,
    ...VIRTUAL_MFA_DEVICE_PERMISSIONS,
  ],
  api: [...IAM_USER_PERMISSIONS, ...VIRTUAL_MFA_DEVICE_PERMISSIONS, ...AUTHORIZATION_DETAILS_PERMISSIONS],
};

/** AWS regenerates the report only when it is older than this (§1.5). */
export const REPORT_STALE_AFTER_MS = 4 * 60 * 60 * 1000;

export interface AccountCollectOptions {
  source: LiveSource;
  /** Judges the report's age (a report older than 4 hours at asOf is stale). */
  asOf: number;
  /** Users described at once on the API path. */
  principalConcurrency: number;
  poll: ReportPollOptions;
  /** Report path: ask for the key ids of the users whose keys need one (./sources/credential-report/resolve-key-ids.ts). */
  keyIds?: KeyIdPolicy;
  /** Report path: list each user's SSH public keys (one call per user); default true. */
  sshPublicKeys?: boolean;
}

export interface AccountAuditOptions extends EvaluationContext, AccountCollectOptions {
  exemption: ExemptionPolicy;
}

/** One account's inventory: its users (with their tags) and roles, as collected. */
export interface AccountInventory {
  result: AccountResult;
  /** Users first (report or API order), then roles. */
  principals: Principal[];
  /** Caveats every finding of a principal gets, by ARN (`report_stale` for the report's users). */
  caveats: Map<string, Caveat[]>;
}

/** The collect stage of one account: credential report or IAM API, plus roles and tags. */
export async function collectAccountInventory(
  iam: IAMClient,
  accountId: string,
  options: AccountCollectOptions,
): Promise<AccountInventory> {
  const result: AccountResult = { accountId, status: 'ok', source: options.source };
  let users: Principal[];
  let staleCaveat = false;
  if (options.source === 'report') {
    const report = await fetchCredentialReport(iam, options.poll);
    const reportUsers: Principal[] = [];
    const label = `credential report of account ${accountId}`;
    for await (const group of principalsByAccount(Readable.from([Buffer.from(report.content)]), label)) {
      reportUsers.push(...group);
    }
    // what the report lacks (service-specific credentials, SSH keys, key ids), then the MFA devices
    const sshPublicKeys = options.sshPublicKeys ?? true;
    users = await completeReportUsers(iam, reportUsers, {
      concurrency: options.principalConcurrency,
      sshPublicKeys,
      ...(options.keyIds ? { keyIds: options.keyIds } : {}),
    });
    users.push(...(await collectUnassignedMfaDevices(iam, options.asOf)));
    if (!sshPublicKeys) result.notListed = ['ssh_public_key'];
    if (report.generatedAt !== null) {
      result.reportGeneratedAt = toIso(report.generatedAt);
      staleCaveat = options.asOf - report.generatedAt > REPORT_STALE_AFTER_MS;
    }
  } else {
    users = await collectUsersFromApi(iam, { concurrency: options.principalConcurrency });
    // unassigned virtual MFA devices stand alone (no user)
    users.push(...(await collectUnassignedMfaDevices(iam, options.asOf)));
  }
  const { roles, userTags } = await collectAuthorizationDetails(iam);
  const caveats = new Map<string, Caveat[]>();
  const principals: Principal[] = [];
  for (const user of users) {
    const tags = userTags.get(user.arn);
    principals.push(tags ? { ...user, tags } : user);
    if (staleCaveat) caveats.set(user.arn, ['report_stale']);
  }
  principals.push(...roles);
  return { result, principals, caveats };
}

export interface AccountAudit {
  findings: Finding[];
  result: AccountResult;
  /** Tags of the account's users and roles, by ARN (for exemptions and owners applied after evaluation). */
  tags: Map<string, Record<string, string>>;
}

/** collectAccountInventory, then the rules and the exempt tag (runAudit adds config and evidence). */
export async function auditAccount(
  iam: IAMClient,
  accountId: string,
  options: AccountAuditOptions,
): Promise<AccountAudit> {
  const inventory = await collectAccountInventory(iam, accountId, options);
  const findings: Finding[] = [];
  const tags = new Map<string, Record<string, string>>();
  for (const principal of inventory.principals) {
    if (principal.tags) tags.set(principal.arn, principal.tags);
    const evaluated = evaluatePrincipal(principal, options, options.exemption);
    findings.push(...withCaveats(evaluated, inventory.caveats.get(principal.arn)));
  }
  return { findings, result: inventory.result, tags };
}

export function withCaveats(findings: Finding[], caveats: readonly Caveat[] | undefined): Finding[] {
  if (!caveats || caveats.length === 0) return findings;
  return findings.map((f) => ({ ...f, caveats: [...f.caveats, ...caveats] }));
}
