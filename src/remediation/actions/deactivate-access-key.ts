import { UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import type { RemediationAction } from './action.ts';
import { READ_ACCESS_KEY_PERMISSIONS, readAccessKey } from './read-access-key.ts';

/** UpdateAccessKey to Inactive: reversible, undo sets it Active again (AWS-SEMANTICS §2 Remediation APIs). */
export const deactivateAccessKey: RemediationAction = {
  id: 'deactivate-access-key',
  reversible: true,
  permissions: [...READ_ACCESS_KEY_PERMISSIONS, 'iam:UpdateAccessKey'],
  undoPermissions: [...READ_ACCESS_KEY_PERMISSIONS, 'iam:UpdateAccessKey'],
  async readState(clients, step) {
    return readAccessKey(await clients.iam(step.accountId), step.principalName, step.accessKeyId!);
  },
  async act(clients, step) {
    const iam = await clients.iam(step.accountId);
    await iam.send(
      new UpdateAccessKeyCommand({
        UserName: step.principalName,
        AccessKeyId: step.accessKeyId!,
        Status: 'Inactive',
      }),
    );
  },
  isDone: (state) => state.exists && state.status === 'Inactive',
  async undo(clients, step) {
    const iam = await clients.iam(step.accountId);
    await iam.send(
      new UpdateAccessKeyCommand({
        UserName: step.principalName,
        AccessKeyId: step.accessKeyId!,
        Status: 'Active',
      }),
    );
  },
  isUndone: (state) => state.exists && state.status === 'Active',
};
