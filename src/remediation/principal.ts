/**
 * A principal as IAM has it now: its ARN and tags. `plan` reads the tags of every principal it would
 * plan (the credential report has none), `apply` reads them again right before each step, so an
 * exempt tag added after the audit still wins. Roles too, for the role actions to come.
 */
import {
  GetRoleCommand,
  GetUserCommand,
  type IAMClient,
  paginateListRoleTags,
  paginateListUserTags,
} from '@aws-sdk/client-iam';
import type { PlanStep } from '../model/remediation-plan.ts';
import { isNoSuchEntity } from './actions/action.ts';

export const USER_PRINCIPAL_PERMISSIONS = ['iam:GetUser', 'iam:ListUserTags'] as const;
export const ROLE_PRINCIPAL_PERMISSIONS = ['iam:GetRole', 'iam:ListRoleTags'] as const;

export type Tags = Record<string, string>;

export interface LivePrincipal {
  exists: boolean;
  arn?: string;
  tags: Tags;
}

type PrincipalRef = Pick<PlanStep, 'principalType' | 'principalName' | 'accountId' | 'arn'>;

/** The principal's tags (ListUserTags / ListRoleTags); root has none. */
export async function readPrincipalTags(iam: IAMClient, p: PrincipalRef): Promise<Tags> {
  const tags: Tags = {};
  if (p.principalType === 'user') {
    for await (const page of paginateListUserTags({ client: iam }, { UserName: p.principalName })) {
      for (const t of page.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
    }
  } else if (p.principalType === 'role') {
    for await (const page of paginateListRoleTags({ client: iam }, { RoleName: p.principalName })) {
      for (const t of page.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
    }
  }
  return tags;
}

/** The principal's live ARN and tags; `exists: false` when IAM has no such principal. */
export async function readPrincipal(
  iamOf: () => Promise<IAMClient>,
  p: PrincipalRef,
): Promise<LivePrincipal> {
  if (p.principalType === 'root') {
    // The root user has no tags and one ARN per account; its partition is the step's.
    const partition = /^arn:(aws[\w-]*):/.exec(p.arn)?.[1] ?? 'aws';
    return { exists: true, arn: `arn:${partition}:iam::${p.accountId}:root`, tags: {} };
  }
  const iam = await iamOf();
  try {
    const arn =
      p.principalType === 'user'
        ? (await iam.send(new GetUserCommand({ UserName: p.principalName }))).User?.Arn
        : (await iam.send(new GetRoleCommand({ RoleName: p.principalName }))).Role?.Arn;
    return { exists: true, ...(arn ? { arn } : {}), tags: await readPrincipalTags(iam, p) };
  } catch (e) {
    if (isNoSuchEntity(e)) return { exists: false, tags: {} };
    throw e;
  }
}
