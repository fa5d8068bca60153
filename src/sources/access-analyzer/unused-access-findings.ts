/**
 * The ACTIVE unused-access findings of one analyzer: ListFindingsV2 (filtered on status and the four
 * IAM finding types, paginated by nextToken), then GetFindingV2 per finding, whose `findingDetails`
 * page too (maxResults/nextToken; docs/aws-behaviour.md §3.4, §10). IAM authorises them as
 * access-analyzer:ListFindings and access-analyzer:GetFinding (§3.4).
 */
import type { AccessAnalyzerClient, FindingDetails } from '@aws-sdk/client-accessanalyzer';
import { mapBounded } from '../../audit/map-bounded.ts';
import type { EpochMs } from '../../time.ts';

export const UNUSED_ACCESS_FINDING_PERMISSIONS = [
  'access-analyzer:ListFindings',
  'access-analyzer:GetFinding',
] as const;

export const UNUSED_ACCESS_FINDING_TYPES = [
  'UnusedIAMRole',
  'UnusedIAMUserAccessKey',
  'UnusedIAMUserPassword',
  'UnusedPermission',
] as const;
export type UnusedAccessFindingType = (typeof UNUSED_ACCESS_FINDING_TYPES)[number];

export type UnusedAccessDetail =
  | { kind: 'role'; lastAccessed: EpochMs | null }
  | { kind: 'access_key'; accessKeyId: string; lastAccessed: EpochMs | null }
  | { kind: 'password'; lastAccessed: EpochMs | null }
  | {
      kind: 'permission';
      serviceNamespace: string;
      lastAccessed: EpochMs | null;
      actions: Array<{ action: string; lastAccessed: EpochMs | null }>;
    };

export interface UnusedAccessFinding {
  id: string;
  findingType: UnusedAccessFindingType;
  /** The principal's ARN. */
  resource: string;
  resourceType: string;
  resourceOwnerAccount: string;
  details: UnusedAccessDetail[];
}

/** GetFindingV2 calls in flight at once (Access Analyzer's request quotas are per account). */
const DETAIL_CONCURRENCY = 4;

const at = (d: Date | undefined): EpochMs | null => d?.getTime() ?? null;

export function toDetail(d: FindingDetails): UnusedAccessDetail | null {
  if (d.unusedIamRoleDetails) return { kind: 'role', lastAccessed: at(d.unusedIamRoleDetails.lastAccessed) };
  if (d.unusedIamUserPasswordDetails)
    return { kind: 'password', lastAccessed: at(d.unusedIamUserPasswordDetails.lastAccessed) };
  if (d.unusedIamUserAccessKeyDetails?.accessKeyId) {
    return {
      kind: 'access_key',
      accessKeyId: d.unusedIamUserAccessKeyDetails.accessKeyId,
      lastAccessed: at(d.unusedIamUserAccessKeyDetails.lastAccessed),
    };
  }
  if (d.unusedPermissionDetails?.serviceNamespace) {
    return {
      kind: 'permission',
      serviceNamespace: d.unusedPermissionDetails.serviceNamespace,
      lastAccessed: at(d.unusedPermissionDetails.lastAccessed),
      actions: (d.unusedPermissionDetails.actions ?? [])
        .filter((a) => a.action)
        .map((a) => ({ action: a.action!, lastAccessed: at(a.lastAccessed) })),
    };
  }
  return null; // external or internal access, or a detail kind this version does not know
}

/** A filter criterion's `eq` takes at most this many values. */
const MAX_FILTER_VALUES = 20;

/**
 * `accounts`: only findings of these accounts' principals (filter key resourceOwnerAccount), for a
 * run that audits a few accounts of an organization analyzer (a Step Functions item: one account),
 * which would otherwise read every account's findings.
 */
export async function listUnusedAccessFindings(
  client: AccessAnalyzerClient,
  analyzerArn: string,
  accounts?: readonly string[],
  /** Only this principal's findings (filter key resource): apply's re-check of one principal. */
  resource?: string,
): Promise<UnusedAccessFinding[]> {
  const summaries: Array<{ id: string; findingType: UnusedAccessFindingType }> = [];
  const byAccount: Record<string, { eq: string[] }> =
    accounts && accounts.length > 0 && accounts.length <= MAX_FILTER_VALUES
      ? { resourceOwnerAccount: { eq: [...accounts] } }
      : {};
  // The SDK package is loaded by the first call, not with this module: apply imports it for its
  // permissions (start-up: docs/performance.md).
  const { paginateListFindingsV2 } = await import('@aws-sdk/client-accessanalyzer');
  const pages = paginateListFindingsV2(
    { client },
    {
      analyzerArn,
      filter: {
        status: { eq: ['ACTIVE'] },
        findingType: { eq: [...UNUSED_ACCESS_FINDING_TYPES] },
        ...byAccount,
        ...(resource ? { resource: { eq: [resource] } } : {}),
      },
    },
  );
  for await (const page of pages) {
    for (const f of page.findings ?? []) {
      const type = f.findingType as UnusedAccessFindingType | undefined;
      // the filter should have done it; a finding of another kind or state is not ours to read
      const wanted = !resource || f.resource === undefined || f.resource === resource;
      if (f.id && f.status === 'ACTIVE' && type && UNUSED_ACCESS_FINDING_TYPES.includes(type) && wanted) {
        summaries.push({ id: f.id, findingType: type });
      }
    }
  }
  const findings = await mapBounded(summaries, DETAIL_CONCURRENCY, (s) => getFinding(client, analyzerArn, s));
  return findings.filter((f): f is UnusedAccessFinding => f !== null);
}

async function getFinding(
  client: AccessAnalyzerClient,
  analyzerArn: string,
  summary: { id: string; findingType: UnusedAccessFindingType },
): Promise<UnusedAccessFinding | null> {
  let head: Omit<UnusedAccessFinding, 'details' | 'findingType' | 'id'> | null = null;
  const details: UnusedAccessDetail[] = [];
  const { paginateGetFindingV2 } = await import('@aws-sdk/client-accessanalyzer');
  for await (const page of paginateGetFindingV2({ client }, { analyzerArn, id: summary.id })) {
    if (page.status !== undefined && page.status !== 'ACTIVE') return null; // resolved meanwhile
    if (!head && page.resource && page.resourceOwnerAccount) {
      head = {
        resource: page.resource,
        resourceType: page.resourceType ?? '',
        resourceOwnerAccount: page.resourceOwnerAccount,
      };
    }
    for (const d of page.findingDetails ?? []) {
      const detail = toDetail(d);
      if (detail) details.push(detail);
    }
  }
  return head ? { id: summary.id, findingType: summary.findingType, ...head, details } : null;
}
