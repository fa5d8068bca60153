/**
 * The IAM reads restrict-permissions needs, at plan and at apply time: a user's or role's current
 * permissions boundary (GetUser / GetRole), a managed policy's default document (GetPolicy,
 * GetPolicyVersion) and who has a managed policy attached, as permissions policy or as boundary
 * (ListEntitiesForPolicy without a usage filter counts both, docs/aws-behaviour.md §11).
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserCommand,
  type IAMClient,
  paginateListEntitiesForPolicy,
} from '@aws-sdk/client-iam';
import { isNoSuchEntity } from './actions/action.ts';
import { decodePolicyDocument } from './role-record.ts';

export const BOUNDARY_READ_PERMISSIONS = [
  'iam:GetUser',
  'iam:GetRole',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
] as const;

export interface BoundaryPrincipal {
  type: 'user' | 'role';
  name: string;
}

export interface LiveBoundaryPrincipal {
  /** UserId / RoleId. */
  id: string;
  arn: string;
  path: string;
  createdAt: number;
  /** The boundary's policy ARN, null when it has none. */
  boundaryArn: string | null;
}

/** The principal and its boundary; null when IAM has no such user or role. */
export async function readBoundaryPrincipal(
  iam: IAMClient,
  p: BoundaryPrincipal,
): Promise<LiveBoundaryPrincipal | null> {
  try {
    const got =
      p.type === 'user'
        ? (await iam.send(new GetUserCommand({ UserName: p.name }))).User
        : (await iam.send(new GetRoleCommand({ RoleName: p.name }))).Role;
    if (!got) return null;
    const id = 'UserId' in got ? got.UserId : 'RoleId' in got ? got.RoleId : undefined;
    return {
      id: id ?? '',
      arn: got.Arn ?? '',
      path: got.Path ?? '/',
      createdAt: got.CreateDate?.getTime() ?? 0,
      boundaryArn: got.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
    };
  } catch (e) {
    if (isNoSuchEntity(e)) return null;
    throw e;
  }
}

export interface ManagedPolicy {
  document: string;
  description: string | undefined;
}

/** A managed policy's default version (decoded JSON text) and description; null when it does not exist. */
export async function readManagedPolicy(iam: IAMClient, arn: string): Promise<ManagedPolicy | null> {
  let versionId: string | undefined;
  let description: string | undefined;
  try {
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
    versionId = policy?.DefaultVersionId;
    description = policy?.Description;
  } catch (e) {
    if (isNoSuchEntity(e)) return null;
    throw e;
  }
  if (!versionId) return null;
  const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }));
  return { document: decodePolicyDocument(version.PolicyVersion?.Document ?? ''), description };
}

/** How many users, roles and groups have the policy attached (as permissions policy or boundary). */
export async function countPolicyEntities(iam: IAMClient, arn: string): Promise<number> {
  let count = 0;
  for await (const page of paginateListEntitiesForPolicy({ client: iam }, { PolicyArn: arn })) {
    count +=
      (page.PolicyUsers?.length ?? 0) + (page.PolicyRoles?.length ?? 0) + (page.PolicyGroups?.length ?? 0);
  }
  return count;
}

/** Two policy documents alike as JSON (whitespace and key order as IAM returns them aside). */
export function sameDocument(a: string, b: string): boolean {
  try {
    return canonical(JSON.parse(a)) === canonical(JSON.parse(b));
  } catch {
    return false;
  }
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
