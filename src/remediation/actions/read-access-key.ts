/**
 * The current state of a user's access key: status from ListAccessKeys, last use from
 * GetAccessKeyLastUsed (current data, unlike the credential report's 4-hour cache:
 * docs/aws-behaviour.md §1.5, §2 GetAccessKeyLastUsed).
 */
import { GetAccessKeyLastUsedCommand, type IAMClient, paginateListAccessKeys } from '@aws-sdk/client-iam';
import { type CredentialState, isoOrNull } from './action.ts';

export const READ_ACCESS_KEY_PERMISSIONS = ['iam:ListAccessKeys', 'iam:GetAccessKeyLastUsed'] as const;

/** `userName` undefined = the keys of the signing identity (root, in an sts:AssumeRoot session). */
export async function readAccessKey(
  iam: IAMClient,
  userName: string | undefined,
  accessKeyId: string,
): Promise<CredentialState> {
  const keys = await listAccessKeys(iam, userName);
  const key = keys.find((k) => k.accessKeyId === accessKeyId);
  if (!key) return { exists: false, lastUsed: null, targetId: accessKeyId };
  const used = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }));
  return {
    exists: true,
    status: key.status,
    lastUsed: isoOrNull(used.AccessKeyLastUsed?.LastUsedDate),
    targetId: accessKeyId,
    ...(key.createdAt ? { createdAt: key.createdAt } : {}),
  };
}

/** listAccessKeys' status for a key IAM listed with no Status. */
export const NO_KEY_STATUS = 'unknown';

export interface ListedKey {
  accessKeyId: string;
  /** IAM's Status, or NO_KEY_STATUS. */
  status: string;
  createdAt: string | null;
}

/** A user's keys in creation order: the credential report's slot 1 and 2 (docs/aws-behaviour.md §8 item 2). */
export async function listAccessKeys(iam: IAMClient, userName: string | undefined): Promise<ListedKey[]> {
  const keys: ListedKey[] = [];
  for await (const page of paginateListAccessKeys({ client: iam }, userName ? { UserName: userName } : {})) {
    for (const k of page.AccessKeyMetadata ?? []) {
      if (!k.AccessKeyId) continue;
      keys.push({
        accessKeyId: k.AccessKeyId,
        status: k.Status ?? NO_KEY_STATUS,
        createdAt: isoOrNull(k.CreateDate),
      });
    }
  }
  return keys.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''));
}
