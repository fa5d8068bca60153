/**
 * Unused permissions for the users and roles of one account: Access Advisor per principal (bounded
 * concurrency), evaluated by the pure rule. A principal whose job fails does not stop the others; the
 * account is reported failed with the principals and reasons, and the run goes on.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { classifyAwsError } from '../aws/classify-error.ts';
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
      source: 'access-advisor',
      error: {
        code: list[0]!.code,
        message: list.map((f) => `${f.arn}: ${f.code}: ${f.message}`).join('; '),
      },
    };
  });
}
