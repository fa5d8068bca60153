/**
 * A user's SSH public keys for CodeCommit: ListSSHPublicKeys (paginated, Marker/IsTruncated), which
 * gives SSHPublicKeyId, Status and UploadDate and no last use (docs/aws-behaviour.md §9).
 */
import { type IAMClient, paginateListSSHPublicKeys } from '@aws-sdk/client-iam';
import type { SshPublicKeyCredential } from '../../model/inventory.ts';
import { statusFields } from './listed-status.ts';

export const SSH_PUBLIC_KEY_PERMISSIONS = ['iam:ListSSHPublicKeys'] as const;

export async function listSshPublicKeys(iam: IAMClient, UserName: string): Promise<SshPublicKeyCredential[]> {
  const keys: SshPublicKeyCredential[] = [];
  for await (const page of paginateListSSHPublicKeys({ client: iam }, { UserName })) {
    for (const key of page.SSHPublicKeys ?? []) {
      if (!key.SSHPublicKeyId) continue;
      keys.push({
        sshPublicKeyId: key.SSHPublicKeyId,
        ...statusFields(key.Status),
        uploadedAt: key.UploadDate?.getTime() ?? null,
      });
    }
  }
  return keys.sort((a, b) => (a.uploadedAt ?? 0) - (b.uploadedAt ?? 0));
}
