/**
 * Service-specific credentials (CodeCommit Git, Amazon Keyspaces, Amazon Bedrock and CloudWatch Logs
 * API keys): ListServiceSpecificCredentials, paginated by Marker/IsTruncated (the SDK has no
 * paginator for it). `AllUsers=true` lists the whole account in one walk (docs/aws-behaviour.md
 * §9); where AWS rejects that (an older endpoint or partition answering InvalidInput / Validation),
 * the caller falls back to one walk per user. Nothing here is ever a secret: the list call returns
 * no passwords.
 */
import {
  type IAMClient,
  ListServiceSpecificCredentialsCommand,
  type ListServiceSpecificCredentialsRequest,
  type ServiceSpecificCredentialMetadata,
} from '@aws-sdk/client-iam';
import type { ServiceSpecificCredential } from '../../model/inventory.ts';
import type { EpochMs } from '../../time.ts';

export const SERVICE_SPECIFIC_CREDENTIAL_PERMISSIONS = ['iam:ListServiceSpecificCredentials'] as const;

const STATUSES = new Set(['Active', 'Inactive', 'Expired']);

async function listPages(
  iam: IAMClient,
  request: ListServiceSpecificCredentialsRequest,
): Promise<ServiceSpecificCredentialMetadata[]> {
  const all: ServiceSpecificCredentialMetadata[] = [];
  let Marker: string | undefined;
  do {
    const page = await iam.send(
      new ListServiceSpecificCredentialsCommand({ ...request, ...(Marker ? { Marker } : {}) }),
    );
    all.push(...(page.ServiceSpecificCredentials ?? []));
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  return all;
}

export function toServiceSpecificCredential(
  c: ServiceSpecificCredentialMetadata,
): ServiceSpecificCredential | null {
  if (!c.ServiceSpecificCredentialId || !c.ServiceName) return null;
  // A status this version does not know may be a usable one: kept as `unknown` with IAM's word, so the
  // audit shows it (as if Active) and no action takes it for Inactive (docs/aws-behaviour.md §9).
  const known = hasKnownStatus(c);
  return {
    serviceSpecificCredentialId: c.ServiceSpecificCredentialId,
    serviceName: c.ServiceName,
    status: known ? (c.Status as ServiceSpecificCredential['status']) : 'unknown',
    ...(known ? {} : { unknownStatus: c.Status ?? '' }),
    createdAt: c.CreateDate?.getTime() ?? null,
    expiresAt: c.ExpirationDate?.getTime() ?? null,
  };
}

/** Whether IAM's Status is one this version knows (toServiceSpecificCredential maps any other to `unknown`). */
export function hasKnownStatus(c: Pick<ServiceSpecificCredentialMetadata, 'Status'>): boolean {
  return STATUSES.has(c.Status ?? '');
}

/** Past its ExpirationDate at `now` (injected): as good as Expired, whatever Status says (§9). */
export function isPastExpiry(c: Pick<ServiceSpecificCredential, 'expiresAt'>, now: EpochMs): boolean {
  return c.expiresAt !== null && c.expiresAt <= now;
}

function byCreation(a: ServiceSpecificCredential, b: ServiceSpecificCredential): number {
  return (a.createdAt ?? 0) - (b.createdAt ?? 0);
}

/** One user's credentials as IAM lists them, unmapped (a status this version does not know kept as it is). */
export async function listUserServiceSpecificCredentialMetadata(
  iam: IAMClient,
  UserName: string,
): Promise<ServiceSpecificCredentialMetadata[]> {
  return listPages(iam, { UserName });
}

/** One user's credentials. */
export async function listServiceSpecificCredentials(
  iam: IAMClient,
  UserName: string,
): Promise<ServiceSpecificCredential[]> {
  return (await listUserServiceSpecificCredentialMetadata(iam, UserName))
    .map(toServiceSpecificCredential)
    .filter((c): c is ServiceSpecificCredential => c !== null)
    .sort(byCreation);
}

/** Every user's credentials, by user name; null when the account does not accept `AllUsers`. */
export async function listAllServiceSpecificCredentials(
  iam: IAMClient,
): Promise<Map<string, ServiceSpecificCredential[]> | null> {
  let listed: ServiceSpecificCredentialMetadata[];
  try {
    listed = await listPages(iam, { AllUsers: true });
  } catch (e) {
    if (rejectsAllUsers(e)) return null;
    throw e;
  }
  const byUser = new Map<string, ServiceSpecificCredential[]>();
  for (const item of listed) {
    const credential = toServiceSpecificCredential(item);
    if (!credential || !item.UserName) continue;
    const list = byUser.get(item.UserName) ?? [];
    list.push(credential);
    byUser.set(item.UserName, list);
  }
  for (const list of byUser.values()) list.sort(byCreation);
  return byUser;
}

/** A request AWS refused as malformed (not a permission or throttling error): AllUsers unsupported. */
function rejectsAllUsers(e: unknown): boolean {
  const name = (e as { name?: string })?.name ?? '';
  return ['InvalidInputException', 'InvalidInput', 'ValidationError', 'ValidationException'].includes(name);
}
