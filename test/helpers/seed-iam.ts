/**
 * Seeds IAM principals in moto at past dates, with real SDK calls and moto's movable clock:
 *
 *   await seedUser(moto, iam, { name: 'alice', createdDaysAgo: 300, password: true,
 *                               keys: [{ createdDaysAgo: 300, usedDaysAgo: 120 }] });
 *   await seedRole(moto, iam, { name: 'deployer', createdDaysAgo: 500, usedDaysAgo: 50 });
 *
 * "Used" means a real request signed with the key (or with the role's session key), which is how
 * moto records last use (docs/aws-behaviour.md §7.1). The clock is back at real time after
 * each call.
 */
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  type IAMClient,
  type Tag,
  UpdateAccessKeyCommand,
  UploadSigningCertificateCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { MotoServer } from './moto.ts';

export interface KeySpec {
  createdDaysAgo: number;
  usedDaysAgo?: number;
  inactive?: boolean;
}

export interface UserSpec {
  name: string;
  createdDaysAgo: number;
  password?: boolean;
  keys?: KeySpec[];
  certificate?: boolean;
  tags?: Record<string, string>;
}

export interface RoleSpec {
  name: string;
  createdDaysAgo: number;
  usedDaysAgo?: number;
  path?: string;
  tags?: Record<string, string>;
}

const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
});

/** A self-signed certificate (public part only, `openssl req -x509`) for UploadSigningCertificate. */
const CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIICDDCCAXWgAwIBAgIUGm6f5SXp3F3GFlNMzbrknd7yTWwwDQYJKoZIhvcNAQEL
BQAwFzEVMBMGA1UECgwMbW90byB0ZXN0aW5nMCAXDTI2MTEyMzE5MDE1NloYDzIx
MjYxMDMwMTkwMTU2WjAXMRUwEwYDVQQKDAxtb3RvIHRlc3RpbmcwgZ8wDQYJKoZI
hvcNAQEBBQADgY0AMIGJAoGBALVtWyevhuIHx5IlP7j5ODNmfmqbHA0q5yYM4/AE
kUxbgE+9oglec/2I3XEh3HdIKNJvPBhKysfiRBKQNfSGXesGdXp6dVcXHN6RFPSV
NwrD1QbzPJzvxyzJKdNlgjVrlEktwjzu7QoyqH4E+pd6DtjB/7I/Cal+rELz4R5e
BMClAgMBAAGjUzBRMB0GA1UdDgQWBBS0OgtaENZX5wpiTsP1U+UmRqTsODAfBgNV
HSMEGDAWgBS0OgtaENZX5wpiTsP1U+UmRqTsODAPBgNVHRMBAf8EBTADAQH/MA0G
CSqGSIb3DQEBCwUAA4GBAKe36aNc8ClgCs4d9A7TYTEfMAOvVuSRDygwkraaRWjI
DvhiCzds9Rwj86I597sQlQ0/Q3WFou5xMa7MrAy9c862MADkNEJLioof+3572WV9
Lg6OsR36O87eUMMnmHj1skJIwKi3ssCQyrGCE4Ot/Mbu8YSQDVvwKJjBgryTn0dO
-----END CERTIFICATE-----`;

function toTags(tags: Record<string, string> | undefined): Tag[] | undefined {
  return tags ? Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) : undefined;
}

/** Uses `credentials` for one signed request, so moto records a last use now (its now). */
async function useCredentials(
  moto: MotoServer,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
): Promise<void> {
  const sts = new STSClient(moto.clientConfig(credentials));
  try {
    await sts.send(new GetCallerIdentityCommand({}));
  } finally {
    sts.destroy();
  }
}

export async function seedUser(
  moto: MotoServer,
  iam: IAMClient,
  spec: UserSpec,
): Promise<{ keyIds: string[] }> {
  const keyIds: string[] = [];
  try {
    await moto.setClockOffsetDays(-spec.createdDaysAgo);
    await iam.send(new CreateUserCommand({ UserName: spec.name, Tags: toTags(spec.tags) }));
    if (spec.password) {
      await iam.send(new CreateLoginProfileCommand({ UserName: spec.name, Password: 'Seed-Password-1234' }));
    }
    if (spec.certificate) {
      await iam.send(
        new UploadSigningCertificateCommand({ UserName: spec.name, CertificateBody: CERTIFICATE }),
      );
    }
    for (const key of spec.keys ?? []) {
      await moto.setClockOffsetDays(-key.createdDaysAgo);
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: spec.name }));
      keyIds.push(AccessKey!.AccessKeyId!);
      if (key.usedDaysAgo !== undefined) {
        await moto.setClockOffsetDays(-key.usedDaysAgo);
        await useCredentials(moto, {
          accessKeyId: AccessKey!.AccessKeyId!,
          secretAccessKey: AccessKey!.SecretAccessKey!,
        });
      }
      if (key.inactive) {
        await iam.send(
          new UpdateAccessKeyCommand({
            UserName: spec.name,
            AccessKeyId: AccessKey!.AccessKeyId!,
            Status: 'Inactive',
          }),
        );
      }
    }
  } finally {
    await moto.setClockOffsetDays(0);
  }
  return { keyIds };
}

export async function seedRole(moto: MotoServer, iam: IAMClient, spec: RoleSpec): Promise<string> {
  try {
    await moto.setClockOffsetDays(-spec.createdDaysAgo);
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: spec.name,
        Path: spec.path,
        AssumeRolePolicyDocument: TRUST_POLICY,
        Tags: toTags(spec.tags),
      }),
    );
    if (spec.usedDaysAgo !== undefined) {
      await moto.setClockOffsetDays(-spec.usedDaysAgo);
      const sts = new STSClient(moto.clientConfig());
      const { Credentials } = await sts.send(
        new AssumeRoleCommand({ RoleArn: Role!.Arn!, RoleSessionName: 'seed' }),
      );
      sts.destroy();
      await useCredentials(moto, {
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretAccessKey!,
        sessionToken: Credentials!.SessionToken!,
      });
    }
    return Role!.Arn!;
  } finally {
    await moto.setClockOffsetDays(0);
  }
}
