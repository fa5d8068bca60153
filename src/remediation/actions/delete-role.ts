import { wholeDaysBetween } from '../../time.ts';
import { QUARANTINE_POLICY_NAME, QUARANTINE_TAG_KEYS } from '../quarantine-policy.ts';
import {
  ROLE_DELETE_PERMISSIONS,
  ROLE_RECREATE_PERMISSIONS,
  deleteRoleAndAttachments,
  isBareRole,
  recreateRole,
  withinRecord,
} from '../role-record.ts';
import { type CredentialState, type Ineligible, type RemediationAction, missing } from './action.ts';
import { usedSince } from './quarantine-role.ts';
import { QUARANTINED, READ_ROLE_PERMISSIONS, readRole, roleNeverCases } from './read-role.ts';
import { plural } from '../../plural.ts';

/**
 * Deletes a role credsweep quarantined at least --delete-after days ago (per its own journals, for
 * this RoleId) and that shows no use since. Irreversible to apply (--allow-irreversible at plan and
 * apply), yet it has an undo: the complete role was journalled right before (src/model/role-record.ts),
 * the role is taken out of its instance profiles (never deleted), its inline policies deleted and its
 * managed policies detached, then deleted. Undo recreates it as it was before credsweep touched it
 * (without the quarantine policy and tags) and says that it has a new RoleId.
 */
export const deleteRole: RemediationAction = {
  id: 'delete-role',
  reversible: false,
  principalTypes: ['role'],
  credentials: ['role'],
  judgedBy: ['delete_after'],
  permissions: [...READ_ROLE_PERMISSIONS, ...ROLE_DELETE_PERMISSIONS],
  undoPermissions: [...READ_ROLE_PERMISSIONS, ...ROLE_RECREATE_PERMISSIONS],
  undoWritesJournalledPolicies: true,
  async readState(clients, step) {
    return readRole(await clients.iam(step.accountId), step.principalName);
  },
  never: (state, ctx) => (state.exists ? roleNeverCases(state, ctx) : null),
  eligibility(state, ctx): Ineligible | null {
    const never = missing(state, 'the role') ?? roleNeverCases(state, ctx);
    if (never) return never;
    // A deletion that stopped part-way (DeleteRole failed, or the run was killed) took the quarantine
    // with the rest: the re-run finishes it on the role the journal recorded, unchanged since but for
    // what the deletion removed. The other checks below still hold.
    const resuming = resumesDeletion(state, ctx.interrupted);
    if (state.status !== QUARANTINED && !resuming) {
      return {
        reason: 'not_quarantined',
        detail: "the role does not carry credsweep's quarantine policy now",
      };
    }
    // A retry: undo recreates the role from the record journalled before the first attempt (the
    // journal keeps that one), so a role holding what that record lacks is not deleted.
    const beyond = beyondRecord(state, ctx.earlierAttempt);
    if (beyond) {
      return {
        reason: 'changed_since_plan',
        detail: `changed since an earlier attempt at this deletion journalled it (${beyond}): undo could not bring that back`,
      };
    }
    const since = state.targetId === undefined ? undefined : ctx.deactivatedAt(state.targetId);
    if (since === undefined) {
      return {
        reason: 'quarantine_unknown',
        detail: "quarantined, but credsweep's journals do not show credsweep quarantining this role",
      };
    }
    const days = wholeDaysBetween(since, ctx.now);
    if (days < ctx.deleteAfterDays) {
      return {
        reason: 'quarantine_too_recent',
        detail: `quarantined by credsweep ${days} days ago, deleted after ${ctx.deleteAfterDays}`,
      };
    }
    if (usedSince(state.lastUsed, since)) {
      return {
        reason: 'changed_since_plan',
        detail: `used at ${state.lastUsed}, after credsweep quarantined it`,
      };
    }
    return null;
  },
  async act(clients, step, before) {
    // Only what the journalled record names is removed: the record was fsync'd in the intent line.
    await deleteRoleAndAttachments(await clients.iam(step.accountId), before.role!, {
      lastInlinePolicy: QUARANTINE_POLICY_NAME,
    });
  },
  isDone: (state) => !state.exists,
  async undo(clients, step, state, journalled, progress) {
    const record = journalled!.role!;
    const quarantineTags = new Set<string>(QUARANTINE_TAG_KEYS);
    const created = await recreateRole(
      await clients.iam(step.accountId),
      { ...record, tags: record.tags.filter((t) => !quarantineTags.has(t.key)) },
      {
        skipInlinePolicy: (name) => name === QUARANTINE_POLICY_NAME,
        // isAsLeft let a role exist only when an earlier run of this undo made it (this RoleId).
        ...(state.exists && state.targetId ? { created: state.targetId } : {}),
        onCreated: (roleId) => {
          if (roleId !== state.targetId) {
            progress(
              { exists: true, lastUsed: null, targetId: roleId },
              `recreated the role as RoleId ${roleId}`,
            );
          }
        },
      },
    );
    const missingProfiles =
      created.missingInstanceProfiles.length > 0
        ? `; ${plural(created.missingInstanceProfiles.length, 'instance profile')} ${created.missingInstanceProfiles.join(', ')} ${plural(created.missingInstanceProfiles.length, 'no longer exists', 'no longer exist')}, the role is in none of them`
        : '';
    return `role ${record.roleName} recreated with a new RoleId ${created.roleId} (was ${record.roleId}): resource policies that named the old role need attention${missingProfiles}`;
  },
  // Gone as credsweep left it, or half recreated by an earlier run of this undo: the role the journal
  // says that run created (its RoleId), holding nothing the record lacks. A role someone else made
  // under the name since is another role, never written into.
  isAsLeft: (state, before, undoing) =>
    before?.role !== undefined &&
    (!state.exists ||
      (recreatedByUndo(state, undoing) && withinRecord(state.role!, before.role, { sameId: false }))),
  notAsLeftDetail: (state, undoing) =>
    recreatedByUndo(state, undoing)
      ? 'the role this undo recreated was changed since (a policy or profile the journal does not have)'
      : `a role of this name exists (RoleId ${state.targetId ?? 'unknown'}) that credsweep did not recreate: left as it is`,
  isUndone: (state, journalled, undoing) => {
    const want = journalled?.role;
    const got = state.role;
    if (!state.exists || !want || !got || !recreatedByUndo(state, undoing)) return false;
    const names = (r: typeof want) =>
      JSON.stringify([
        r.inlinePolicies.filter((p) => p.name !== QUARANTINE_POLICY_NAME).map((p) => p.name),
        r.attachedPolicyArns,
        r.instanceProfiles.map((p) => p.name),
      ]);
    return names(got) === names(want);
  },
};

/**
 * What the live role holds that `earlier`'s record (an earlier attempt's, journalled) lacks, in a few
 * words, or null when it holds nothing more (withinRecord, the same RoleId) or there is no record.
 */
function beyondRecord(state: CredentialState, earlier: CredentialState | undefined): string | null {
  const live = state.role;
  const record = earlier?.role;
  if (!live || !record || withinRecord(live, record, { sameId: true })) return null;
  if (live.roleId !== record.roleId) return `RoleId ${live.roleId}, was ${record.roleId}`;
  const documents = new Map(record.inlinePolicies.map((p) => [p.name, p.document]));
  const extra = [
    ...live.inlinePolicies.filter((p) => documents.get(p.name) !== p.document).map((p) => p.name),
    ...live.attachedPolicyArns.filter((arn) => !record.attachedPolicyArns.includes(arn)),
    ...live.instanceProfiles
      .filter((p) => !record.instanceProfiles.some((q) => q.name === p.name))
      .map((p) => `instance profile ${p.name}`),
  ];
  return extra.length > 0 ? extra.join(', ') : 'its path, trust policy or boundary';
}

/** The live role is the one an earlier run of this undo created (the RoleId it journalled). */
function recreatedByUndo(state: CredentialState, undoing: CredentialState | undefined): boolean {
  return (
    state.role !== undefined &&
    undoing?.exists === true &&
    undoing.targetId !== undefined &&
    undoing.targetId === state.targetId
  );
}

/**
 * An earlier attempt at this delete-role got past the quarantine on this very role and stopped before
 * DeleteRole: the journal recorded the role whole (`interrupted`), and the live role is what the
 * deletion leaves by then: the same RoleId, path, trust and boundary, nothing in it (profiles and
 * policies go first, the quarantine policy last), credsweep's quarantine tags still on (the deletion
 * never removes tags). A role with anything left in it is not resumed: a responder who took the
 * quarantine off to keep the role is heard (not_quarantined).
 */
function resumesDeletion(state: CredentialState, interrupted: CredentialState | undefined): boolean {
  const record = interrupted?.role;
  const live = state.role;
  if (!live || !record || !isBareRole(live) || !withinRecord(live, record, { sameId: true })) return false;
  const tags = new Set(live.tags.map((t) => t.key));
  return QUARANTINE_TAG_KEYS.every((key) => tags.has(key));
}
