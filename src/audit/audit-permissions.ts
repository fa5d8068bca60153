/**
 * Unused permissions for the users and roles of one account: Access Advisor per principal (bounded
 * concurrency), evaluated by the pure rule. A principal whose job fails does not stop the others; the
 * account is reported failed with the principals and reasons, and the run goes on.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
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
} from '../sources/access-advisor/service-access.ts';
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

export async function auditPermissions(
  iam: IAMClient,
  options: PermissionAuditOptions,
): Promise<PermissionAuditResult> {
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
        failures.push({ accountId: accountOf(arn), arn, ...describeError(e) });
      }
    });
  }
  principals.sort((a, b) => a.arn.localeCompare(b.arn));
  const perPrincipal = new Map<string, Finding[]>();
  await mapBounded(principals, options.concurrency, async (principal) => {
    try {
      const services = await fetchServiceLastAccessed(iam, principal.arn, options.granularity, options.poll);
      perPrincipal.set(principal.arn, evaluateServiceAccess(principal, services, options));
    } catch (e) {
      failures.push({ accountId: principal.accountId, arn: principal.arn, ...describeError(e) });
    }
  });
  const findings = principals.flatMap((p) => perPrincipal.get(p.arn) ?? []);
  return { findings, failures: summariseFailures(failures) };
}

const SOURCE = 'access-advisor';

/**
 * auditPermissions in every target account (`--accounts`, `--org`: audit-accounts.ts), every user
 * and role of each. An account that cannot be reached or listed, or with a principal that could not
 * be evaluated, is `failed` with the reason; the others go on. `accounts` lists every target.
 */
export async function auditPermissionsInAccounts(
  connection: AwsConnection,
  callerClients: Pick<AwsClients, 'iam' | 'sts'>,
  targets: readonly AccountTarget[],
  options: Omit<PermissionAuditOptions, 'principals'> &
    Omit<AccountFanOut, 'concurrency'> & {
      /** Accounts in flight at once (`concurrency` is principals in flight within one). */
      accountConcurrency: number;
    },
): Promise<{ findings: Finding[]; accounts: AccountResult[] }> {
  const done = await fanOutAccounts(
    connection,
    callerClients,
    targets,
    { ...options, concurrency: options.accountConcurrency, source: SOURCE },
    async (iam, accountId) => {
      const { findings, failures } = await auditPermissions(iam, options);
      const result: AccountResult = failures[0] ?? { accountId, status: 'ok', source: SOURCE };
      return { findings, result };
    },
    (result) => ({ findings: [] as Finding[], result }),
  );
  return { findings: done.flatMap((d) => d.findings), accounts: done.map((d) => d.result) };
}

function accountOf(arn: string): string {
  return /^arn:[^:]*:iam::(\d{12}):/.exec(arn)?.[1] ?? 'unknown';
}

/** One failed AccountResult per account, naming every principal that failed and why. */
function summariseFailures(failures: PrincipalFailure[]): AccountResult[] {
  const byAccount = new Map<string, PrincipalFailure[]>();
  for (const f of failures) byAccount.set(f.accountId, [...(byAccount.get(f.accountId) ?? []), f]);
  return [...byAccount.entries()].map(([accountId, list]) => {
    list.sort((a, b) => a.arn.localeCompare(b.arn));
    return {
      accountId,
      status: 'failed' as const,
      source: SOURCE,
      error: {
        code: list[0]!.code,
        message: list.map((f) => `${f.arn}: ${f.code}: ${f.message}`).join('; '),
      },
    };
  });
}
