/**
 * `credsweep permissions --access-analyzer [auto|ARN]`, in process (runCli): IAM (Access Advisor) and
 * IAM Access Analyzer are both aws-sdk-client-mock, because moto 5.2.1 has neither Access Advisor
 * (docs/aws-behaviour.md §7.3) nor Access Analyzer v2 (§7.4). The answers follow the API models'
 * shapes (test/sources/access-advisor/api-examples.ts, test/sources/access-analyzer/api-examples.ts).
 *
 * Shown: the analyzer's action-level details become findings for a service Access Advisor tracks no
 * actions of (source access_analyzer), a service only the analyzer names becomes one, each finding says
 * which source its verdict comes from, both directions of disagreement are listed with both dates,
 * `--suggest-policy` drops the analyzer's unused actions too, service granularity stays service-level,
 * no analyzer → one line and the same findings, an unreadable analyzer → exit 3 with the findings.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  AccessAnalyzerClient,
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
import { type AuditReport, auditReportSchema } from '../../src/model/finding.ts';
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
const AS_OF = '2026-12-01';
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW - days * DAY);
const day = (days: number) => ago(days).toISOString().slice(0, 10);
const iso = (days: number) => ago(days).toISOString().replace('.000Z', 'Z');
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/app`;

function mockAccessAdvisor(): void {
  iamMock.on(GetRoleCommand).resolves({
    Role: { RoleName: 'app', Arn: ROLE_ARN, RoleId: 'AROAEXAMPLE', Path: '/', CreateDate: ago(700) },
  });
  iamMock.on(GenerateServiceLastAccessedDetailsCommand).resolves(GENERATE_EXAMPLE);
  iamMock.on(GetServiceLastAccessedDetailsCommand).resolves({
    IsTruncated: false,
    JobType: 'ACTION_LEVEL',
    JobStatus: 'COMPLETED',
    JobCreationDate: ago(0),
    JobCompletionDate: ago(0),
    ServicesLastAccessed: [
      {
        ServiceName: 'Amazon Simple Storage Service',
        ServiceNamespace: 's3',
        LastAuthenticated: ago(5),
        LastAuthenticatedRegion: 'us-east-1',
        TotalAuthenticatedEntities: 1,
        TrackedActionsLastAccessed: [
          { ActionName: 'GetObject', LastAccessedTime: ago(5), LastAccessedRegion: 'us-east-1' },
          { ActionName: 'DeleteBucket' },
        ],
      },
      // a service IAM tracks no actions of: Access Advisor says nothing below the service
      {
        ServiceName: 'Amazon EC2',
        ServiceNamespace: 'ec2',
        LastAuthenticated: ago(10),
        TotalAuthenticatedEntities: 1,
      },
      { ServiceName: 'Amazon SQS', ServiceNamespace: 'sqs', TotalAuthenticatedEntities: 0 },
    ],
  });
}

function mockAnalyzer(): void {
  analyzerMock
    .on(ListAnalyzersCommand, { type: 'ACCOUNT_UNUSED_ACCESS' })
    .resolves({ analyzers: [SECURITY_HUB_ANALYZER] })
    .on(ListAnalyzersCommand, { type: 'ORGANIZATION_UNUSED_ACCESS' })
    .resolves({ analyzers: [] });
  analyzerMock
    .on(ListFindingsV2Command)
    .resolves({ findings: [aSummaryV2('f-perm', ROLE_ARN, 'UnusedPermission')] });
  analyzerMock.on(GetFindingV2Command, { id: 'f-perm' }).resolves(
    aFindingV2('f-perm', ROLE_ARN, 'UnusedPermission', [
      {
        unusedPermissionDetails: {
          serviceNamespace: 's3',
          lastAccessed: ago(5),
          actions: [{ action: 's3:DeleteBucket' }, { action: 's3:GetObject', lastAccessed: ago(120) }],
        },
      },
      {
        unusedPermissionDetails: {
          serviceNamespace: 'ec2',
          lastAccessed: ago(10),
          // written without the namespace: credsweep names it ec2:RunInstances either way
          actions: [{ action: 'ec2:TerminateInstances' }, { action: 'RunInstances', lastAccessed: ago(200) }],
        },
      },
      { unusedPermissionDetails: { serviceNamespace: 'dynamodb', lastAccessed: ago(300) } },
    ]),
  );
}

describe('permissions --access-analyzer (mocked Access Advisor and Access Analyzer)', () => {
  let dir: string;
  const saved = { ...process.env };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credsweep-perm-aa-'));
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

  async function permissions(
    extra: string[],
  ): Promise<{ code: number; report: AuditReport; stderr: string }> {
    const { ctx, stderr } = capturingContext(NOW);
    const out = join(dir, `p-${Math.random().toString(36).slice(2)}.json`);
    const code = await runCli(
      [
        'permissions',
        '--principal',
        ROLE_ARN,
        '--as-of',
        AS_OF,
        '--format',
        'json',
        '--output',
        out,
        ...extra,
      ],
      ctx,
    );
    const text = await readFile(out, 'utf8').catch(() =>
      assert.fail(`no report (exit ${code}): ${stderr()}`),
    );
    return { code, report: auditReportSchema.parse(JSON.parse(text)), stderr: stderr() };
  }

  it('merges the analyzer with Access Advisor, names each source and lists the disagreements', async () => {
    mockAccessAdvisor();
    mockAnalyzer();
    const { code, report, stderr } = await permissions(['--granularity', 'action', '--access-analyzer']);
    assert.equal(code, 0, stderr);
    assert.match(
      stderr,
      /IAM Access Analyzer _AccessAnalyzerForSecurityHub-3f2a .*: 1 active unused-access finding/,
    );
    assert.deepEqual(
      report.findings.map((f) => [f.action ?? f.service, f.status, f.lastActivitySource, f.ageDays]),
      [
        ['dynamodb', 'unused', 'access_analyzer', 300], // only the analyzer names it
        ['ec2', 'in_use', 'last_used', 10],
        ['ec2:RunInstances', 'unused', 'access_analyzer', 200], // Access Advisor tracks no ec2 actions
        ['ec2:TerminateInstances', 'unused', 'created', 700],
        ['s3', 'in_use', 'last_used', 5],
        ['s3:DeleteBucket', 'unused', 'created', 700],
        ['s3:GetObject', 'in_use', 'last_used', 5],
        ['sqs', 'unused', 'created', 700],
      ],
    );
    const by = (name: string) => report.findings.find((f) => (f.action ?? f.service) === name)!;
    for (const f of report.findings) assert.ok(f.caveats.includes('access_analyzer_90_days'), f.reason);
    assert.match(
      by('ec2:RunInstances').reason,
      /last accessed 200 days ago according to IAM Access Analyzer/,
    );
    assert.match(
      by('ec2:TerminateInstances').reason,
      /never accessed in IAM Access Analyzer's tracking period/,
    );
    assert.match(by('s3:DeleteBucket').reason, /never accessed in Access Advisor's tracking period/);
    assert.equal(by('s3:DeleteBucket').disagreement, undefined, 'both say unused');
    assert.equal(by('dynamodb').disagreement, undefined);

    // the analyzer says s3:GetObject unused (last 120 days ago); Access Advisor saw it 5 days ago
    assert.deepEqual(by('s3:GetObject').disagreement, {
      accessAnalyzer: 'unused',
      accessAnalyzerLastAccessed: iso(120),
      credsweep: 'in_use',
      credsweepLastUsed: iso(5),
      findingId: 'f-perm',
    });
    assert.match(
      by('s3:GetObject').reason,
      new RegExp(
        `IAM Access Analyzer reports it unused \\(last used ${day(120)}\\), but Access Advisor saw it accessed ${day(5)}`,
      ),
    );
    // Access Advisor: sqs never accessed by a 700-day-old role; the analyzer does not report it
    assert.deepEqual(by('sqs').disagreement, {
      accessAnalyzer: 'not_reported',
      accessAnalyzerLastAccessed: null,
      credsweep: 'unused',
      credsweepLastUsed: null,
    });
    assert.ok(by('sqs').caveats.includes('access_analyzer_disagrees'));
    // a service the analyzer names for some actions is neither used nor unused to it: no disagreement
    assert.equal(by('s3').disagreement, undefined);
    assert.equal(by('ec2').disagreement, undefined);
  });

  it('--suggest-policy drops the unused actions only the analyzer knows', async () => {
    mockAccessAdvisor();
    mockAnalyzer();
    analyzerMock
      .on(GetFindingRecommendationCommand)
      .rejects(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }));
    const { ctx, stderr } = capturingContext(NOW);
    const out = join(dir, 'policy.json');
    const args = ['permissions', '--principal', ROLE_ARN, '--granularity', 'action', '--access-analyzer'];
    const code = await runCli([...args, '--suggest-policy', '--as-of', AS_OF, '--output', out], ctx);
    assert.equal(code, 0, stderr());
    const [suggestion] = JSON.parse(await readFile(out, 'utf8')).suggestions;
    assert.deepEqual(suggestion.keptServices, ['ec2', 's3']);
    assert.deepEqual(suggestion.removedServices, ['dynamodb', 'sqs']);
    assert.deepEqual(suggestion.removedActions, [
      'ec2:RunInstances',
      'ec2:TerminateInstances',
      's3:DeleteBucket',
    ]);
  });

  it('service granularity: the analyzer moves service verdicts only', async () => {
    mockAccessAdvisor();
    mockAnalyzer();
    const { code, report } = await permissions(['--access-analyzer', SECURITY_HUB_ANALYZER_ARN]);
    assert.equal(code, 0);
    assert.deepEqual(
      report.findings.map((f) => [f.service, f.action ?? null, f.status]),
      [
        ['dynamodb', null, 'unused'],
        ['ec2', null, 'in_use'],
        ['s3', null, 'in_use'],
        ['sqs', null, 'unused'],
      ],
    );
  });

  it('no analyzer: one clear line, exit 0, the same findings as without the flag', async () => {
    mockAccessAdvisor();
    analyzerMock.on(ListAnalyzersCommand).resolves({ analyzers: [] });
    const withFlag = await permissions(['--granularity', 'action', '--access-analyzer', 'auto']);
    const without = await permissions(['--granularity', 'action']);
    assert.equal(withFlag.code, 0);
    assert.match(
      withFlag.stderr,
      /^credsweep: no IAM Access Analyzer unused-access analyzer in this account and Region; audited without it/m,
    );
    assert.deepEqual(withFlag.report.findings, without.report.findings);
  });

  it('an analyzer that cannot be read: one line, every Access Advisor finding, exit 3', async () => {
    mockAccessAdvisor();
    analyzerMock.on(ListAnalyzersCommand).rejects(
      Object.assign(new Error('not authorized to perform access-analyzer:ListAnalyzers'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const { code, report, stderr } = await permissions(['--granularity', 'action', '--access-analyzer']);
    assert.equal(code, 3);
    assert.match(stderr, /IAM Access Analyzer: AccessDenied/);
    assert.equal(report.findings.length, 5, 'ec2, s3 and its two actions, sqs');
  });
});
