import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  type IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  type Tag,
  TagRoleCommand,
  TagUserCommand,
  UntagRoleCommand,
  UntagUserCommand,
} from '@aws-sdk/client-iam';
import {
  QUARANTINE_PLAN_TAG,
  QUARANTINE_POLICY_NAME,
  QUARANTINE_TAG_KEYS,
  quarantinePolicyDocument,
  quarantineTags,
} from '../quarantine-policy.ts';
import type { CredentialState, RemediationAction } from './action.ts';
import { NOT_QUARANTINED, QUARANTINED } from './read-role.ts';

/** The four IAM calls of a quarantine, for a role or a user (they differ only in the principal's noun). */
interface QuarantineCalls {
  tag(iam: IAMClient, name: string, tags: Tag[]): Promise<unknown>;
  untag(iam: IAMClient, name: string, keys: string[]): Promise<unknown>;
  putPolicy(iam: IAMClient, name: string, document: string): Promise<unknown>;
  deletePolicy(iam: IAMClient, name: string): Promise<unknown>;
}

const CALLS: Record<'role' | 'user', QuarantineCalls> = {
  role: {
    tag: (iam, RoleName, Tags) => iam.send(new TagRoleCommand({ RoleName, Tags })),
    untag: (iam, RoleName, TagKeys) => iam.send(new UntagRoleCommand({ RoleName, TagKeys })),
    putPolicy: (iam, RoleName, PolicyDocument) =>
      iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: QUARANTINE_POLICY_NAME, PolicyDocument })),
    deletePolicy: (iam, RoleName) =>
      iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: QUARANTINE_POLICY_NAME })),
  },
  user: {
    tag: (iam, UserName, Tags) => iam.send(new TagUserCommand({ UserName, Tags })),
    untag: (iam, UserName, TagKeys) => iam.send(new UntagUserCommand({ UserName, TagKeys })),
    putPolicy: (iam, UserName, PolicyDocument) =>
      iam.send(new PutUserPolicyCommand({ UserName, PolicyName: QUARANTINE_POLICY_NAME, PolicyDocument })),
    deletePolicy: (iam, UserName) =>
      iam.send(new DeleteUserPolicyCommand({ UserName, PolicyName: QUARANTINE_POLICY_NAME })),
  },
};

/**
 * The principal's plan tag names `planDigest`, or an earlier undo of this step that did not finish
 * removed the tags (its journalled state had them) and left the deny-all: undo removes the tags first.
 */
function taggedBy(state: CredentialState, undoing: CredentialState | undefined, planDigest: string): boolean {
  if (state.quarantinePlan === planDigest) return true;
  return state.quarantinePlan === undefined && undoing?.quarantinePlan === planDigest;
}

/**
 * What quarantine-role and quarantine-user do to AWS and how they recognise it, once: the
 * CredsweepQuarantine deny-all and the two tags saying when and by which plan
 * (src/remediation/quarantine-policy.ts). Each action keeps its own readState and eligibility.
 */
export function quarantineLifecycle(
  principal: 'role' | 'user',
): Pick<RemediationAction, 'act' | 'isDone' | 'undo' | 'isAsLeft' | 'notAsLeftDetail' | 'isUndone'> {
  const calls = CALLS[principal];
  return {
    async act(clients, step, _before, ctx) {
      const iam = await clients.iam(step.accountId);
      // Tags first, the deny-all last: a run that fails between the two leaves the principal not
      // quarantined (a re-run acts again), never locked out with no journalled step for undo to reverse.
      await calls.tag(iam, step.principalName, quarantineTags(ctx.now, ctx.planDigest));
      await calls.putPolicy(iam, step.principalName, quarantinePolicyDocument(ctx.now));
    },
    // Quarantined by this plan's apply: one another plan's apply quarantined is not this step done.
    isDone: (state, planDigest) =>
      state.exists && state.status === QUARANTINED && state.quarantinePlan === planDigest,
    async undo(clients, step) {
      const iam = await clients.iam(step.accountId);
      // The tags first, the deny-all last: an undo that fails between the two leaves the principal still
      // quarantined, as credsweep left it, so re-running undo finishes it.
      await calls.untag(iam, step.principalName, [...QUARANTINE_TAG_KEYS]);
      await calls.deletePolicy(iam, step.principalName);
      return undefined;
    },
    // A quarantined principal cannot act, but a refused attempt may still count as use: it does not
    // change what credsweep left, so undo goes ahead; one deleted and recreated by hand (a new RoleId or
    // UserId) is not the one credsweep quarantined, and one whose tag names another plan was released
    // and quarantined again by that plan's apply: undoing this journal would lift the other's quarantine.
    isAsLeft: (state, before, undoing, planDigest) =>
      state.exists &&
      state.status === QUARANTINED &&
      before !== undefined &&
      state.targetId === before.targetId &&
      taggedBy(state, undoing, planDigest),
    notAsLeftDetail: (state, undoing, planDigest) =>
      state.exists && state.status === QUARANTINED && !taggedBy(state, undoing, planDigest)
        ? state.quarantinePlan === undefined
          ? `quarantined, but without credsweep's ${QUARANTINE_PLAN_TAG} tag: not as credsweep left it`
          : `quarantined by another plan (${QUARANTINE_PLAN_TAG} ${state.quarantinePlan}), not by this journal's: left as it is`
        : undefined,
    isUndone: (state) => state.exists && state.status === NOT_QUARANTINED,
  };
}
