/**
 * A role's live state for the role actions: the whole role record (journalled before acting, so
 * delete-role's undo can recreate it), Quarantined when credsweep's quarantine policy is on it, its
 * last use (RoleLastUsed) and RoleId. The "never" cases every role action shares are here too.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { accountOfIamArn } from '../../arn.ts';
import { callerSkip } from '../caller.ts';
import {
  QUARANTINE_NAME_TAKEN,
  QUARANTINE_PLAN_TAG,
  QUARANTINE_POLICY_NAME,
  quarantineStatusOf,
} from '../quarantine-policy.ts';
import {
  ROLE_RECORD_READ_PERMISSIONS,
  captureRoleRecord,
  getRole,
  trustedServices,
  trustPolicyReadable,
} from '../role-record.ts';
import { type CredentialState, type EligibilityContext, type Ineligible, isoOrNull } from './action.ts';

export const READ_ROLE_PERMISSIONS = ROLE_RECORD_READ_PERMISSIONS;
export { NOT_QUARANTINED, QUARANTINED, QUARANTINE_NAME_TAKEN } from '../quarantine-policy.ts';
const SERVICE_LINKED_PATH = '/aws-service-role/';

export async function readRole(iam: IAMClient, roleName: string): Promise<CredentialState> {
  const record = await captureRoleRecord(iam, roleName);
  if (!record) return { exists: false, lastUsed: null };
  // GetRole again for what the record does not keep (last use, creation): cheap, and current.
  const role = await getRole(iam, roleName);
  const quarantine = record.inlinePolicies.find((p) => p.name === QUARANTINE_POLICY_NAME);
  const createdAt = isoOrNull(role?.CreateDate);
  const quarantinePlan = record.tags.find((t) => t.key === QUARANTINE_PLAN_TAG)?.value;
  return {
    exists: true,
    status: quarantineStatusOf(quarantine?.document),
    lastUsed: isoOrNull(role?.RoleLastUsed?.LastUsedDate),
    targetId: record.roleId,
    ...(createdAt ? { createdAt } : {}),
    role: record,
    ...(quarantinePlan === undefined ? {} : { quarantinePlan }),
  };
}

/**
 * A principal whose CredsweepQuarantine name is taken by a policy credsweep did not write: never
 * quarantined (the quarantine actions' never case, judged before what the plan expected, so the
 * skip says why rather than "status is NameTaken").
 */
export function quarantineNameTaken(state: CredentialState): Ineligible | null {
  return state.status === QUARANTINE_NAME_TAKEN
    ? {
        reason: 'changed_since_plan',
        detail: `it has an inline policy named ${QUARANTINE_POLICY_NAME} that is not credsweep's deny-all: left as it is (credsweep would write over it; rename that policy to let credsweep quarantine)`,
      }
    : null;
}

/**
 * Never a service-linked role, a service's role (unless --include-service-roles), a role whose trust
 * policy cannot be read, or credsweep's own role.
 */
export function roleNeverCases(state: CredentialState, ctx: EligibilityContext): Ineligible | null {
  const record = state.role;
  if (!record) return { reason: 'changed_since_plan', detail: 'the role no longer exists' };
  if (record.path.startsWith(SERVICE_LINKED_PATH)) {
    return { reason: 'service_linked', detail: 'a service-linked role is managed by its AWS service' };
  }
  // Unreadable, it may name a service (or anyone): whether the role is a service's cannot be told.
  if (!trustPolicyReadable(record.trustPolicy)) {
    return {
      reason: 'changed_since_plan',
      detail:
        'its trust policy is not JSON credsweep can read, so whether an AWS service assumes it cannot be told: left as it is',
    };
  }
  const services = trustedServices(record.trustPolicy);
  if (services.length > 0 && !ctx.includeServiceRoles) {
    return {
      reason: 'service_role',
      detail: `its trust policy names ${services.join(', ')} (--include-service-roles at plan and at apply to include it)`,
    };
  }
  // The live record's name and account, never the step's.
  const account = accountOfIamArn(record.arn) ?? '';
  return callerSkip({ accountId: account, type: 'role', name: record.roleName }, ctx);
}
