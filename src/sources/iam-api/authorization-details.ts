/**
 * Roles (with their last use) and the tags of users and roles, from one paginated
 * GetAccountAuthorizationDetails walk (Filter User + Role), on both the report and the API path.
 *
 * One GAAD page carries up to 1000 principals with their tags, so user tags cost a page per 1000
 * users instead of a ListUserTags call per user. RoleLastUsed is kept by AWS for 400 days
 * (docs/aws-behaviour.md §2 "GetRole / ListRoles"); moto never sets its Region (§7.1).
 */
import { type IAMClient, paginateGetAccountAuthorizationDetails, type RoleDetail } from '@aws-sdk/client-iam';
import { accountOfIamArn } from '../../arn.ts';
import type { Principal } from '../../model/inventory.ts';
import { tagsToRecord } from './tags.ts';

export const AUTHORIZATION_DETAILS_PERMISSIONS = ['iam:GetAccountAuthorizationDetails'] as const;

export interface AuthorizationDetails {
  roles: Principal[];
  /** Tags of every user, by user ARN (users without tags map to `{}`). */
  userTags: Map<string, Record<string, string>>;
}

export function roleToPrincipal(role: RoleDetail): Principal | null {
  const accountId = role.Arn ? accountOfIamArn(role.Arn) : undefined;
  if (!role.Arn || !role.RoleName || !role.CreateDate || !accountId) return null;
  const lastUsed = role.RoleLastUsed?.LastUsedDate?.getTime() ?? null;
  return {
    accountId,
    type: 'role',
    name: role.RoleName,
    arn: role.Arn,
    createdAt: role.CreateDate.getTime(),
    password: null,
    accessKeys: [],
    signingCertificates: [],
    role: {
      lastUsed,
      ...(lastUsed !== null ? { lastUsedRegion: role.RoleLastUsed?.Region ?? null } : {}),
      path: role.Path ?? '/',
    },
    tags: tagsToRecord(role.Tags),
  };
}

export async function collectAuthorizationDetails(iam: IAMClient): Promise<AuthorizationDetails> {
  const roles: Principal[] = [];
  const userTags = new Map<string, Record<string, string>>();
  const pages = paginateGetAccountAuthorizationDetails(
    { client: iam, pageSize: 1000 },
    { Filter: ['User', 'Role'] },
  );
  for await (const page of pages) {
    for (const user of page.UserDetailList ?? []) {
      if (user.Arn) userTags.set(user.Arn, tagsToRecord(user.Tags));
    }
    for (const role of page.RoleDetailList ?? []) {
      const principal = roleToPrincipal(role);
      if (principal) roles.push(principal);
    }
  }
  return { roles, userTags };
}
