/**
 * Users and their credentials from the IAM API (`--source api`): ListUsers, then per user
 * ListAccessKeys, GetAccessKeyLastUsed per key, GetLoginProfile, ListSigningCertificates and
 * ListSSHPublicKeys, with at most `concurrency` users in flight; service-specific credentials once for
 * the account (ListServiceSpecificCredentials AllUsers=true), else per user.
 *
 * The result has the credential report's shape (docs/aws-behaviour.md §1.1) so the same rules
 * give the same findings: keys are numbered 1 and 2 by CreateDate (the report's order, §8 q.2), a
 * key's CreateDate plays `access_key_N_last_rotated`, the login profile's CreateDate plays
 * `password_last_changed`. Unlike the report, this path knows each key's id and its last-used
 * service and Region.
 */
import {
  type AccessKeyMetadata,
  GetAccessKeyLastUsedCommand,
  GetLoginProfileCommand,
  type IAMClient,
  NoSuchEntityException,
  paginateListAccessKeys,
  paginateListSigningCertificates,
  paginateListUsers,
  type User,
} from '@aws-sdk/client-iam';
import { accountOfIamArn } from '../../arn.ts';
import { mapBounded } from '../../audit/map-bounded.ts';
import type {
  AccessKeyCredential,
  Principal,
  ServiceSpecificCredential,
  SigningCertificateCredential,
} from '../../model/inventory.ts';
import {
  listAllServiceSpecificCredentials,
  listServiceSpecificCredentials,
  SERVICE_SPECIFIC_CREDENTIAL_PERMISSIONS,
} from './service-specific-credentials.ts';
import { statusFields } from './listed-status.ts';
import { listSshPublicKeys, SSH_PUBLIC_KEY_PERMISSIONS } from './ssh-public-keys.ts';

export const IAM_USER_PERMISSIONS = [
  'iam:ListUsers',
  'iam:ListAccessKeys',
  'iam:GetAccessKeyLastUsed',
  'iam:GetLoginProfile',
  'iam:ListSigningCertificates',
  ...SSH_PUBLIC_KEY_PERMISSIONS,
  ...SERVICE_SPECIFIC_CREDENTIAL_PERMISSIONS,
] as const;

/** GetAccessKeyLastUsed answers `N/A` for a key never used (§2 "GetAccessKeyLastUsed"). */
const NOT_A_VALUE = new Set(['N/A', 'n/a', '']);

export async function listUsers(iam: IAMClient): Promise<User[]> {
  const users: User[] = [];
  for await (const page of paginateListUsers({ client: iam, pageSize: 1000 }, {})) {
    users.push(...(page.Users ?? []));
  }
  return users;
}

export async function collectUsersFromApi(
  iam: IAMClient,
  options: { concurrency: number },
): Promise<Principal[]> {
  const users = await listUsers(iam);
  // null: the account refused AllUsers, so each user is asked on its own
  const serviceCredentials = users.length > 0 ? await listAllServiceSpecificCredentials(iam) : new Map();
  const principals = await mapBounded(users, options.concurrency, (user) =>
    describeUser(iam, user, serviceCredentials),
  );
  return principals.filter((p): p is Principal => p !== null);
}

async function describeUser(
  iam: IAMClient,
  user: User,
  serviceCredentials: Map<string, ServiceSpecificCredential[]> | null,
): Promise<Principal | null> {
  const accountId = user.Arn ? accountOfIamArn(user.Arn) : undefined;
  if (!user.UserName || !user.Arn || !user.CreateDate || !accountId) return null;
  const UserName = user.UserName;
  const [accessKeys, password, signingCertificates, sshPublicKeys, serviceSpecificCredentials] =
    await Promise.all([
      describeAccessKeys(iam, UserName),
      describePassword(iam, UserName, user.PasswordLastUsed),
      describeSigningCertificates(iam, UserName),
      listSshPublicKeys(iam, UserName),
      serviceCredentials
        ? Promise.resolve(serviceCredentials.get(UserName) ?? [])
        : listServiceSpecificCredentials(iam, UserName),
    ]);
  return {
    accountId,
    type: 'user',
    name: UserName,
    arn: user.Arn,
    createdAt: user.CreateDate.getTime(),
    password,
    accessKeys,
    signingCertificates,
    sshPublicKeys,
    serviceSpecificCredentials,
  };
}

async function describeAccessKeys(iam: IAMClient, UserName: string): Promise<AccessKeyCredential[]> {
  const keys: AccessKeyMetadata[] = [];
  for await (const page of paginateListAccessKeys({ client: iam }, { UserName })) {
    keys.push(...(page.AccessKeyMetadata ?? []));
  }
  keys.sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0));
  // IAM allows two keys per user (§1.6); a third could only be a data error, and has no report slot.
  return Promise.all(
    keys.slice(0, 2).map(async (key, i): Promise<AccessKeyCredential> => {
      const { AccessKeyLastUsed: used } = await iam.send(
        new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }),
      );
      return {
        slot: (i + 1) as 1 | 2,
        ...statusFields(key.Status),
        lastUsed: used?.LastUsedDate?.getTime() ?? null,
        lastRotated: key.CreateDate?.getTime() ?? null,
        accessKeyId: key.AccessKeyId!,
        lastUsedService: valueOrNull(used?.ServiceName),
        lastUsedRegion: valueOrNull(used?.Region),
      };
    }),
  );
}

function valueOrNull(value: string | undefined): string | null {
  return value === undefined || NOT_A_VALUE.has(value) ? null : value;
}

async function describePassword(
  iam: IAMClient,
  UserName: string,
  passwordLastUsed: Date | undefined,
): Promise<Principal['password']> {
  try {
    const { LoginProfile } = await iam.send(new GetLoginProfileCommand({ UserName }));
    return {
      lastUsed: passwordLastUsed?.getTime() ?? null,
      lastChanged: LoginProfile?.CreateDate?.getTime() ?? null,
    };
  } catch (e) {
    // NoSuchEntity: the user has no console password (§2 "GetLoginProfile").
    if (e instanceof NoSuchEntityException) return null;
    throw e;
  }
}

async function describeSigningCertificates(
  iam: IAMClient,
  UserName: string,
): Promise<SigningCertificateCredential[]> {
  const certificates: SigningCertificateCredential[] = [];
  for await (const page of paginateListSigningCertificates({ client: iam }, { UserName })) {
    for (const cert of page.Certificates ?? []) {
      certificates.push({
        slot: 1,
        ...statusFields(cert.Status),
        lastRotated: cert.UploadDate?.getTime() ?? null,
        certificateId: cert.CertificateId,
      });
    }
  }
  certificates.sort((a, b) => (a.lastRotated ?? 0) - (b.lastRotated ?? 0));
  return certificates.slice(0, 2).map((cert, i) => ({ ...cert, slot: (i + 1) as 1 | 2 }));
}
