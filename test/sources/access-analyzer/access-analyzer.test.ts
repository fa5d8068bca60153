/**
 * IAM Access Analyzer as a source, against aws-sdk-client-mock: moto 5.2.1 has no Access Analyzer v2
 * (docs/aws-behaviour.md §7.4), so the answers are the API model's shapes (./api-examples.ts).
 * Covered: `auto` prefers the Security Hub managed analyzer, an explicit ARN, none found; ListFindingsV2
 * and GetFindingV2 both paginated; all four finding types mapped onto evidence; only ACTIVE findings.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  AccessAnalyzerClient,
  GetFindingV2Command,
  ListAnalyzersCommand,
  ListFindingsV2Command,
} from '@aws-sdk/client-accessanalyzer';
import { mockClient } from 'aws-sdk-client-mock';
import { findUnusedAccessAnalyzer } from '../../../src/sources/access-analyzer/find-analyzer.ts';
import { indexAccessAnalyzerEvidence } from '../../../src/sources/access-analyzer/to-evidence.ts';
import { listUnusedAccessFindings } from '../../../src/sources/access-analyzer/unused-access-findings.ts';
import {
  ACCOUNT,
  aFindingV2,
  anAnalyzer,
  aSummaryV2,
  CUSTOM_ANALYZER_ARN,
  SECURITY_HUB_ANALYZER,
  SECURITY_HUB_ANALYZER_ARN,
} from './api-examples.ts';

const mock = mockClient(AccessAnalyzerClient);
const client = () => new AccessAnalyzerClient({ region: 'us-east-1' });
afterEach(() => mock.reset());

describe('finding the analyzer', () => {
  it('auto prefers the analyzer Security Hub manages over a custom and an organization one', async () => {
    mock
      .on(ListAnalyzersCommand, { type: 'ACCOUNT_UNUSED_ACCESS' })
      .resolves({ analyzers: [anAnalyzer(), SECURITY_HUB_ANALYZER] })
      .on(ListAnalyzersCommand, { type: 'ORGANIZATION_UNUSED_ACCESS' })
      .resolves({
        analyzers: [anAnalyzer({ arn: `${CUSTOM_ANALYZER_ARN}-org`, type: 'ORGANIZATION_UNUSED_ACCESS' })],
      });
    const found = await findUnusedAccessAnalyzer(client(), 'auto');
    assert.equal(found?.arn, SECURITY_HUB_ANALYZER_ARN);
    assert.equal(found?.trackingDays, 90);
    assert.equal(found?.managedBy, 'securityhubv2.amazonaws.com');
  });

  it('an explicit ARN picks that analyzer; an inactive or missing one is none', async () => {
    mock
      .on(ListAnalyzersCommand, { type: 'ACCOUNT_UNUSED_ACCESS' })
      .resolves({
        analyzers: [anAnalyzer(), { ...SECURITY_HUB_ANALYZER, status: 'DISABLED' }],
      })
      .on(ListAnalyzersCommand, { type: 'ORGANIZATION_UNUSED_ACCESS' })
      .resolves({ analyzers: [] });
    assert.equal((await findUnusedAccessAnalyzer(client(), CUSTOM_ANALYZER_ARN))?.trackingDays, 180);
    assert.equal(await findUnusedAccessAnalyzer(client(), SECURITY_HUB_ANALYZER_ARN), null);
    assert.equal((await findUnusedAccessAnalyzer(client(), 'auto'))?.arn, CUSTOM_ANALYZER_ARN);
  });

  it('none at all: null, and nothing is ever created', async () => {
    mock.on(ListAnalyzersCommand).resolves({ analyzers: [] });
    assert.equal(await findUnusedAccessAnalyzer(client(), 'auto'), null);
    const calls = mock.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name);
    assert.deepEqual([...new Set(calls)], ['ListAnalyzersCommand']);
  });
});

describe('reading unused-access findings', () => {
  const alice = `arn:aws:iam::${ACCOUNT}:user/alice`;
  const deployer = `arn:aws:iam::${ACCOUNT}:role/deployer`;

  it('pages ListFindingsV2 and GetFindingV2 and maps all four finding types', async () => {
    mock
      .on(ListFindingsV2Command, { nextToken: undefined })
      .resolves({
        findings: [
          aSummaryV2('f-key', alice, 'UnusedIAMUserAccessKey'),
          aSummaryV2('f-pw', alice, 'UnusedIAMUserPassword'),
        ],
        nextToken: 'page-2',
      })
      .on(ListFindingsV2Command, { nextToken: 'page-2' })
      .resolves({
        findings: [
          aSummaryV2('f-role', deployer, 'UnusedIAMRole'),
          aSummaryV2('f-perm', deployer, 'UnusedPermission'),
          aSummaryV2('f-old', deployer, 'UnusedIAMRole', 'RESOLVED'),
        ],
      });
    mock
      .on(GetFindingV2Command, { id: 'f-key' })
      .resolves(
        aFindingV2('f-key', alice, 'UnusedIAMUserAccessKey', [
          {
            unusedIamUserAccessKeyDetails: {
              accessKeyId: 'AKIAALICE00000000001',
              lastAccessed: new Date('2026-06-01T00:00:00Z'),
            },
          },
        ]),
      )
      .on(GetFindingV2Command, { id: 'f-pw' })
      .resolves(aFindingV2('f-pw', alice, 'UnusedIAMUserPassword', [{ unusedIamUserPasswordDetails: {} }]))
      .on(GetFindingV2Command, { id: 'f-role' })
      .resolves(
        aFindingV2('f-role', deployer, 'UnusedIAMRole', [
          { unusedIamRoleDetails: { lastAccessed: new Date('2026-05-01T00:00:00Z') } },
        ]),
      )
      .on(GetFindingV2Command, { id: 'f-perm', nextToken: undefined })
      .resolves(
        aFindingV2(
          'f-perm',
          deployer,
          'UnusedPermission',
          [
            {
              unusedPermissionDetails: {
                serviceNamespace: 's3',
                lastAccessed: new Date('2026-04-01T00:00:00Z'),
                actions: [{ action: 's3:GetObject', lastAccessed: new Date('2026-04-01T00:00:00Z') }],
              },
            },
          ],
          'details-2',
        ),
      )
      .on(GetFindingV2Command, { id: 'f-perm', nextToken: 'details-2' })
      .resolves(
        aFindingV2('f-perm', deployer, 'UnusedPermission', [
          { unusedPermissionDetails: { serviceNamespace: 'sqs' } },
        ]),
      );

    const findings = await listUnusedAccessFindings(client(), SECURITY_HUB_ANALYZER_ARN);
    assert.deepEqual(
      findings.map((f) => [f.id, f.findingType]),
      [
        ['f-key', 'UnusedIAMUserAccessKey'],
        ['f-pw', 'UnusedIAMUserPassword'],
        ['f-role', 'UnusedIAMRole'],
        ['f-perm', 'UnusedPermission'],
      ],
    );
    assert.equal(mock.commandCalls(ListFindingsV2Command).length, 2);
    const first = mock.commandCalls(ListFindingsV2Command)[0]!.args[0].input;
    assert.deepEqual(first.filter?.status, { eq: ['ACTIVE'] });
    assert.equal(mock.commandCalls(GetFindingV2Command, { id: 'f-perm' }).length, 2, 'details paged');

    const evidence = indexAccessAnalyzerEvidence(findings, {
      arn: SECURITY_HUB_ANALYZER_ARN,
      trackingDays: 90,
    });
    const a = evidence.get(alice)!;
    assert.deepEqual(a.accessKeys, {
      AKIAALICE00000000001: { findingId: 'f-key', lastAccessed: Date.UTC(2026, 5, 1) },
    });
    assert.deepEqual(a.password, { findingId: 'f-pw', lastAccessed: null });
    const d = evidence.get(deployer)!;
    assert.deepEqual(d.role, { findingId: 'f-role', lastAccessed: Date.UTC(2026, 4, 1) });
    // s3 lists an unused action (the service itself may be in use); sqs lists none: all of it unused
    assert.deepEqual(d.permissions, {
      s3: {
        findingId: 'f-perm',
        lastAccessed: Date.UTC(2026, 3, 1),
        wholeService: false,
        actions: { 's3:GetObject': { findingId: 'f-perm', lastAccessed: Date.UTC(2026, 3, 1) } },
      },
      sqs: { findingId: 'f-perm', lastAccessed: null, wholeService: true, actions: {} },
    });
  });
});
