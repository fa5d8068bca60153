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
  type Tag,
} from '@aws-sdk/client-iam';
import type { PlanStep } from '../model/remediation-plan.ts';
import { ROOT_USER } from '../sources/credential-report/to-inventory.ts';
import { tagsToRecord } from '../sources/iam-api/tags.ts';
import { isNoSuchEntity } from './actions/action.ts';

export const USER_PRINCIPAL_PERMISSIONS = ['iam:GetUser', 'iam:ListUserTags'] as const;
export const ROLE_PRINCIPAL_PERMISSIONS = ['iam:GetRole', 'iam:ListRoleTags'] as const;

export type Tags = Record<string, string>;

export interface LivePrincipal {
  exists: boolean;
  arn?: string;
  /** The name as IAM has it (the root user's is `<root_account>`): what exemptions are matched by. */
  name?: string;
  tags: Tags;
}

type PrincipalRef = Pick<PlanStep, 'principalType' | 'principalName' | 'accountId' | 'arn'>;

/** The principal's tags (ListUserTags / ListRoleTags); root has none. */
export async function readPrincipalTags(iam: IAMClient, p: PrincipalRef): Promise<Tags> {
  const tags: Tag[] = [];
  if (p.principalType === 'user') {
    for await (const page of paginateListUserTags({ client: iam }, { UserName: p.principalName })) {
      tags.push(...(page.Tags ?? []));
    }
  } else if (p.principalType === 'role') {
    for await (const page of paginateListRoleTags({ client: iam }, { RoleName: p.principalName })) {
      tags.push(...(page.Tags ?? []));
    }
  }
  return tagsToRecord(tags);
}

/**
 * The principal's live ARN, name and tags; `exists: false` when IAM has no such principal.
 * `partition`: the one credsweep works in (its caller's ARN), where the root user's ARN is.
 */
export async function readPrincipal(
  iamOf: () => Promise<IAMClient>,
  p: PrincipalRef,
  partition: string,
): Promise<LivePrincipal> {
  if (p.principalType === 'root') {
    // The root user has no tags, one name and one ARN per account, in the partition credsweep works
    // in: never the step's, which a forged plan could write in another partition or under another
    // name, past an exemption by ARN (arn:aws:iam::*:root) or by name (<root_account>).
    return { exists: true, arn: `arn:${partition}:iam::${p.accountId}:root`, name: ROOT_USER, tags: {} };
  }
  const iam = await iamOf();
  try {
    let arn: string | undefined;
    let name: string | undefined;
    if (p.principalType === 'user') {
      const user = (await iam.send(new GetUserCommand({ UserName: p.principalName }))).User;
      [arn, name] = [user?.Arn, user?.UserName];
    } else {
      const role = (await iam.send(new GetRoleCommand({ RoleName: p.principalName }))).Role;
      [arn, name] = [role?.Arn, role?.RoleName];
    }
    return {
      exists: true,
      ...(arn ? { arn } : {}),
      ...(name ? { name } : {}),
      tags: await readPrincipalTags(iam, p),
    };
  } catch (e) {
    if (isNoSuchEntity(e)) return { exists: false, tags: {} };
    throw e;
  }
}
