/**
 * Unused permissions for the users and roles of one account: Access Advisor per principal (bounded
 * concurrency), evaluated by the pure rule. A principal whose job fails does not stop the others; the
 * account is reported failed with the principals and reasons, and the run goes on.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { accountOfIamArn } from '../arn.ts';
import { classifyAwsError } from '../aws/classify-error.ts';
import type { AwsClients, AwsConnection } from '../aws/clients.ts';
import { AwsAccessError } from '../errors.ts';
import type { AccountResult, Finding } from '../model/finding.ts';
import { evaluateServiceAccess } from '../rules/permission-unused.ts';
import { fetchServiceLastAccessed, type PollOptions } from '../sources/access-advisor/last-accessed.ts';
import {
  describePermissionPrincipal,
  listPermissionPrincipals,
} from '../sources/access-advisor/principals.ts';
import type {
  AccessAdvisorGranularity,
  PermissionPrincipal,
  ServiceAccess,
} from '../sources/access-advisor/service-access.ts';
import { counted } from '../plural.ts';
import type { EpochMs } from '../time.ts';
import { type AccountFanOut, type AccountTarget, fanOutAccounts } from './audit-accounts.ts';
import { mapBounded } from './map-bounded.ts';

export interface PermissionAuditOptions {
  asOf: EpochMs;
  thresholdDays: number;
  granularity: AccessAdvisorGranularity;
  /** Principals in flight at once (Access Advisor jobs run concurrently on the AWS side too). */
  concurrency: number;
  /** User/role ARNs; every user and role of the account when absent or empty. */
  principals?: readonly string[];
  poll: PollOptions;
}

export interface PermissionAuditResult {
  findings: Finding[];
  /** Accounts with at least one principal that could not be evaluated (status `failed`). */
  failures: AccountResult[];
}

interface PrincipalFailure {
  accountId: string;
  arn: string;
  code: string;
  message: string;
}

function describeError(e: unknown): { code: string; message: string } {
  if (e instanceof AwsAccessError) return { code: e.awsCode, message: e.message };
  const { code, message } = classifyAwsError(e);
  return { code, message };
}

/** One principal's inventory for the permissions audit: what Access Advisor says it uses. */
export interface PermissionInventoryItem {
  principal: PermissionPrincipal;
  services: ServiceAccess[];
}

export interface PermissionInventory {
  /** In ARN order. */
  items: PermissionInventoryItem[];
  /** Accounts with at least one principal that could not be collected (status `failed`). */
  failures: AccountResult[];
}

/** The collect stage of the permissions audit in one account: principals, then Access Advisor. */
export async function collectPermissionInventory(
  iam: IAMClient,
  options: Omit<PermissionAuditOptions, 'asOf' | 'thresholdDays'>,
): Promise<PermissionInventory> {
  const failures: PrincipalFailure[] = [];
  const principals: PermissionPrincipal[] = [];
  const arns = options.principals ?? [];
  if (arns.length === 0) {
    try {
      for await (const p of listPermissionPrincipals(iam)) principals.push(p);
    } catch (e) {
      const { code, message } = describeError(e);
      throw new AwsAccessError(`listing users and roles: ${message}`, code);
    }
  } else {
    await mapBounded(arns, options.concurrency, async (arn) => {
      try {
        principals.push(await describePermissionPrincipal(iam, arn));
      } catch (e) {
        failures.push({ accountId: accountOfIamArn(arn) ?? 'unknown', arn, ...describeError(e) });
      }
    });
  }
  principals.sort((a, b) => a.arn.localeCompare(b.arn));
  const perPrincipal = new Map<string, ServiceAccess[]>();
  await mapBounded(principals, options.concurrency, async (principal) => {
    try {
      perPrincipal.set(
        principal.arn,
        await fetchServiceLastAccessed(iam, principal.arn, options.granularity, options.poll),
      );
    } catch (e) {
      failures.push({ accountId: principal.accountId, arn: principal.arn, ...describeError(e) });
    }
  });
  const items = principals.flatMap((principal) => {
    const services = perPrincipal.get(principal.arn);
    return services ? [{ principal, services }] : [];
  });
  return { items, failures: summariseFailures(failures, arns.length > 0 ? arns.length : principals.length) };
}

/** collectPermissionInventory, then the rule (runAudit adds exemptions and the envelope). */
export async function auditPermissions(
  iam: IAMClient,
  options: PermissionAuditOptions,
): Promise<PermissionAuditResult> {
  const { items, failures } = await collectPermissionInventory(iam, options);
  const findings = items.flatMap((i) => evaluateServiceAccess(i.principal, i.services, options));
  return { findings, failures };
}

const SOURCE = 'access-advisor';

/**
 * collectPermissionInventory in every target account (`--accounts`, `--org`: audit-accounts.ts),
 * every user and role of each. An account that cannot be reached or listed, or with a principal that
 * could not be collected, is `failed` with the reason; the others go on. `accounts` lists every target.
 */
export async function collectPermissionsInAccounts(
  connection: AwsConnection,
  callerClients: Pick<AwsClients, 'iam' | 'sts'>,
  targets: readonly AccountTarget[],
  options: Omit<PermissionAuditOptions, 'principals' | 'asOf' | 'thresholdDays'> &
    Omit<AccountFanOut, 'concurrency'> & {
      /** Accounts in flight at once (`concurrency` is principals in flight within one). */
      accountConcurrency: number;
    },
): Promise<{ items: PermissionInventoryItem[]; accounts: AccountResult[] }> {
  const done = await fanOutAccounts(
    connection,
    callerClients,
    targets,
    { ...options, concurrency: options.accountConcurrency, source: SOURCE },
    async (iam, accountId) => {
      const { items, failures } = await collectPermissionInventory(iam, options);
      const result: AccountResult = failures[0] ?? { accountId, status: 'ok', source: SOURCE };
      return { items, result };
    },
    (result) => ({ items: [] as PermissionInventoryItem[], result }),
  );
  return { items: done.flatMap((d) => d.items), accounts: done.map((d) => d.result) };
}

/**
 * One failed AccountResult per account. Its message is one line a terminal can show: how many of
 * the account's principals could not be evaluated and the first one's AWS message (which names the
 * refused action, what there is to grant); every principal's own code and message are in
 * `error.principals` (the JSON report), not strung together in the message.
 */
function summariseFailures(failures: PrincipalFailure[], total: number): AccountResult[] {
  const byAccount = new Map<string, PrincipalFailure[]>();
  for (const f of failures) byAccount.set(f.accountId, [...(byAccount.get(f.accountId) ?? []), f]);
  return [...byAccount.entries()].map(([accountId, list]) => {
    list.sort((a, b) => a.arn.localeCompare(b.arn));
    const codes = new Map<string, number>();
    for (const f of list) codes.set(f.code, (codes.get(f.code) ?? 0) + 1);
    // The most frequent code is the account's (the first principal's on a tie).
    const code = [...codes.entries()].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    const first = list[0]!;
    const mixed = codes.size > 1 ? ` (${[...codes].map(([c, n]) => `${n} ${c}`).join(', ')})` : '';
    const message =
      list.length === 1
        ? `${first.arn}: ${first.message}`
        : `${list.length} of ${counted(Math.max(total, list.length), 'principal')} not evaluated${mixed}; ${first.arn}: ${mixed ? `${first.code}: ` : ''}${first.message}`;
    return {
      accountId,
      status: 'failed' as const,
      source: SOURCE,
      error: { code, message, principals: list.map(({ arn, code, message }) => ({ arn, code, message })) },
    };
  });
}
