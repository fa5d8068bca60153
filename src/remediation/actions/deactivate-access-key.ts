import { UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { type RemediationAction, statusToggleAction, unusedForThreshold } from './action.ts';
import { READ_ACCESS_KEY_PERMISSIONS, readAccessKey } from './read-access-key.ts';

/** UpdateAccessKey to Inactive: reversible, undo sets it Active again (docs/aws-behaviour.md §2 Remediation APIs). */
export const deactivateAccessKey: RemediationAction = statusToggleAction({
  id: 'deactivate-access-key',
  principalTypes: ['user'],
  credentials: ['access_key_1', 'access_key_2'],
  judgedBy: ['access_key'],
  // Still unused now, by the plan's access-key threshold, from GetAccessKeyLastUsed (current data).
  eligibility: (state, ctx) => unusedForThreshold(state, ctx, 'access_key', 'the key'),
  permissions: [...READ_ACCESS_KEY_PERMISSIONS, 'iam:UpdateAccessKey'],
  async readState(clients, step) {
    return readAccessKey(await clients.iam(step.accountId), step.principalName, step.accessKeyId!);
  },
  async setStatus(iam, step, status) {
    await iam.send(
      new UpdateAccessKeyCommand({
        UserName: step.principalName,
        AccessKeyId: step.accessKeyId!,
        Status: status,
      }),
    );
  },
});
