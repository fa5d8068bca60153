/**
 * Credentials for another account, by STS AssumeRole.
 *
 *   roleArnFor(accountId, roleName, partition?) → 'arn:aws:iam::<id>:role/<name>'
 *   assumeRoleInAccount(sts, { accountId, roleName, externalId?, sessionName? }) → AwsCredentialIdentity
 *
 * The role name may carry a path (`audit/CredsweepAudit`). The session name shows up in the member
 * account's CloudTrail, so it says who is calling. Credentials are returned, never logged.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';

export const ASSUME_ROLE_PERMISSIONS = ['sts:AssumeRole'] as const;
export { DEFAULT_ROLE_NAME } from './default-role.ts';
export const DEFAULT_SESSION_NAME = 'credsweep-audit';
/** One hour: the default MaxSessionDuration of a role, and longer than an account's audit. */
const SESSION_SECONDS = 3600;

export interface AssumeRoleTarget {
  accountId: string;
  roleName: string;
  externalId?: string;
  sessionName?: string;
  partition?: string;
}

export function roleArnFor(accountId: string, roleName: string, partition = 'aws'): string {
  const name = roleName.replace(/^\/+/, '');
  return `arn:${partition}:iam::${accountId}:role/${name}`;
}

export async function assumeRoleInAccount(
  sts: STSClient,
  target: AssumeRoleTarget,
): Promise<AwsCredentialIdentity> {
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: roleArnFor(target.accountId, target.roleName, target.partition),
      RoleSessionName: target.sessionName ?? DEFAULT_SESSION_NAME,
      DurationSeconds: SESSION_SECONDS,
      ...(target.externalId ? { ExternalId: target.externalId } : {}),
    }),
  );
  if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) {
    throw Object.assign(new Error('AssumeRole returned no credentials'), { name: 'NoCredentials' });
  }
  return {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretAccessKey,
    ...(Credentials.SessionToken ? { sessionToken: Credentials.SessionToken } : {}),
    ...(Credentials.Expiration ? { expiration: Credentials.Expiration } : {}),
  };
}
