/**
 * `credsweep permissions --suggest-policy --access-analyzer`: beside credsweep's own boundary, each
 * suggestion carries IAM Access Analyzer's recommendation for the principal's UnusedPermission finding
 * (GetFindingRecommendation, paginated), read only: never generated. In process (runCli) with IAM and
 * Access Analyzer both aws-sdk-client-mock: moto 5.2.1 has neither Access Advisor (docs/aws-behaviour.md
 * §7.3) nor Access Analyzer v2 (§7.4); the answers follow the API models' shapes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  AccessAnalyzerClient,
  GenerateFindingRecommendationCommand,
  GetFindingRecommendationCommand,
  GetFindingV2Command,
  ListAnalyzersCommand,
  ListFindingsV2Command,
} from '@aws-sdk/client-accessanalyzer';
import {
  GenerateServiceLastAccessedDetailsCommand,
  GetRoleCommand,
  GetServiceLastAccessedDetailsCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from '../../src/cli/program.ts';
import { capturingContext } from '../helpers/cli.ts';
import { GENERATE_EXAMPLE } from '../sources/access-advisor/api-examples.ts';
import {
  ACCOUNT,
  aFindingV2,
  aSummaryV2,
  SECURITY_HUB_ANALYZER,
  SECURITY_HUB_ANALYZER_ARN,
} from '../sources/access-analyzer/api-examples.ts';

const iamMock = mockClient(IAMClient);
const analyzerMock = mockClient(AccessAnalyzerClient);
const NOW = Date.UTC(2026, 11, 1);
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW - days * DAY);
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/app`;
const RECOMMENDED = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }],
};

function mockAccount(): void {
  iamMock.on(GetRoleCommand).resolves({
    Role: { RoleName: 'app', Arn: ROLE_ARN, RoleId: 'AROAEXAMPLE', Path: '/', CreateDate: ago(700) },
  });
  iamMock.on(GenerateServiceLastAccessedDetailsCommand).resolves(GENERATE_EXAMPLE);
  iamMock.on(GetServiceLastAccessedDetailsCommand).resolves({
    JobStatus: 'COMPLETED',
    JobCreationDate: ago(0),
    JobCompletionDate: ago(0),
    IsTruncated: false,
    ServicesLastAccessed: [
      {
        ServiceName: 'Amazon S3',
        ServiceNamespace: 's3',
        LastAuthenticated: ago(5),
        TotalAuthenticatedEntities: 1,
      },
      { ServiceName: 'Amazon SQS', ServiceNamespace: 'sqs', TotalAuthenticatedEntities: 0 },
    ],
  });
  analyzerMock.on(ListAnalyzersCommand).resolves({ analyzers: [SECURITY_HUB_ANALYZER] });
  analyzerMock
    .on(ListFindingsV2Command)
    .resolves({ findings: [aSummaryV2('f-perm', ROLE_ARN, 'UnusedPermission')] });
  analyzerMock
    .on(GetFindingV2Command)
    .resolves(
      aFindingV2('f-perm', ROLE_ARN, 'UnusedPermission', [
        { unusedPermissionDetails: { serviceNamespace: 'sqs' } },
      ]),
    );
}

describe('permissions --suggest-policy --access-analyzer: the analyzer’s recommendation', () => {
  let dir: string;
  const saved = { ...process.env };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credsweep-recommend-'));
    process.env.AWS_ACCESS_KEY_ID = 'testing';
    process.env.AWS_SECRET_ACCESS_KEY = 'testing';
    process.env.AWS_REGION = 'us-east-1';
  });
  after(async () => {
    process.env = saved;
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    iamMock.reset();
    analyzerMock.reset();
  });

  async function suggest(): Promise<{ code: number; suggestion: Record<string, unknown>; stderr: string }> {
    const { ctx, stderr } = capturingContext(NOW);
    const out = join(dir, `s-${Math.random().toString(36).slice(2)}.json`);
    const args = ['permissions', '--principal', ROLE_ARN, '--access-analyzer', '--suggest-policy'];
    const code = await runCli([...args, '--as-of', '2026-12-01', '--output', out], ctx);
    const { suggestions } = JSON.parse(await readFile(out, 'utf8'));
    return { code, suggestion: suggestions[0], stderr: stderr() };
  }

  it('attaches a generated recommendation (both pages), beside credsweep’s own boundary', async () => {
    mockAccount();
    analyzerMock
      .on(GetFindingRecommendationCommand, { id: 'f-perm', nextToken: undefined })
      .resolves({
        startedAt: ago(1),
        completedAt: ago(1),
        status: 'SUCCEEDED',
        resourceArn: ROLE_ARN,
        recommendationType: 'UnusedPermissionRecommendation',
        recommendedSteps: [
          {
            unusedPermissionsRecommendedStep: {
              recommendedAction: 'CREATE_POLICY',
              existingPolicyId: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
              policyUpdatedAt: ago(400),
              recommendedPolicy: JSON.stringify(RECOMMENDED),
            },
          },
        ],
        nextToken: 'steps-2',
      })
      .on(GetFindingRecommendationCommand, { id: 'f-perm', nextToken: 'steps-2' })
      .resolves({
        startedAt: ago(1),
        status: 'SUCCEEDED',
        resourceArn: ROLE_ARN,
        recommendationType: 'UnusedPermissionRecommendation',
        recommendedSteps: [
          {
            unusedPermissionsRecommendedStep: {
              recommendedAction: 'DETACH_POLICY',
              existingPolicyId: 'sqs-inline',
            },
          },
        ],
      });
    const { code, suggestion, stderr } = await suggest();
    assert.equal(code, 0, stderr);
    assert.deepEqual(suggestion.removedServices, ['sqs'], 'credsweep’s own suggestion is still there');
    assert.deepEqual(suggestion.accessAnalyzerRecommendations, [
      {
        findingId: 'f-perm',
        status: 'SUCCEEDED',
        steps: [
          {
            action: 'CREATE_POLICY',
            existingPolicyId: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
            policyUpdatedAt: ago(400).toISOString().replace('.000Z', 'Z'),
            recommendedPolicy: RECOMMENDED,
          },
          { action: 'DETACH_POLICY', existingPolicyId: 'sqs-inline' },
        ],
      },
    ]);
    const calls = analyzerMock.commandCalls(GetFindingRecommendationCommand).map((c) => c.args[0].input);
    assert.deepEqual(
      calls.map((i) => [i.analyzerArn, i.id]),
      [
        [SECURITY_HUB_ANALYZER_ARN, 'f-perm'],
        [SECURITY_HUB_ANALYZER_ARN, 'f-perm'],
      ],
    );
    assert.equal(
      analyzerMock.commandCalls(GenerateFindingRecommendationCommand).length,
      0,
      'never generated',
    );
  });

  it('none generated yet: NOT_GENERATED, and credsweep does not start one', async () => {
    mockAccount();
    analyzerMock
      .on(GetFindingRecommendationCommand)
      .rejects(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }));
    const { code, suggestion } = await suggest();
    assert.equal(code, 0);
    assert.deepEqual(suggestion.accessAnalyzerRecommendations, [
      { findingId: 'f-perm', status: 'NOT_GENERATED', steps: [] },
    ]);
    assert.equal(analyzerMock.commandCalls(GenerateFindingRecommendationCommand).length, 0);
  });

  it('unreadable: one line, the suggestion without it, exit 3', async () => {
    mockAccount();
    analyzerMock.on(GetFindingRecommendationCommand).rejects(
      Object.assign(new Error('not authorized to perform access-analyzer:GetFindingRecommendation'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const { code, suggestion, stderr } = await suggest();
    assert.equal(code, 3);
    assert.match(
      stderr,
      /^credsweep: IAM Access Analyzer recommendations: AccessDenied.*; suggested without them$/m,
    );
    assert.equal(suggestion.accessAnalyzerRecommendations, undefined);
    assert.deepEqual(suggestion.removedServices, ['sqs']);
  });
});
