/**
 * `plan --roles`, pure: what the planner does with an unused role. The roles credsweep runs as (the
 * caller's own, and the --role-name role it assumes in every other account) are never planned; the never cases the audit cannot see (a service's trust policy, a service-linked path
 * rechecked) are apply's (src/remediation/actions/read-role.ts).
 */
import type { Finding } from '../model/finding.ts';
import { type EpochMs, wholeDaysBetween } from '../time.ts';
import { callerSkip } from './caller.ts';
import type { PlanOptions } from './plan-options.ts';
import type { Decision } from './plan-decision.ts';

/**
 * Roles (`--roles`): an unused role is quarantined (reversible); one credsweep's journals show it
 * quarantined at least deleteAfterDays ago is deleted (irreversible: its record is journalled and
 * undo recreates it). Trust policies are not in the audit: apply skips a service's role live
 * (service_role) unless --include-service-roles.
 */
export function decideRole(
  f: Finding,
  o: Pick<
    PlanOptions,
    'caller' | 'memberRoleNames' | 'deactivatedAt' | 'deleteAfterDays' | 'allowIrreversible'
  >,
  asOf: EpochMs,
): Decision {
  const caller = callerSkip(
    { accountId: f.accountId, type: 'role', name: f.principalName },
    { callerArn: o.caller.arn, memberRoleNames: o.memberRoleNames ?? [] },
  );
  if (caller) return { skip: caller.reason, detail: caller.detail };
  if (f.status !== 'unused') return { skip: 'in_use', detail: f.reason };
  const since = o.deactivatedAt?.get(f.arn);
  if (since === undefined) {
    return {
      step: {
        action: 'quarantine-role',
        reversible: true,
        reason: `${f.reason}; quarantined (undo removes it)`,
      },
    };
  }
  const days = wholeDaysBetween(since, asOf);
  if (days < o.deleteAfterDays) {
    return {
      skip: 'quarantine_too_recent',
      detail: `quarantined by credsweep ${days} days ago, deleted after ${o.deleteAfterDays}`,
    };
  }
  if (!o.allowIrreversible) {
    return {
      skip: 'already_quarantined',
      detail: `quarantined by credsweep ${days} days ago; deleting a role needs --allow-irreversible`,
    };
  }
  return {
    step: {
      action: 'delete-role',
      reversible: false,
      reason: `quarantined by credsweep ${days} days ago (>= ${o.deleteAfterDays}); irreversible, undo recreates it with a new RoleId`,
    },
  };
}
