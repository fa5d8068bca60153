/**
 * Key ids for the credential-report path, only where they matter. The report names access keys by
 * slot (1, 2: creation order, docs/aws-behaviour.md §1.6), not by id; an id is needed only to act on a key
 * (plan, owner warnings) or to match CloudTrail evidence. So a user is asked for its keys only when
 * one of them is inactive, unused, or within `windowDays` of becoming unused, or when the caller has
 * CloudTrail evidence for the user: one ListAccessKeys call, and GetAccessKeyLastUsed only for a
 * slot whose creation date does not match the listed key's (a key rotated since the report).
 *
 * Calls per account on the report path: GenerateCredentialReport + GetCredentialReport +
 * GetAccountAuthorizationDetails (one page per 100 principals) + one ListAccessKeys per such user.
 */
import { GetAccessKeyLastUsedCommand, type IAMClient, paginateListAccessKeys } from '@aws-sdk/client-iam';
import type { AccessKeyMetadata } from '@aws-sdk/client-iam';
import type { AccessKeyCredential, Principal } from '../../model/inventory.ts';
import { type EvaluationContext, thresholdFor } from '../../rules/rule.ts';
import { MS_PER_DAY, wholeDaysBetween } from '../../time.ts';

export const KEY_ID_PERMISSIONS = ['iam:ListAccessKeys', 'iam:GetAccessKeyLastUsed'] as const;

export interface KeyIdPolicy {
  evaluation: EvaluationContext;
  /** Days before a key becomes unused in which its owner is warned (the Lambda's ownerWarningDays). */
  windowDays: number;
  /** Users (ARNs) with CloudTrail evidence to match by key id. */
  evidenceArns?: ReadonlySet<string>;
}

/** Whether any of the principal's keys needs its id (pure). */
export function needsKeyIds(principal: Principal, policy: KeyIdPolicy): boolean {
  if (principal.type !== 'user' || principal.accessKeys.length === 0) return false;
  if (policy.evidenceArns?.has(principal.arn)) return true;
  const threshold = thresholdFor(policy.evaluation, 'access_key');
  return principal.accessKeys.some((key) => {
    if (!key.active) return true;
    const activity = key.lastUsed ?? key.lastRotated ?? principal.createdAt;
    return wholeDaysBetween(activity, policy.evaluation.asOf) >= threshold - policy.windowDays;
  });
}

/** The principal with key ids (and last-used service/Region where asked) on the slots they match. */
export async function resolveKeyIds(iam: IAMClient, principal: Principal): Promise<Principal> {
  const listed: AccessKeyMetadata[] = [];
  for await (const page of paginateListAccessKeys({ client: iam }, { UserName: principal.name })) {
    listed.push(...(page.AccessKeyMetadata ?? []));
  }
  // The same order as the report's slots (creation order, as in ../iam-api/users.ts).
  listed.sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0));
  const accessKeys = await Promise.all(
    principal.accessKeys.map((key) => matchSlot(iam, key, listed[key.slot - 1])),
  );
  return { ...principal, accessKeys };
}

async function matchSlot(
  iam: IAMClient,
  key: AccessKeyCredential,
  candidate: AccessKeyMetadata | undefined,
): Promise<AccessKeyCredential> {
  if (!candidate?.AccessKeyId) return key;
  const created = candidate.CreateDate?.getTime();
  if (created !== undefined && key.lastRotated !== null && sameSecond(created, key.lastRotated)) {
    return { ...key, accessKeyId: candidate.AccessKeyId };
  }
  // Rotated since the report (or no creation date): the key's last use decides.
  const { AccessKeyLastUsed: used } = await iam.send(
    new GetAccessKeyLastUsedCommand({ AccessKeyId: candidate.AccessKeyId }),
  );
  const lastUsed = used?.LastUsedDate?.getTime() ?? null;
  const matches =
    lastUsed === key.lastUsed ||
    (lastUsed !== null && key.lastUsed !== null && sameDay(lastUsed, key.lastUsed));
  return matches ? { ...key, accessKeyId: candidate.AccessKeyId } : key;
}

function sameSecond(a: number, b: number): boolean {
  return Math.floor(a / 1000) === Math.floor(b / 1000);
}

function sameDay(a: number, b: number): boolean {
  return Math.floor(a / MS_PER_DAY) === Math.floor(b / MS_PER_DAY);
}
