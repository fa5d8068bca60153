/**
 * UpdateSSHPublicKey to Inactive (undo: Active), reversible. AWS records no use of SSH public keys
 * (docs/aws-behaviour.md §9): apply re-reads the key (ListSSHPublicKeys) and acts only while it
 * is Active and was uploaded at least the plan's `ssh_public_key` threshold ago.
 */
import { paginateListSSHPublicKeys, UpdateSSHPublicKeyCommand } from '@aws-sdk/client-iam';
import { SSH_PUBLIC_KEY_PERMISSIONS } from '../../sources/iam-api/ssh-public-keys.ts';
import {
  type CredentialState,
  isoOrNull,
  type RemediationAction,
  statusToggleAction,
  unusedForThreshold,
} from './action.ts';

export const deactivateSshPublicKey: RemediationAction = statusToggleAction({
  id: 'deactivate-ssh-public-key',
  principalTypes: ['user'],
  credentials: ['ssh_public_key'],
  judgedBy: ['ssh_public_key'],
  eligibility: (state, ctx) => unusedForThreshold(state, ctx, 'ssh_public_key', 'the SSH public key'),
  permissions: [...SSH_PUBLIC_KEY_PERMISSIONS, 'iam:UpdateSSHPublicKey'],
  async readState(clients, step): Promise<CredentialState> {
    const id = step.sshPublicKeyId!;
    const iam = await clients.iam(step.accountId);
    for await (const page of paginateListSSHPublicKeys({ client: iam }, { UserName: step.principalName })) {
      const key = page.SSHPublicKeys?.find((k) => k.SSHPublicKeyId === id);
      if (key) {
        const uploaded = isoOrNull(key.UploadDate);
        return {
          exists: true,
          status: key.Status ?? 'unknown',
          lastUsed: null,
          targetId: id,
          ...(uploaded ? { createdAt: uploaded } : {}),
        };
      }
    }
    return { exists: false, lastUsed: null, targetId: id };
  },
  async setStatus(iam, step, status) {
    await iam.send(
      new UpdateSSHPublicKeyCommand({
        UserName: step.principalName,
        SSHPublicKeyId: step.sshPublicKeyId!,
        Status: status,
      }),
    );
  },
});
