/**
 * Everything needed to recreate an IAM role, captured before credsweep deletes it and journalled, so
 * `undo` can bring the role back (docs/aws-behaviour.md §11 "What a role consists of"): path, name,
 * description, max session duration, trust policy, inline policy documents, attached managed policy
 * ARNs, permissions boundary, tags and the instance profiles it belonged to. Policy documents come
 * back from IAM URL-encoded; the record holds them decoded (JSON text as written).
 *
 * A recreated role gets a new RoleId: resource policies that named the old role by ARN now show the
 * old unique id and must be edited by hand (docs/aws-behaviour.md §11). Nothing here can restore that.
 *
 * Every step is written to converge when re-run after a fault (a throttled or reset request that did
 * reach IAM): "already exists", "already attached" and "already gone" count as done.
 */
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  type Role,
  paginateListAttachedRolePolicies,
  paginateListInstanceProfilesForRole,
  paginateListRolePolicies,
  paginateListRoleTags,
  PutRolePolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
} from '@aws-sdk/client-iam';

export { type RoleRecord, roleRecordSchema } from '../model/role-record.ts';
import type { RoleRecord } from '../model/role-record.ts';

/** What captureRoleRecord calls. */
export const ROLE_RECORD_READ_PERMISSIONS = [
  'iam:GetRole',
  'iam:ListRolePolicies',
  'iam:GetRolePolicy',
  'iam:ListAttachedRolePolicies',
  'iam:ListInstanceProfilesForRole',
  'iam:ListRoleTags',
] as const;
/** What deleteRoleAndAttachments calls (after the reads). */
export const ROLE_DELETE_PERMISSIONS = [
  'iam:RemoveRoleFromInstanceProfile',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:DeleteRole',
] as const;
/** What recreateRole calls. */
export const ROLE_RECREATE_PERMISSIONS = [
  'iam:GetRole',
  'iam:CreateRole',
  'iam:TagRole',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:AttachRolePolicy',
  'iam:AddRoleToInstanceProfile',
  // Putting a role into an instance profile passes it (IAM-UG id_roles_use_switch-role-ec2_instance-profiles).
  'iam:PassRole',
  'iam:ListInstanceProfilesForRole',
] as const;

/** IAM's URL-encoded policy text, decoded; text that is not URL-encoded is returned as it is. */
export function decodePolicyDocument(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function errorName(e: unknown): string | undefined {
  return (e as { name?: string })?.name;
}
const isNoSuchEntity = (e: unknown) => ['NoSuchEntityException', 'NoSuchEntity'].includes(errorName(e) ?? '');
const isAlreadyExists = (e: unknown) =>
  ['EntityAlreadyExistsException', 'EntityAlreadyExists'].includes(errorName(e) ?? '');

/** GetRole, or undefined when there is no such role. */
export async function getRole(iam: IAMClient, roleName: string): Promise<Role | undefined> {
  try {
    return (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
  } catch (e) {
    if (isNoSuchEntity(e)) return undefined;
    throw e;
  }
}

/** The role as IAM has it now, or null when there is no such role. */
export async function captureRoleRecord(iam: IAMClient, roleName: string): Promise<RoleRecord | null> {
  const role = await getRole(iam, roleName);
  if (!role?.RoleName || !role.RoleId || !role.Arn) return null;
  const inlinePolicies: RoleRecord['inlinePolicies'] = [];
  for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: roleName })) {
    for (const name of page.PolicyNames ?? []) {
      const got = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
      inlinePolicies.push({ name, document: decodePolicyDocument(got.PolicyDocument ?? '') });
    }
  }
  const attachedPolicyArns: string[] = [];
  for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName: roleName })) {
    for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) attachedPolicyArns.push(p.PolicyArn);
  }
  const tags: RoleRecord['tags'] = [];
  for await (const page of paginateListRoleTags({ client: iam }, { RoleName: roleName })) {
    for (const t of page.Tags ?? []) if (t.Key !== undefined) tags.push({ key: t.Key, value: t.Value ?? '' });
  }
  const instanceProfiles = await listInstanceProfiles(iam, roleName);
  return {
    roleName: role.RoleName,
    path: role.Path ?? '/',
    roleId: role.RoleId,
    arn: role.Arn,
    ...(role.Description !== undefined ? { description: role.Description } : {}),
    ...(role.MaxSessionDuration !== undefined ? { maxSessionDuration: role.MaxSessionDuration } : {}),
    trustPolicy: decodePolicyDocument(role.AssumeRolePolicyDocument ?? ''),
    inlinePolicies: inlinePolicies.sort((a, b) => a.name.localeCompare(b.name)),
    attachedPolicyArns: attachedPolicyArns.sort(),
    permissionsBoundaryArn: role.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
    tags: tags.sort((a, b) => a.key.localeCompare(b.key)),
    instanceProfiles,
  };
}

async function listInstanceProfiles(
  iam: IAMClient,
  roleName: string,
): Promise<RoleRecord['instanceProfiles']> {
  const profiles: RoleRecord['instanceProfiles'] = [];
  for await (const page of paginateListInstanceProfilesForRole({ client: iam }, { RoleName: roleName })) {
    for (const p of page.InstanceProfiles ?? []) {
      if (p.InstanceProfileName && p.Arn) profiles.push({ name: p.InstanceProfileName, arn: p.Arn });
    }
  }
  return profiles.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Deletes the role: first out of its instance profiles (the profiles themselves stay), its inline
 * policies deleted and its managed policies detached (DeleteRole refuses with DeleteConflict while any
 * remain), then the role. Takes the record captured right before, so nothing is deleted that is not
 * in the journal.
 */
export async function deleteRoleAndAttachments(
  iam: IAMClient,
  record: RoleRecord,
  options: { lastInlinePolicy?: string } = {},
): Promise<void> {
  const RoleName = record.roleName;
  const gone = async (call: () => Promise<unknown>) => {
    try {
      await call();
    } catch (e) {
      if (!isNoSuchEntity(e)) throw e;
    }
  };
  for (const p of record.instanceProfiles) {
    await gone(() =>
      iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: p.name, RoleName })),
    );
  }
  // `lastInlinePolicy` (the quarantine) goes last: a deletion that fails part-way leaves the role
  // quarantined, so a retry still finds it eligible and it is never left open.
  const inline = [...record.inlinePolicies].sort(
    (a, b) => Number(a.name === options.lastInlinePolicy) - Number(b.name === options.lastInlinePolicy),
  );
  for (const arn of record.attachedPolicyArns) {
    await gone(() => iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: arn })));
  }
  for (const p of inline) {
    await gone(() => iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: p.name })));
  }
  await gone(() => iam.send(new DeleteRoleCommand({ RoleName })));
}

/** A role with nothing in it: no inline or managed policy, in no instance profile. */
export function isBareRole(role: RoleRecord): boolean {
  return (
    role.inlinePolicies.length === 0 &&
    role.attachedPolicyArns.length === 0 &&
    role.instanceProfiles.length === 0
  );
}

/**
 * True when `live` is `record` with only some of its parts taken away: the same RoleId (when `sameId`),
 * path, trust policy and permissions boundary, and no inline policy (by name and document), managed policy or instance
 * profile that the record lacks. What a deletion or a recreation that stopped part-way leaves; a role
 * changed by anyone since (a policy added or edited, another role of the same name) is not.
 */
export function withinRecord(live: RoleRecord, record: RoleRecord, options: { sameId: boolean }): boolean {
  if (options.sameId && live.roleId !== record.roleId) return false;
  if (live.path !== record.path || live.trustPolicy !== record.trustPolicy) return false;
  // A boundary removed (or another set) since is a change, not a part taken away.
  if (live.permissionsBoundaryArn !== record.permissionsBoundaryArn) return false;
  const documents = new Map(record.inlinePolicies.map((p) => [p.name, p.document]));
  const attached = new Set(record.attachedPolicyArns);
  const profiles = new Set(record.instanceProfiles.map((p) => p.name));
  return (
    live.inlinePolicies.every((p) => documents.get(p.name) === p.document) &&
    live.attachedPolicyArns.every((arn) => attached.has(arn)) &&
    live.instanceProfiles.every((p) => profiles.has(p.name))
  );
}

export interface RecreatedRole {
  /** The new role's unique id (never the old one). */
  roleId: string;
  /** Instance profiles of the record that no longer exist: the role could not be put back in them. */
  missingInstanceProfiles: string[];
}

/**
 * Creates the role again from its record: same path, name, description, session duration, trust
 * policy, boundary and tags; then its inline policies, managed policies and instance profiles.
 * `skipInlinePolicy` leaves out an inline policy by name (the quarantine policy, which its own undo
 * removes).
 */
export async function recreateRole(
  iam: IAMClient,
  record: RoleRecord,
  options: {
    skipInlinePolicy?: (name: string) => boolean;
    /** The RoleId of the role created (or found, on a re-run), before anything is put into it. */
    onCreated?: (roleId: string) => void;
    /** A re-run of an undo that created this role (this RoleId) already. */
    created?: string;
  } = {},
): Promise<RecreatedRole> {
  const RoleName = record.roleName;
  let roleId = options.created;
  if (roleId === undefined) roleId = await createRole(iam, record);
  else {
    const live = await getRole(iam, RoleName);
    if (live?.RoleId !== roleId) throw new RoleTakenError(RoleName, live?.RoleId);
  }
  options.onCreated?.(roleId);
  for (const p of record.inlinePolicies) {
    if (options.skipInlinePolicy?.(p.name)) continue;
    await iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: p.name, PolicyDocument: p.document }));
  }
  for (const arn of record.attachedPolicyArns) {
    await iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: arn }));
  }
  const already = new Set((await listInstanceProfiles(iam, RoleName)).map((p) => p.name));
  const missingInstanceProfiles: string[] = [];
  for (const p of record.instanceProfiles) {
    if (already.has(p.name)) continue;
    try {
      await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: p.name, RoleName }));
    } catch (e) {
      if (isNoSuchEntity(e)) {
        missingInstanceProfiles.push(p.name);
        continue;
      }
      // A profile holds one role: a retried call whose first attempt went through says LimitExceeded.
      const now = await listInstanceProfiles(iam, RoleName);
      if (!now.some((q) => q.name === p.name)) throw e;
    }
  }
  return { roleId, missingInstanceProfiles };
}

/**
 * CreateRole from the record; its RoleId. "Already exists" is a retried CreateRole whose first attempt
 * reached IAM only while the role there is the record's bare beginnings (its path, trust policy and
 * boundary, nothing in it at all): a role someone else made under the name meanwhile is refused,
 * never written into.
 */
async function createRole(iam: IAMClient, record: RoleRecord): Promise<string> {
  const RoleName = record.roleName;
  try {
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName,
        Path: record.path,
        AssumeRolePolicyDocument: record.trustPolicy,
        ...(record.description !== undefined ? { Description: record.description } : {}),
        ...(record.maxSessionDuration !== undefined ? { MaxSessionDuration: record.maxSessionDuration } : {}),
        ...(record.permissionsBoundaryArn ? { PermissionsBoundary: record.permissionsBoundaryArn } : {}),
        ...(record.tags.length > 0 ? { Tags: record.tags.map((t) => ({ Key: t.key, Value: t.value })) } : {}),
      }),
    );
    if (created.Role?.RoleId) return created.Role.RoleId;
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
  // Its own first attempt made the role and nothing else (the policies come after this returns).
  const live = await captureRoleRecord(iam, RoleName);
  if (!live || !isBareRole(live) || !withinRecord(live, record, { sameId: false })) {
    throw new RoleTakenError(RoleName, live?.roleId);
  }
  return live.roleId;
}

/** Undo found a role of the name that it did not create: left alone. */
export class RoleTakenError extends Error {
  override readonly name = 'RoleTaken';
  constructor(roleName: string, roleId: string | undefined) {
    super(
      `a role named ${roleName} was created by someone else meanwhile${roleId ? ` (RoleId ${roleId})` : ''}: left as it is, nothing recreated`,
    );
  }
}

/** A trust policy's statements (one or a list); null when the policy is not JSON. */
function trustStatements(trustPolicy: string): unknown[] | null {
  let doc: unknown;
  try {
    doc = JSON.parse(trustPolicy);
  } catch {
    return null;
  }
  const statements = (doc as { Statement?: unknown })?.Statement;
  return Array.isArray(statements) ? statements : statements ? [statements] : [];
}

/** A string or a list of them (IAM's policy grammar), as a list; anything else is no name. */
function names(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/** False when the trust policy is not JSON: which services (or anyone) it admits cannot be told. */
export function trustPolicyReadable(trustPolicy: string): boolean {
  return trustStatements(trustPolicy) !== null;
}

/** The AWS service principals a trust policy names (`Principal.Service`), e.g. `lambda.amazonaws.com`. */
export function trustedServices(trustPolicy: string): string[] {
  const services = new Set<string>();
  for (const s of trustStatements(trustPolicy) ?? []) {
    const service = (s as { Principal?: { Service?: unknown } })?.Principal?.Service;
    for (const name of service ? names(service) : []) services.add(name);
  }
  return [...services].sort();
}

/**
 * Every principal a trust policy's Allow statements name (`Principal`: AWS accounts and roles,
 * services, federated providers; `*` for anyone), for a person to check before a role is recreated.
 * NotPrincipal and conditions are not read: this is what it names, not whom it admits.
 */
export function trustedPrincipals(trustPolicy: string): string[] {
  const statements = trustStatements(trustPolicy);
  if (statements === null) return ['(the trust policy is not JSON)'];
  const principals = new Set<string>();
  for (const s of statements) {
    const statement = s as { Effect?: unknown; Principal?: unknown };
    if (statement?.Effect !== 'Allow') continue;
    const principal = statement.Principal;
    const values = principal && typeof principal === 'object' ? Object.values(principal) : [principal];
    for (const value of values) for (const name of names(value)) principals.add(name);
  }
  return [...principals].sort();
}
