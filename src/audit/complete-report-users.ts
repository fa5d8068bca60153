/**
 * The credential-report path's users, completed with what the report does not hold (it has
 * passwords, access keys and certificates only, docs/aws-behaviour.md §1.1 and §9):
 *
 *   completeReportUsers(iam, reportUsers, options) → users with service-specific credentials,
 *                                                    SSH public keys (when asked) and key ids
 *
 * Calls, per account: one ListServiceSpecificCredentials walk with AllUsers (one page per 1 000 by
 * default; per user only where AWS refuses AllUsers); per user, one ListSSHPublicKeys when
 * `sshPublicKeys` (AWS has no account-wide listing of SSH keys) and one ListAccessKeys when a key
 * needs its id (./sources/credential-report/resolve-key-ids.ts). The unassigned virtual MFA devices
 * are listed beside the users, by the caller (one call a page).
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { Principal, ServiceSpecificCredential } from '../model/inventory.ts';
import {
  KEY_ID_PERMISSIONS,
  type KeyIdPolicy,
  needsKeyIds,
  resolveKeyIds,
} from '../sources/credential-report/resolve-key-ids.ts';
import {
  listAllServiceSpecificCredentials,
  listServiceSpecificCredentials,
  SERVICE_SPECIFIC_CREDENTIAL_PERMISSIONS,
} from '../sources/iam-api/service-specific-credentials.ts';
import { listSshPublicKeys, SSH_PUBLIC_KEY_PERMISSIONS } from '../sources/iam-api/ssh-public-keys.ts';
import { mapBounded } from './map-bounded.ts';

/** What completing the report's users may call (the SSH listing is declared even when switched off). */
export const REPORT_USER_PERMISSIONS = [
  ...KEY_ID_PERMISSIONS,
  ...SERVICE_SPECIFIC_CREDENTIAL_PERMISSIONS,
  ...SSH_PUBLIC_KEY_PERMISSIONS,
] as const;

export interface ReportUserOptions {
  /** Users completed at once (IAM's request quotas are per account). */
  concurrency: number;
  /** One ListSSHPublicKeys per user; false: SSH keys are not collected (left undefined). */
  sshPublicKeys: boolean;
  /** Which users' key ids to resolve; none without it. */
  keyIds?: KeyIdPolicy;
}

export async function completeReportUsers(
  iam: IAMClient,
  reportUsers: readonly Principal[],
  options: ReportUserOptions,
): Promise<Principal[]> {
  const anyUser = reportUsers.some((p) => p.type === 'user');
  // null: the account refused AllUsers, so each user is asked on its own (as on the API path)
  const serviceCredentials = anyUser ? await listAllServiceSpecificCredentials(iam) : new Map();
  return mapBounded(reportUsers, options.concurrency, (principal) =>
    principal.type === 'user'
      ? completeUser(iam, principal, serviceCredentials, options)
      : Promise.resolve(principal),
  );
}

async function completeUser(
  iam: IAMClient,
  user: Principal,
  serviceCredentials: Map<string, ServiceSpecificCredential[]> | null,
  options: ReportUserOptions,
): Promise<Principal> {
  const [withIds, serviceSpecificCredentials, sshPublicKeys] = await Promise.all([
    options.keyIds && needsKeyIds(user, options.keyIds) ? resolveKeyIds(iam, user) : user,
    serviceCredentials
      ? (serviceCredentials.get(user.name) ?? [])
      : listServiceSpecificCredentials(iam, user.name),
    options.sshPublicKeys ? listSshPublicKeys(iam, user.name) : undefined,
  ]);
  return { ...withIds, serviceSpecificCredentials, ...(sshPublicKeys ? { sshPublicKeys } : {}) };
}
