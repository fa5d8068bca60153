import {
  DeleteRolePolicyCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
} from '@aws-sdk/client-iam';
import {
  QUARANTINE_POLICY_NAME,
  QUARANTINE_TAG_KEYS,
  quarantinePolicyDocument,
  quarantineTags,
} from '../quarantine-policy.ts';
import { type RemediationAction, epochSeconds, missing, unusedForThreshold, wrongStatus } from './action.ts';
import {
  NOT_QUARANTINED,
  QUARANTINED,
  READ_ROLE_PERMISSIONS,
  readRole,
  roleNeverCases,
} from './read-role.ts';

/**
 * Quarantines an unused role (reversible): the inline deny-all + revoke-older-sessions policy
 * CredsweepQuarantine and two tags saying when and by which plan (src/remediation/quarantine-policy.ts,
 * AWS-SEMANTICS §11). Nothing else about the role changes. Undo deletes that policy and those tags,
 * while the role is still the one credsweep quarantined (same RoleId) and still quarantined.
 */
export const quarantineRole: RemediationAction = {
  id: 'quarantine-role',
  reversible: true,
  principalTypes: ['role'],
  credentials: ['role'],
  permissions: [...READ_ROLE_PERMISSIONS, 'iam:PutRolePolicy', 'iam:TagRole'],
  undoPermissions: [...READ_ROLE_PERMISSIONS, 'iam:DeleteRolePolicy', 'iam:UntagRole'],
  async readState(clients, step) {
    return readRole(await clients.iam(step.accountId), step.principalName);
  },
  eligibility: (state, ctx) =>
    missing(state, 'the role') ??
    roleNeverCases(state, ctx) ??
    wrongStatus(state, NOT_QUARANTINED, 'the role') ??
    unusedForThreshold(state, ctx, 'role', 'the role'),
  async act(clients, step, _before, ctx) {
    const iam = await clients.iam(step.accountId);
    // Tags first, the deny-all last: a run that fails between the two leaves the principal not
    // quarantined (a re-run acts again), never locked out with no journalled step for undo to reverse.
    await iam.send(
      new TagRoleCommand({ RoleName: step.principalName, Tags: quarantineTags(ctx.now, ctx.planDigest) }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: step.principalName,
        PolicyName: QUARANTINE_POLICY_NAME,
        PolicyDocument: quarantinePolicyDocument(ctx.now),
      }),
    );
  },
  isDone: (state) => state.exists && state.status === QUARANTINED,
  async undo(clients, step) {
    const iam = await clients.iam(step.accountId);
    // The tags first, the deny-all last: an undo that fails between the two leaves the principal still
    // quarantined, as credsweep left it, so re-running undo finishes it.
    await iam.send(new UntagRoleCommand({ RoleName: step.principalName, TagKeys: [...QUARANTINE_TAG_KEYS] }));
    await iam.send(
      new DeleteRolePolicyCommand({ RoleName: step.principalName, PolicyName: QUARANTINE_POLICY_NAME }),
    );
    return undefined;
  },
  // A quarantined role cannot act, but a refused attempt may still count as use: it does not change
  // what credsweep left, so undo goes ahead; a role deleted and recreated by hand (new RoleId) is not.
  isAsLeft: (state, before) =>
    state.exists &&
    state.status === QUARANTINED &&
    before !== undefined &&
    state.targetId === before.targetId,
  isUndone: (state) => state.exists && state.status === NOT_QUARANTINED,
};

/** True when the role shows use after `sinceMs` (RoleLastUsed, to the second). */
export function usedSince(lastUsed: string | null, sinceMs: number): boolean {
  const used = epochSeconds(lastUsed);
  return used !== null && used > Math.floor(sinceMs / 1000);
}
