/**
 * IAM Access Analyzer answers in the shapes of the API model (botocore accessanalyzer service-2.json,
 * docs/aws-behaviour.md §3.4, §10): AnalyzerSummary, FindingSummaryV2, GetFindingV2 with
 * findingDetails. moto 5.2.1 has no Access Analyzer (§7.4), so the tests feed these to
 * aws-sdk-client-mock.
 */
import type {
  AnalyzerSummary,
  FindingDetails,
  FindingSummaryV2,
  GetFindingV2Response,
} from '@aws-sdk/client-accessanalyzer';

export const ACCOUNT = '123456789012';
export const SECURITY_HUB_ANALYZER_ARN = `arn:aws:access-analyzer:us-east-1:${ACCOUNT}:analyzer/_AccessAnalyzerForSecurityHub-3f2a`;
export const CUSTOM_ANALYZER_ARN = `arn:aws:access-analyzer:us-east-1:${ACCOUNT}:analyzer/unused-180`;

export function anAnalyzer(overrides: Partial<AnalyzerSummary> = {}): AnalyzerSummary {
  return {
    arn: CUSTOM_ANALYZER_ARN,
    name: 'unused-180',
    type: 'ACCOUNT_UNUSED_ACCESS',
    createdAt: new Date('2026-01-01T00:00:00Z'),
    status: 'ACTIVE',
    configuration: { unusedAccess: { unusedAccessAge: 180 } },
    ...overrides,
  };
}

export const SECURITY_HUB_ANALYZER = anAnalyzer({
  arn: SECURITY_HUB_ANALYZER_ARN,
  name: '_AccessAnalyzerForSecurityHub-3f2a',
  managedBy: 'securityhubv2.amazonaws.com',
  configuration: { unusedAccess: { unusedAccessAge: 90 } },
});

export function aFindingV2(
  id: string,
  resource: string,
  findingType: GetFindingV2Response['findingType'],
  findingDetails: FindingDetails[],
  nextToken?: string,
): GetFindingV2Response {
  return {
    id,
    analyzedAt: new Date('2026-11-30T00:00:00Z'),
    createdAt: new Date('2026-10-01T00:00:00Z'),
    updatedAt: new Date('2026-11-30T00:00:00Z'),
    resource,
    resourceType: resource.includes(':role/') ? 'AWS::IAM::Role' : 'AWS::IAM::User',
    resourceOwnerAccount: ACCOUNT,
    status: 'ACTIVE',
    findingType,
    findingDetails,
    ...(nextToken ? { nextToken } : {}),
  };
}

/** What ListFindingsV2 returns for a finding: GetFindingV2's fields without findingDetails. */
export function aSummaryV2(
  id: string,
  resource: string,
  findingType: FindingSummaryV2['findingType'],
  status: FindingSummaryV2['status'] = 'ACTIVE',
): FindingSummaryV2 {
  const {
    findingDetails: _details,
    nextToken: _next,
    ...summary
  } = aFindingV2(id, resource, findingType, []);
  return { ...summary, status } as FindingSummaryV2;
}
