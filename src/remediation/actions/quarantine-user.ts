import {
  DeleteUserPolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  type IAMClient,
  PutUserPolicyCommand,
  paginateListSigningCertificates,
  paginateListSSHPublicKeys,
  TagUserCommand,
  UntagUserCommand,
  type User,
} from '@aws-sdk/client-iam';
import { parseIsoDateTime } from '../../time.ts';
import {
  QUARANTINE_POLICY_NAME,
  QUARANTINE_TAG_KEYS,
  isQuarantineDocument,
  quarantinePolicyDocument,
  quarantineTags,
} from '../quarantine-policy.ts';
import { decodePolicyDocument } from '../role-record.ts';
import {
  type CredentialState,
  type EligibilityContext,
  type Ineligible,
  type RemediationAction,
  isNoSuchEntity,
  isoOrNull,
  missing,
  unusedForThreshold,
  wrongStatus,
} from './action.ts';
import { READ_ACCESS_KEY_PERMISSIONS, readAccessKey, listAccessKeys } from './read-access-key.ts';
import { NOT_QUARANTINED, QUARANTINED } from './read-role.ts';

/**
 * Quarantines a user none of whose credentials is in use (reversible): the same inline deny-all
 * policy as quarantine-role, and the same tags, so a forgotten password or a key not yet found cannot
 * be used. The reversible answer to an unused console password (delete-login-profile stays the
 * irreversible one). Undo deletes the policy and the tags while the user is still the one quarantined.
 * The user's last activity is its latest password or access-key use, or the creation of its newest
 * access key, SSH key or signing certificate (else of the user) when that is later: a credential added
 * since the plan is a user about to be used. Never the user credsweep calls AWS as (caller_user).
 */
export const quarantineUser: RemediationAction = {
  id: 'quarantine-user',
  reversible: true,
  principalTypes: ['user'],
  credentials: ['none', 'password'],
  locksOut: [
    'none',
    'password',
    'access_key_1',
    'access_key_2',
    'cert_1',
    'cert_2',
    'ssh_public_key',
    'service_specific_credential',
  ],
  permissions: [
    'iam:GetUser',
    'iam:GetUserPolicy',
    ...READ_ACCESS_KEY_PERMISSIONS,
    'iam:ListSSHPublicKeys',
    'iam:ListSigningCertificates',
    'iam:PutUserPolicy',
    'iam:TagUser',
  ],
  undoPermissions: [
    'iam:GetUser',
    'iam:GetUserPolicy',
    ...READ_ACCESS_KEY_PERMISSIONS,
    'iam:ListSSHPublicKeys',
    'iam:ListSigningCertificates',
    'iam:DeleteUserPolicy',
    'iam:UntagUser',
  ],
  async readState(clients, step) {
    const iam = await clients.iam(step.accountId);
    let user: User | undefined;
    try {
      user = (await iam.send(new GetUserCommand({ UserName: step.principalName }))).User;
    } catch (e) {
      if (isNoSuchEntity(e)) return { exists: false, lastUsed: null };
      throw e;
    }
    let quarantined = false;
    try {
      const got = await iam.send(
        new GetUserPolicyCommand({ UserName: step.principalName, PolicyName: QUARANTINE_POLICY_NAME }),
      );
      quarantined = isQuarantineDocument(decodePolicyDocument(got.PolicyDocument ?? ''));
    } catch (e) {
      if (!isNoSuchEntity(e)) throw e;
    }
    const uses = [isoOrNull(user?.PasswordLastUsed)];
    const created = [isoOrNull(user?.CreateDate)];
    for (const key of await listAccessKeys(iam, step.principalName)) {
      uses.push((await readAccessKey(iam, step.principalName, key.accessKeyId)).lastUsed);
      created.push(key.createdAt);
    }
    created.push(...(await uploadDates(iam, step.principalName)));
    const createdAt = latestOf(created);
    const state: CredentialState = {
      exists: true,
      status: quarantined ? QUARANTINED : NOT_QUARANTINED,
      lastUsed: latestOf(uses),
      ...(user?.UserId ? { targetId: user.UserId } : {}),
      ...(user?.Arn ? { arn: user.Arn } : {}),
      ...(createdAt ? { createdAt } : {}),
    };
    return state;
  },
  eligibility: (state, ctx) =>
    missing(state, 'the user') ??
    wrongStatus(state, NOT_QUARANTINED, 'the user') ??
    callerUser(state, ctx) ??
    unusedForThreshold(latestActivity(state), ctx, undefined, "the user's latest credential"),
  async act(clients, step, _before, ctx) {
    const iam = await clients.iam(step.accountId);
    await iam.send(
      new PutUserPolicyCommand({
        UserName: step.principalName,
        PolicyName: QUARANTINE_POLICY_NAME,
        PolicyDocument: quarantinePolicyDocument(ctx.now),
      }),
    );
    await iam.send(
      new TagUserCommand({ UserName: step.principalName, Tags: quarantineTags(ctx.now, ctx.planDigest) }),
    );
  },
  isDone: (state) => state.exists && state.status === QUARANTINED,
  async undo(clients, step) {
    const iam = await clients.iam(step.accountId);
    await iam.send(
      new DeleteUserPolicyCommand({ UserName: step.principalName, PolicyName: QUARANTINE_POLICY_NAME }),
    );
    await iam.send(new UntagUserCommand({ UserName: step.principalName, TagKeys: [...QUARANTINE_TAG_KEYS] }));
    return undefined;
  },
  isAsLeft: (state, before) =>
    state.exists &&
    state.status === QUARANTINED &&
    before !== undefined &&
    state.targetId === before.targetId,
  isUndone: (state) => state.exists && state.status === NOT_QUARANTINED,
};

/** When the user's SSH public keys and signing certificates were uploaded (AWS records no use of them). */
async function uploadDates(iam: IAMClient, UserName: string): Promise<(string | null)[]> {
  const dates: (string | null)[] = [];
  for await (const page of paginateListSSHPublicKeys({ client: iam }, { UserName })) {
    for (const k of page.SSHPublicKeys ?? []) dates.push(isoOrNull(k.UploadDate));
  }
  for await (const page of paginateListSigningCertificates({ client: iam }, { UserName })) {
    for (const c of page.Certificates ?? []) dates.push(isoOrNull(c.UploadDate));
  }
  return dates;
}

function latestOf(dates: readonly (string | null | undefined)[]): string | null {
  return (
    dates
      .filter((d): d is string => typeof d === 'string')
      .sort((a, b) => (parseIsoDateTime(a) ?? 0) - (parseIsoDateTime(b) ?? 0))
      .at(-1) ?? null
  );
}

/** Judged by the later of the last use and the newest creation (a credential added since counts). */
function latestActivity(state: CredentialState): CredentialState {
  const used = state.lastUsed === null ? null : parseIsoDateTime(state.lastUsed);
  const created = state.createdAt === undefined ? null : parseIsoDateTime(state.createdAt);
  return used !== null && created !== null && created > used ? { ...state, lastUsed: null } : state;
}

/** The IAM user credsweep signs as: never locked out by its own run. */
function callerUser(state: CredentialState, ctx: EligibilityContext): Ineligible | null {
  return state.arn !== undefined && state.arn === ctx.callerArn
    ? { reason: 'caller_user', detail: 'credsweep is calling AWS as this user' }
    : null;
}
