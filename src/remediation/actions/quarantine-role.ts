import { type RemediationAction, epochSeconds, missing, unusedForThreshold, wrongStatus } from './action.ts';
import { quarantineLifecycle } from './quarantine-calls.ts';
import {
  NOT_QUARANTINED,
  quarantineNameTaken,
  READ_ROLE_PERMISSIONS,
  readRole,
  roleNeverCases,
} from './read-role.ts';

/**
 * Quarantines an unused role (reversible): the inline deny-all + revoke-older-sessions policy
 * CredsweepQuarantine and two tags saying when and by which plan (src/remediation/quarantine-policy.ts,
 * docs/aws-behaviour.md §11). Nothing else about the role changes. Undo deletes that policy and those tags,
 * while the role is still the one credsweep quarantined (same RoleId) and still quarantined.
 */
export const quarantineRole: RemediationAction = {
  id: 'quarantine-role',
  reversible: true,
  principalTypes: ['role'],
  credentials: ['role'],
  judgedBy: ['role'],
  permissions: [...READ_ROLE_PERMISSIONS, 'iam:PutRolePolicy', 'iam:TagRole'],
  undoPermissions: [...READ_ROLE_PERMISSIONS, 'iam:DeleteRolePolicy', 'iam:UntagRole'],
  async readState(clients, step) {
    return readRole(await clients.iam(step.accountId), step.principalName);
  },
  never: (state, ctx) => (state.exists ? (roleNeverCases(state, ctx) ?? quarantineNameTaken(state)) : null),
  eligibility: (state, ctx) =>
    missing(state, 'the role') ??
    roleNeverCases(state, ctx) ??
    quarantineNameTaken(state) ??
    wrongStatus(state, NOT_QUARANTINED, 'the role') ??
    unusedForThreshold(state, ctx, 'role', 'the role'),
  ...quarantineLifecycle('role'),
};

/** True when the role shows use after `sinceMs` (RoleLastUsed, to the second). */
export function usedSince(lastUsed: string | null, sinceMs: number): boolean {
  const used = epochSeconds(lastUsed);
  return used !== null && used > Math.floor(sinceMs / 1000);
}
