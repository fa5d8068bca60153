/**
 * A member account's root access key, deleted in an sts:AssumeRoot session scoped by the AWS-managed
 * task policy IAMDeleteRootUserCredentials (centralised root access). In that session the IAM calls
 * run as root, so ListAccessKeys without UserName lists root's own keys (docs/aws-behaviour.md §2
 * ListAccessKeys). The report gives no root key ids: `plan` resolves them in the same kind of session
 * (slot = creation order, §8 item 2). Irreversible.
 */
import { DeleteAccessKeyCommand } from '@aws-sdk/client-iam';
import { type RemediationAction, unusedForThreshold } from './action.ts';
import { readAccessKey } from './read-access-key.ts';

export const ROOT_TASK_POLICY_ARN = 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials';

const missingRootKey = { reason: 'changed_since_plan', detail: 'the root key no longer exists' } as const;

export const deleteRootAccessKey: RemediationAction = {
  id: 'delete-root-access-key',
  reversible: false,
  principalTypes: ['root'],
  credentials: ['access_key_1', 'access_key_2'],
  judgedBy: ['access_key'],
  // Unused now by the plan's access-key threshold (Active or Inactive: root keys are deleted directly).
  eligibility: (state, ctx) =>
    state.exists ? unusedForThreshold(state, ctx, 'access_key', 'the root key') : missingRootKey,
  // The caller needs only sts:AssumeRoot; the IAM calls are granted by the task policy of the session.
  permissions: ['sts:AssumeRoot'],
  undoPermissions: [],
  async readState(clients, step) {
    return readAccessKey(await clients.rootIam(step.accountId), undefined, step.accessKeyId!);
  },
  async act(clients, step) {
    const iam = await clients.rootIam(step.accountId);
    await iam.send(new DeleteAccessKeyCommand({ AccessKeyId: step.accessKeyId! }));
  },
  isDone: (state) => !state.exists,
};
