/**
 * The users and roles to ask Access Advisor about: every one in the account (ListUsers, ListRoles,
 * paginated), or the ARNs given, described with GetUser/GetRole for their creation date.
 */
import {
  GetRoleCommand,
  GetUserCommand,
  type IAMClient,
  paginateListRoles,
  paginateListUsers,
} from '@aws-sdk/client-iam';
import { principalOfIamArn } from '../../arn.ts';
import { AwsAccessError, UsageError } from '../../errors.ts';
import type { PermissionPrincipal } from './service-access.ts';

/** Every AWS call this file makes, as IAM actions. */
export const PRINCIPAL_PERMISSIONS = [
  'iam:ListUsers',
  'iam:ListRoles',
  'iam:GetUser',
  'iam:GetRole',
] as const;

const SERVICE_LINKED_PATH = '/aws-service-role/';

function principalOf(
  type: 'user' | 'role',
  entity: { Arn?: string; CreateDate?: Date },
): PermissionPrincipal | null {
  const parsed = entity.Arn ? principalOfIamArn(entity.Arn) : undefined;
  if (!parsed || !entity.Arn || !entity.CreateDate) return null;
  return { ...parsed, arn: entity.Arn, type, createdAt: entity.CreateDate.getTime() };
}

/**
 * All users, then all roles. Service-linked roles are left out: their permissions belong to an AWS
 * service and cannot be reduced by the account (docs/aws-behaviour.md §2).
 */
export async function* listPermissionPrincipals(iam: IAMClient): AsyncGenerator<PermissionPrincipal> {
  for await (const page of paginateListUsers({ client: iam }, { MaxItems: 1000 })) {
    for (const u of page.Users ?? []) {
      const p = principalOf('user', u);
      if (p) yield p;
    }
  }
  for await (const page of paginateListRoles({ client: iam }, { MaxItems: 1000 })) {
    for (const r of page.Roles ?? []) {
      if (r.Path?.startsWith(SERVICE_LINKED_PATH)) continue;
      const p = principalOf('role', r);
      if (p) yield p;
    }
  }
}

/** Checks `--principal` values before any AWS call. */
export function validatePrincipalArns(arns: readonly string[]): void {
  for (const arn of arns) {
    if (!principalOfIamArn(arn)) {
      throw new UsageError(
        `--principal: '${arn}' is not an IAM user or role ARN`,
        'expected arn:aws:iam::123456789012:user/NAME or …:role/NAME',
      );
    }
  }
}

/** The principal behind a user or role ARN, with its creation date. */
export async function describePermissionPrincipal(iam: IAMClient, arn: string): Promise<PermissionPrincipal> {
  const parsed = principalOfIamArn(arn);
  if (!parsed) throw new UsageError(`--principal: '${arn}' is not an IAM user or role ARN`);
  const entity =
    parsed.type === 'user'
      ? (await iam.send(new GetUserCommand({ UserName: parsed.name }))).User
      : (await iam.send(new GetRoleCommand({ RoleName: parsed.name }))).Role;
  if (!entity?.CreateDate) throw new AwsAccessError(`IAM returned no CreateDate for ${arn}`, 'NoCreateDate');
  return { ...parsed, arn, createdAt: entity.CreateDate.getTime() };
}
