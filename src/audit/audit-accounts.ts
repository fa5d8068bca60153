/**
 * Many accounts, live: which accounts (`--accounts`, `--org`, or the caller's own), then each one
 * audited with at most `concurrency` in flight. An account that fails (AssumeRole refused,
 * AccessDenied, throttling beyond the SDK's retries) becomes `status: "failed"` with the AWS error
 * code and message; the others go on.
 *
 *   resolveAccountTargets(callerClients, { accounts?, org? }) → { callerAccountId, targets }
 *   auditAccounts(connection, callerClients, targets, options) → { findings, accounts }
 *
 * The caller's own account is audited with the caller's credentials, without AssumeRole (a
 * management account has no OrganizationAccountAccessRole of its own, docs/aws-behaviour.md §5).
 */
import { credentialsHint } from '../aws/credentials-hint.ts';
import type { IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { partitionOf } from '../arn.ts';
import { ASSUME_ROLE_PERMISSIONS, assumeRoleInAccount } from '../aws/assume-role.ts';
import type { AwsCallCounter } from '../aws/call-counter.ts';
import { classifyAwsError } from '../aws/classify-error.ts';
import { type AwsClients, type AwsConnection, createIamClient } from '../aws/clients.ts';
import { AwsAccessError, isCredsweepError } from '../errors.ts';
import type { AccountResult, Finding } from '../model/finding.ts';
import { listActiveAccounts, ORGANIZATIONS_PERMISSIONS } from '../sources/organizations/list-accounts.ts';
import { type AccountAuditOptions, auditAccount } from './audit-account.ts';
import { mapBounded } from './map-bounded.ts';

/** What the calling identity itself needs, beyond the audit of its own account. */
export const CALLER_PERMISSIONS = {
  identity: ['sts:GetCallerIdentity'],
  org: ORGANIZATIONS_PERMISSIONS,
  assumeRole: ASSUME_ROLE_PERMISSIONS,
} as const;

export interface AccountTarget {
  accountId: string;
  /** false for the caller's own account. */
  assumeRole: boolean;
}

export interface TargetSelection {
  accounts?: readonly string[];
  org?: boolean;
}

export async function resolveAccountTargets(
  clients: Pick<AwsClients, 'sts' | 'organizations'>,
  selection: TargetSelection,
): Promise<{ callerAccountId: string; partition: string; targets: AccountTarget[] }> {
  const { callerAccountId, partition } = await callAsCaller('GetCallerIdentity', async () => {
    const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Account) throw new Error('GetCallerIdentity returned no account');
    // aws, aws-cn, aws-us-gov: member role ARNs live in the caller's partition.
    return { callerAccountId: identity.Account, partition: partitionOf(identity.Arn ?? '') };
  });
  let ids: string[];
  if (selection.org) {
    const accounts = await callAsCaller('organizations ListAccounts', () =>
      listActiveAccounts(clients.organizations),
    );
    ids = accounts.map((a) => a.accountId);
    if (!ids.includes(callerAccountId)) ids.unshift(callerAccountId);
  } else if (selection.accounts && selection.accounts.length > 0) {
    ids = [...new Set(selection.accounts)];
  } else {
    ids = [callerAccountId];
  }
  return {
    callerAccountId,
    partition,
    targets: ids.map((accountId) => ({ accountId, assumeRole: accountId !== callerAccountId })),
  };
}

/** A failure of the caller's own calls stops the run: there is nothing to fan out to. */
async function callAsCaller<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    const { code, message } = classifyAwsError(e, { callNamed: true });
    const hint = code === 'CredentialsProviderError' ? credentialsHint(message) : undefined;
    throw new AwsAccessError(`${what} failed: ${code}: ${message}`, code, undefined, hint);
  }
}

/** How to reach the accounts of a fan-out (any per-account job: the credential audit, permissions). */
export interface AccountFanOut {
  /** Accounts in flight at once. */
  concurrency: number;
  roleName: string;
  externalId?: string;
  /** The caller's partition (from resolveAccountTargets), `aws` by default. */
  partition?: string;
  /** Called after each account, e.g. to move a progress bar. */
  onAccountDone?: (result: AccountResult) => void;
  /** Counts the AWS calls made in each assumed account (the benchmark uses it). */
  counterFor?: (accountId: string) => AwsCallCounter | undefined;
}

export interface FanOutOptions extends AccountAuditOptions, AccountFanOut {}

export interface FanOutResult {
  /** In target order, then in each account's principal order. */
  findings: Finding[];
  accounts: AccountResult[];
  /** Tags of users and roles, by ARN. */
  tags: Map<string, Record<string, string>>;
}

/**
 * Runs `job` in every target account with at most `concurrency` in flight: in the caller's own
 * account with the caller's IAM client, elsewhere with a client on AssumeRole credentials. An account
 * whose AssumeRole or job fails with an AWS or network error becomes `failed(result)` (result: that
 * account, `status: "failed"`, the AWS code and message); other errors are bugs and propagate.
 */
export async function fanOutAccounts<R extends { result: AccountResult }>(
  connection: AwsConnection,
  callerClients: Pick<AwsClients, 'iam' | 'sts'>,
  targets: readonly AccountTarget[],
  options: AccountFanOut & { source?: string },
  job: (iam: IAMClient, accountId: string) => Promise<R>,
  failed: (result: AccountResult) => R,
): Promise<R[]> {
  return mapBounded(targets, options.concurrency, async (target) => {
    // Counted per account only where the account gets its own client (the caller's is the caller's).
    const counter = target.assumeRole ? options.counterFor?.(target.accountId) : undefined;
    let iam = callerClients.iam;
    let ownClient = false;
    try {
      if (target.assumeRole) {
        const credentials = await assumeRoleInAccount(callerClients.sts, {
          accountId: target.accountId,
          roleName: options.roleName,
          ...(options.partition ? { partition: options.partition } : {}),
          ...(options.externalId ? { externalId: options.externalId } : {}),
        });
        iam = createIamClient({ ...connection, credentials }, counter);
        ownClient = true;
      }
      const done = await job(iam, target.accountId);
      options.onAccountDone?.(done.result);
      return done;
    } catch (e) {
      if (!isAccountFailure(e)) throw e;
      const assumeRoleFailed = target.assumeRole && !ownClient;
      const { code, message } = classifyAwsError(e, { callNamed: assumeRoleFailed });
      const result: AccountResult = {
        accountId: target.accountId,
        status: 'failed',
        ...(options.source ? { source: options.source } : {}),
        error: { code, message: assumeRoleFailed ? `AssumeRole: ${message}` : message },
      };
      options.onAccountDone?.(result);
      return failed(result);
    } finally {
      if (ownClient) iam.destroy();
    }
  });
}

/** The credential audit (audit-account.ts) in every target account. */
export async function auditAccounts(
  connection: AwsConnection,
  callerClients: Pick<AwsClients, 'iam' | 'sts'>,
  targets: readonly AccountTarget[],
  options: FanOutOptions,
): Promise<FanOutResult> {
  const audits = await fanOutAccounts(
    connection,
    callerClients,
    targets,
    options,
    (iam, accountId) => auditAccount(iam, accountId, options),
    (result) => ({ findings: [], result, tags: new Map<string, Record<string, string>>() }),
  );
  return {
    findings: audits.flatMap((a) => a.findings),
    accounts: audits.map((a) => a.result),
    tags: new Map(audits.flatMap((a) => [...a.tags])),
  };
}

/**
 * AWS and network errors, and malformed AWS answers, fail the account; anything else is a bug in
 * credsweep and must surface as one.
 */
function isAccountFailure(e: unknown): boolean {
  if (isCredsweepError(e)) return true;
  const err = e as { $metadata?: unknown; $fault?: unknown; code?: unknown; name?: string };
  if (err?.$metadata !== undefined || err?.$fault !== undefined) return true;
  if (typeof err?.code === 'string' && /^E[A-Z]+$/.test(err.code)) return true; // ECONNREFUSED, …
  return (
    err?.name === 'CredentialReportTimeout' || err?.name === 'NoCredentials' || err?.name === 'TimeoutError'
  );
}
