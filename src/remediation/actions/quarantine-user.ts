import { GetUserCommand, GetUserPolicyCommand, type User } from '@aws-sdk/client-iam';
import { USER_CREDENTIAL_KINDS } from '../../model/finding.ts';
import { tagValueOf } from '../../rules/index.ts';
import type { ThresholdKind } from '../../rules/rule.ts';
import { parseIsoDateTime, wholeDaysBetween } from '../../time.ts';
import { principalOfIamArn } from '../../arn.ts';
import { callerSkip } from '../caller.ts';
import { readPrincipalTags } from '../principal.ts';
import { QUARANTINE_PLAN_TAG, QUARANTINE_POLICY_NAME, quarantineStatusOf } from '../quarantine-policy.ts';
import { decodePolicyDocument } from '../role-record.ts';
import {
  type CredentialState,
  type EligibilityContext,
  type Ineligible,
  type RemediationAction,
  isNoSuchEntity,
  missing,
  wrongStatus,
} from './action.ts';
import { quarantineLifecycle } from './quarantine-calls.ts';
import { READ_USER_ACTIVITY_PERMISSIONS, readUserActivity } from './read-user-activity.ts';
import { NOT_QUARANTINED, quarantineNameTaken } from './read-role.ts';

/**
 * Quarantines a user none of whose credentials is in use (reversible): the same inline deny-all
 * policy as quarantine-role, and the same tags, so a forgotten password or a key not yet found cannot
 * be used. The reversible answer to an unused console password (delete-login-profile stays the
 * irreversible one). Undo deletes the policy and the tags while the user is still the one quarantined.
 * apply re-checks every Active credential of the user by its kind's threshold (read-user-activity.ts:
 * last use, or creation when later, so a credential added since the plan counts; service-specific
 * credentials by their creation, as IAM records no use of them). Never the user
 * credsweep calls AWS as (caller_user).
 */
export const quarantineUser: RemediationAction = {
  id: 'quarantine-user',
  reversible: true,
  principalTypes: ['user'],
  credentials: ['none', 'password'],
  judgedBy: ['password', 'access_key', 'ssh_public_key', 'service_specific_credential', 'default'],
  locksOut: ['none', ...USER_CREDENTIAL_KINDS],
  permissions: [
    'iam:GetUser',
    'iam:GetUserPolicy',
    'iam:ListUserTags',
    ...READ_USER_ACTIVITY_PERMISSIONS,
    'iam:PutUserPolicy',
    'iam:TagUser',
  ],
  undoPermissions: [
    'iam:GetUser',
    'iam:GetUserPolicy',
    'iam:ListUserTags',
    ...READ_USER_ACTIVITY_PERMISSIONS,
    'iam:DeleteUserPolicy',
    'iam:UntagUser',
  ],
  async readState(clients, step, ctx) {
    const iam = await clients.iam(step.accountId);
    let user: User | undefined;
    try {
      user = (await iam.send(new GetUserCommand({ UserName: step.principalName }))).User;
    } catch (e) {
      if (isNoSuchEntity(e)) return { exists: false, lastUsed: null };
      throw e;
    }
    let quarantine: string | undefined;
    try {
      const got = await iam.send(
        new GetUserPolicyCommand({ UserName: step.principalName, PolicyName: QUARANTINE_POLICY_NAME }),
      );
      quarantine = decodePolicyDocument(got.PolicyDocument ?? '');
    } catch (e) {
      if (!isNoSuchEntity(e)) throw e;
    }
    const read = await readUserActivity(iam, step.principalName, user ?? {}, ctx.now);
    const quarantinePlan = tagValueOf(await readPrincipalTags(iam, step), QUARANTINE_PLAN_TAG);
    const state: CredentialState = {
      exists: true,
      status: quarantineStatusOf(quarantine),
      lastUsed: read.lastUsed,
      ...(user?.UserId ? { targetId: user.UserId } : {}),
      ...(user?.Arn ? { arn: user.Arn } : {}),
      ...(read.createdAt ? { createdAt: read.createdAt } : {}),
      activity: read.activity,
      ...(quarantinePlan === undefined ? {} : { quarantinePlan }),
    };
    return state;
  },
  never: (state, ctx) => (state.exists ? (callerUser(state, ctx) ?? quarantineNameTaken(state)) : null),
  eligibility: (state, ctx) =>
    missing(state, 'the user') ??
    quarantineNameTaken(state) ??
    wrongStatus(state, NOT_QUARANTINED, 'the user') ??
    callerUser(state, ctx) ??
    inUse(state, ctx),
  ...quarantineLifecycle('user'),
};

/** Each credential the user could still use, judged by its kind's threshold now. */
export function inUse(state: CredentialState, ctx: EligibilityContext): Ineligible | null {
  for (const a of state.activity ?? []) {
    const at = parseIsoDateTime(a.at);
    // A ThresholdKind as written by read-user-activity.ts (the journal keeps it as text).
    const threshold = ctx.thresholdDays(a.kind as ThresholdKind | undefined);
    // Nothing to judge by (no date from AWS, or a status this version does not know): it may be in use.
    if (at === null && a.at === '')
      return { reason: 'changed_since_plan', detail: `the user's ${a.what}, so it may be in use` };
    if (at === null) return { reason: 'changed_since_plan', detail: `the user's ${a.what}: date unreadable` };
    const days = wholeDaysBetween(at, ctx.now);
    if (days < threshold) {
      return {
        reason: 'changed_since_plan',
        detail: `the user's ${a.what} ${days} days ago: not unused now (threshold ${threshold})`,
      };
    }
  }
  return null;
}

/**
 * The IAM user credsweep signs as, by its live ARN: never locked out by its own run. A user without an
 * IAM user ARN cannot be told apart from it, and is left as it is too.
 */
function callerUser(state: CredentialState, ctx: EligibilityContext): Ineligible | null {
  const live = state.arn === undefined ? undefined : principalOfIamArn(state.arn);
  if (live?.type !== 'user') {
    return {
      reason: 'principal_mismatch',
      detail: `IAM gave ${state.arn === undefined ? 'no ARN' : `the ARN ${state.arn}`} for the user, so whether it is the user credsweep calls AWS as cannot be told: left as it is`,
    };
  }
  return callerSkip(live, ctx);
}
