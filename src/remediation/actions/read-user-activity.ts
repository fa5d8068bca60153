/**
 * What a user has that could still be used, each with its latest activity and the threshold kind it is
 * judged by: quarantine-user acts only when every one is unused past its kind's threshold (the plan's
 * recorded thresholds, docs/aws-behaviour.md for what AWS records). An Inactive credential (or an
 * Expired service-specific one) cannot be used and does not count. A credential's latest activity is
 * its last use or, when later or unused, its creation: a credential added since the plan means a user
 * about to be used. A user with none is judged by its own creation.
 *
 * IAM records no use of SSH keys, signing certificates or service-specific credentials
 * (docs/aws-behaviour.md §9): their creation is the only evidence. A service-specific credential
 * (CodeCommit Git, Keyspaces, Bedrock, CloudWatch Logs API key) counts while Active and not past its
 * ExpirationDate, judged by the service_specific_credential threshold.
 *
 * What credsweep cannot judge keeps the user out (its `at` is empty, which quarantine-user's inUse
 * refuses), of every kind: an Active credential with no date at all (a password or access key with no
 * creation or last use, an SSH key or certificate with no UploadDate, a service-specific credential
 * with no CreateDate), and a status this version does not know (nor none), however old: AWS may have
 * added a status that can still be used.
 */
import {
  GetLoginProfileCommand,
  type IAMClient,
  paginateListSigningCertificates,
  paginateListSSHPublicKeys,
  type User,
} from '@aws-sdk/client-iam';
import type { ThresholdKind } from '../../rules/rule.ts';
import {
  isPastExpiry,
  listUserServiceSpecificCredentialMetadata,
  SERVICE_SPECIFIC_CREDENTIAL_PERMISSIONS,
} from '../../sources/iam-api/service-specific-credentials.ts';
import { type EpochMs, parseIsoDateTime } from '../../time.ts';
import { isNoSuchEntity, isoOrNull } from './action.ts';
import {
  listAccessKeys,
  NO_KEY_STATUS,
  READ_ACCESS_KEY_PERMISSIONS,
  readAccessKey,
} from './read-access-key.ts';

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
  /** The clock expiry is judged by: apply's now, or undo's (each injected). */
  now: EpochMs,
): Promise<UserActivityRead> {
  const activity: UserActivity[] = [];
  const uses: (string | null)[] = [isoOrNull(user.PasswordLastUsed)];
  const created: (string | null)[] = [isoOrNull(user.CreateDate)];
  /** A credential that may be used: by its latest date, or, with none, keeping the user out. */
  const add = ({ what, kind, used, made, noDate }: HeldCredential) => {
    const at = latestOf([used, made]);
    if (at === null) {
      activity.push(mayBeInUse(`${what} with no ${noDate}: AWS gave no date`, kind));
      return;
    }
    activity.push({
      what: `${what} ${at === used ? 'last used' : createdVerb(noDate)}`,
      ...(kind ? { kind } : {}),
      at,
    });
  };
  /** Active: judged by its dates; Inactive (or one of `unusable`): cannot be used; anything else: keeps the user out. */
  const judge = ({ status, unusable, ...credential }: ListedCredential) => {
    if (status === 'Active') add(credential);
    else if (!unusable.includes(status ?? '')) {
      activity.push(mayBeInUse(unknownStatus(credential.what, status), credential.kind));
    }
  };
  let passwordCreated: string | null = null;
  try {
    const profile = await iam.send(new GetLoginProfileCommand({ UserName }));
    passwordCreated = isoOrNull(profile.LoginProfile?.CreateDate);
    add({
      what: 'console password',
      kind: 'password',
      used: isoOrNull(user.PasswordLastUsed),
      made: passwordCreated,
      noDate: 'creation or last-use date',
    });
  } catch (e) {
    if (!isNoSuchEntity(e)) throw e;
  }
  created.push(passwordCreated);
  for (const key of await listAccessKeys(iam, UserName)) {
    const { lastUsed } = await readAccessKey(iam, UserName, key.accessKeyId);
    uses.push(lastUsed);
    created.push(key.createdAt);
    const status = key.status === NO_KEY_STATUS ? undefined : key.status;
    judge({
      what: `access key ${key.accessKeyId}`,
      status,
      unusable: ['Inactive'],
      kind: 'access_key',
      used: lastUsed,
      made: key.createdAt,
      noDate: 'creation or last-use date',
    });
  }
  for await (const page of paginateListSSHPublicKeys({ client: iam }, { UserName })) {
    for (const k of page.SSHPublicKeys ?? []) {
      const at = isoOrNull(k.UploadDate);
      created.push(at);
      judge({
        what: `SSH key ${k.SSHPublicKeyId ?? '(no id)'}`,
        status: k.Status,
        unusable: ['Inactive'],
        kind: 'ssh_public_key',
        used: null,
        made: at,
        noDate: 'upload date',
      });
    }
  }
  for await (const page of paginateListSigningCertificates({ client: iam }, { UserName })) {
    for (const c of page.Certificates ?? []) {
      const at = isoOrNull(c.UploadDate);
      created.push(at);
      // AWS records no use of certificates and they have no threshold kind: the default judges them.
      judge({
        what: `signing certificate ${c.CertificateId ?? '(no id)'}`,
        status: c.Status,
        unusable: ['Inactive'],
        used: null,
        made: at,
        noDate: 'upload date',
      });
    }
  }
  for (const listed of await listUserServiceSpecificCredentialMetadata(iam, UserName)) {
    const at = isoOrNull(listed.CreateDate);
    created.push(at);
    // past its ExpirationDate it is as good as Expired, whatever Status says (§9)
    const expired = isPastExpiry({ expiresAt: listed.ExpirationDate?.getTime() ?? null }, now);
    if (!expired) {
      judge({
        what: `service-specific credential ${listed.ServiceSpecificCredentialId ?? '(no id)'} (${listed.ServiceName ?? 'no service name'})`,
        status: listed.Status,
        unusable: ['Inactive', 'Expired'],
        kind: 'service_specific_credential',
        used: null,
        made: at,
        noDate: 'creation date',
      });
    }
  }
  const userCreated = isoOrNull(user.CreateDate);
  if (activity.length === 0 && userCreated) activity.push({ what: 'user created', at: userCreated });
  return { activity, lastUsed: latestOf(uses), createdAt: latestOf(created) };
}

/** A credential the user holds, as read from IAM: what it is called, its threshold kind and its dates. */
interface HeldCredential extends Pick<UserActivity, 'kind'> {
  /** `access key AKIA…`, `console password`, … */
  what: string;
  /** Its last use (null: IAM records none for this kind, or it was never used). */
  used: string | null;
  /** Its creation or upload. */
  made: string | null;
  /** What its missing date is called when IAM gave neither. */
  noDate: MissingDate;
}

/** A credential with a status: Active ones count, `unusable` ones cannot be used, any other keeps the user out. */
interface ListedCredential extends HeldCredential {
  status: string | undefined;
  unusable: readonly string[];
}

/** The date a credential is judged by, as "with no …" names it when IAM gave none. */
type MissingDate = 'creation or last-use date' | 'upload date' | 'creation date';

/** SSH keys and certificates are uploaded, the rest created. */
function createdVerb(noDate: MissingDate): string {
  return noDate === 'upload date' ? 'uploaded' : 'created';
}

/** A credential credsweep cannot judge: no date (`at` empty), which quarantine-user's inUse refuses. */
function mayBeInUse(what: string, kind: ThresholdKind | undefined): UserActivity {
  return { what, ...(kind ? { kind } : {}), at: '' };
}

function unknownStatus(what: string, status: string | undefined): string {
  return status === undefined || status === ''
    ? `${what} with no status from AWS`
    : `${what} with status ${status}, which this version does not know`;
}

export function latestOf(dates: readonly (string | null | undefined)[]): string | null {
  return (
    dates
      .filter((d): d is string => typeof d === 'string')
      .sort((a, b) => (parseIsoDateTime(a) ?? 0) - (parseIsoDateTime(b) ?? 0))
      .at(-1) ?? null
  );
}
