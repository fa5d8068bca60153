/**
 * What a user has that could still be used, each with its latest activity and the threshold kind it is
 * judged by: quarantine-user acts only when every one is unused past its kind's threshold (the plan's
 * recorded thresholds, docs/aws-behaviour.md for what AWS records). Only Active credentials count (an
 * Inactive one cannot be used). A credential's latest activity is its last use or, when later or
 * unused, its creation: a credential added since the plan means a user about to be used. A user with
 * none is judged by its own creation.
 *
 * IAM records no use of SSH keys, signing certificates or service-specific credentials
 * (docs/aws-behaviour.md §9): their creation is the only evidence. A service-specific credential
 * (CodeCommit Git, Keyspaces, Bedrock, CloudWatch Logs API key) counts while Active and not past its
 * ExpirationDate, judged by the service_specific_credential threshold; an Active one with no
 * CreateDate keeps the user out (its `at` is empty, which quarantine-user's inUse refuses), and so
 * does a status this version does not know (the audit reads it as Inactive; here it may be a use).
 */
import {
  GetLoginProfileCommand,
  type IAMClient,
  paginateListSigningCertificates,
  paginateListSSHPublicKeys,
  type ServiceSpecificCredentialMetadata,
  type User,
} from '@aws-sdk/client-iam';
import type { ThresholdKind } from '../../rules/rule.ts';
import {
  hasKnownStatus,
  isPastExpiry,
  listUserServiceSpecificCredentialMetadata,
  SERVICE_SPECIFIC_CREDENTIAL_PERMISSIONS,
  toServiceSpecificCredential,
} from '../../sources/iam-api/service-specific-credentials.ts';
import { type EpochMs, parseIsoDateTime } from '../../time.ts';
import { isNoSuchEntity, isoOrNull } from './action.ts';
import { listAccessKeys, READ_ACCESS_KEY_PERMISSIONS, readAccessKey } from './read-access-key.ts';

export interface UserActivity {
  /** `access key AKIA… last used`, `console password created`, … */
  what: string;
  /** The threshold kind it is judged by (none: the default threshold). */
  kind?: ThresholdKind;
  /** ISO-8601 UTC. */
  at: string;
}

export const READ_USER_ACTIVITY_PERMISSIONS = [
  'iam:GetLoginProfile',
  ...READ_ACCESS_KEY_PERMISSIONS,
  'iam:ListSSHPublicKeys',
  'iam:ListSigningCertificates',
  ...SERVICE_SPECIFIC_CREDENTIAL_PERMISSIONS,
] as const;

export interface UserActivityRead {
  activity: UserActivity[];
  /** The latest password or access-key use (what the plan's expected.lastUsed is compared to). */
  lastUsed: string | null;
  /** The newest creation among the user and its credentials. */
  createdAt: string | null;
}

export async function readUserActivity(
  iam: IAMClient,
  UserName: string,
  user: Partial<Pick<User, 'PasswordLastUsed' | 'CreateDate'>>,
  /** apply's now, for service-specific credentials' expiry; undo passes none (and judges no activity). */
  now?: EpochMs,
): Promise<UserActivityRead> {
  const activity: UserActivity[] = [];
  const uses: (string | null)[] = [isoOrNull(user.PasswordLastUsed)];
  const created: (string | null)[] = [isoOrNull(user.CreateDate)];
  const add = (what: string, kind: ThresholdKind | undefined, used: string | null, made: string | null) => {
    const at = latestOf([used, made]);
    if (at === null) return;
    activity.push({
      what: `${what} ${at === used ? 'last used' : 'created'}`,
      ...(kind ? { kind } : {}),
      at,
    });
  };
  let passwordCreated: string | null = null;
  try {
    const profile = await iam.send(new GetLoginProfileCommand({ UserName }));
    passwordCreated = isoOrNull(profile.LoginProfile?.CreateDate);
    add('console password', 'password', isoOrNull(user.PasswordLastUsed), passwordCreated);
  } catch (e) {
    if (!isNoSuchEntity(e)) throw e;
  }
  created.push(passwordCreated);
  for (const key of await listAccessKeys(iam, UserName)) {
    const { lastUsed } = await readAccessKey(iam, UserName, key.accessKeyId);
    uses.push(lastUsed);
    created.push(key.createdAt);
    if (key.status === 'Active') add(`access key ${key.accessKeyId}`, 'access_key', lastUsed, key.createdAt);
  }
  for await (const page of paginateListSSHPublicKeys({ client: iam }, { UserName })) {
    for (const k of page.SSHPublicKeys ?? []) {
      const at = isoOrNull(k.UploadDate);
      created.push(at);
      if (k.Status === 'Active' && at) {
        activity.push({ what: `SSH key ${k.SSHPublicKeyId} uploaded`, kind: 'ssh_public_key', at });
      }
    }
  }
  for await (const page of paginateListSigningCertificates({ client: iam }, { UserName })) {
    for (const c of page.Certificates ?? []) {
      const at = isoOrNull(c.UploadDate);
      created.push(at);
      // AWS records no use of certificates and they have no threshold kind: the default judges them.
      if (c.Status === 'Active' && at)
        activity.push({ what: `signing certificate ${c.CertificateId} uploaded`, at });
    }
  }
  for (const listed of await listUserServiceSpecificCredentialMetadata(iam, UserName)) {
    const at = isoOrNull(listed.CreateDate);
    created.push(at);
    if (!serviceSpecificCredentialMayBeUsed(listed, now)) continue;
    const what = `service-specific credential ${listed.ServiceSpecificCredentialId ?? '(no id)'} (${listed.ServiceName ?? 'no service name'})`;
    activity.push(
      at
        ? { what: `${what} created`, kind: 'service_specific_credential', at }
        : { what: `${what} with no creation date`, kind: 'service_specific_credential', at: '' },
    );
  }
  const userCreated = isoOrNull(user.CreateDate);
  if (activity.length === 0 && userCreated) activity.push({ what: 'user created', at: userCreated });
  return { activity, lastUsed: latestOf(uses), createdAt: latestOf(created) };
}

/**
 * Active (or a status this version does not know: conservative) and not past its ExpirationDate at
 * `now`. With no `now` (undo) expiry is not judged: the credential counts.
 */
function serviceSpecificCredentialMayBeUsed(
  listed: ServiceSpecificCredentialMetadata,
  now: EpochMs | undefined,
): boolean {
  const credential = toServiceSpecificCredential(listed);
  if (hasKnownStatus(listed) && listed.Status !== 'Active') return false;
  const expiry = credential ?? { expiresAt: listed.ExpirationDate?.getTime() ?? null };
  return now === undefined || !isPastExpiry(expiry, now);
}

export function latestOf(dates: readonly (string | null | undefined)[]): string | null {
  return (
    dates
      .filter((d): d is string => typeof d === 'string')
      .sort((a, b) => (parseIsoDateTime(a) ?? 0) - (parseIsoDateTime(b) ?? 0))
      .at(-1) ?? null
  );
}
