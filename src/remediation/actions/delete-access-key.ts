import { DeleteAccessKeyCommand } from '@aws-sdk/client-iam';
import type { RemediationAction } from './action.ts';
import { keyDeletionEligibility } from './key-deletion.ts';
import { READ_ACCESS_KEY_PERMISSIONS, readAccessKey } from './read-access-key.ts';

/**
 * DeleteAccessKey: irreversible (docs/aws-behaviour.md §2 Remediation APIs); planned and applied only with
 * --allow-irreversible, for keys credsweep itself deactivated at least --delete-after days ago.
 */
export const deleteAccessKey: RemediationAction = {
  id: 'delete-access-key',
  reversible: false,
  principalTypes: ['user'],
  credentials: ['access_key_1', 'access_key_2'],
  judgedBy: ['delete_after'],
  eligibility: keyDeletionEligibility,
  permissions: [...READ_ACCESS_KEY_PERMISSIONS, 'iam:DeleteAccessKey'],
  undoPermissions: [],
  async readState(clients, step) {
    return readAccessKey(await clients.iam(step.accountId), step.principalName, step.accessKeyId!);
  },
  async act(clients, step) {
    const iam = await clients.iam(step.accountId);
    await iam.send(
      new DeleteAccessKeyCommand({ UserName: step.principalName, AccessKeyId: step.accessKeyId! }),
    );
  },
  isDone: (state) => !state.exists,
};
