/**
 * `credsweep audit --source api --access-analyzer [auto|ARN]`, in process: IAM is a real moto_server
 * (users, keys and roles at shifted dates); IAM Access Analyzer is aws-sdk-client-mock, because moto
 * 5.2.1 has no Access Analyzer v2 (docs/aws-behaviour.md §7.4), answering in the API model's
 * shapes (test/sources/access-analyzer/api-examples.ts).
 *
 * Shown: the analyzer's verdicts folded in before the rules (a role's last use learnt from it, with
 * lastActivitySource access_analyzer and the tracking-period caveat); both directions of
 * disagreement listed with both verdicts and dates; `auto` picking the Security Hub analyzer; no
 * analyzer → one clear line, exit 0, and the same findings as without the flag; a denied analyzer →
 * one line, the audit still complete, exit 3.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import {
  AccessAnalyzerClient,
  GetFindingV2Command,
  ListAnalyzersCommand,
  ListFindingsV2Command,
} from '@aws-sdk/client-accessanalyzer';
import { IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from '../../src/cli/program.ts';
import { type AuditReport, auditReportSchema, type Finding } from '../../src/model/finding.ts';
import { capturingContext } from '../helpers/cli.ts';
import { type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedRole, seedUser } from '../helpers/seed-iam.ts';
import {
  ACCOUNT,
  aFindingV2,
  anAnalyzer,
  aSummaryV2,
  SECURITY_HUB_ANALYZER,
  SECURITY_HUB_ANALYZER_ARN,
} from '../sources/access-analyzer/api-examples.ts';

const DAY = 86_400_000;
const analyzerMock = mockClient(AccessAnalyzerClient);

describe('audit --access-analyzer (moto IAM, mocked Access Analyzer)', () => {
  let moto: MotoServer;
  let iam: IAMClient;
  let aliceKeys: string[];
  const saved = { ...process.env };
  before(async () => {
    moto = await startMoto();
    iam = new IAMClient(moto.clientConfig());
    process.env.AWS_ACCESS_KEY_ID = 'testing';
    process.env.AWS_SECRET_ACCESS_KEY = 'testing';
    process.env.AWS_REGION = 'us-east-1';
  });
  after(async () => {
    process.env = saved;
    iam.destroy();
    await moto.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    ({ keyIds: aliceKeys } = await seedUser(moto, iam, {
      name: 'alice',
      createdDaysAgo: 300,
      keys: [{ createdDaysAgo: 300, usedDaysAgo: 10 }, { createdDaysAgo: 200 }],
    }));
    await seedRole(moto, iam, { name: 'deployer', createdDaysAgo: 300 });
    await seedRole(moto, iam, { name: 'legacy', createdDaysAgo: 300 });
  });
  afterEach(() => analyzerMock.reset());

  async function audit(extra: string[]): Promise<{ code: number; report: AuditReport; stderr: string }> {
    const { ctx, stderr } = capturingContext(Date.now());
    const dir = await mkdtemp(join(tmpdir(), 'credsweep-aa-'));
    const out = join(dir, 'audit.json');
    try {
      const code = await runCli(
        [
          'audit',
          '--source',
          'api',
          '--endpoint-url',
          moto.endpoint,
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
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  const find = (report: AuditReport, name: string, credential: string) =>
    report.findings.find((f) => f.principalName === name && f.credential === credential) as Finding;

  function mockAnalyzerWithFindings(): void {
    analyzerMock
      .on(ListAnalyzersCommand, { type: 'ACCOUNT_UNUSED_ACCESS' })
      .resolves({ analyzers: [anAnalyzer(), SECURITY_HUB_ANALYZER] })
      .on(ListAnalyzersCommand, { type: 'ORGANIZATION_UNUSED_ACCESS' })
      .resolves({ analyzers: [] });
    const alice = `arn:aws:iam::${ACCOUNT}:user/alice`;
    const deployer = `arn:aws:iam::${ACCOUNT}:role/deployer`;
    analyzerMock.on(ListFindingsV2Command, { analyzerArn: SECURITY_HUB_ANALYZER_ARN }).resolves({
      findings: [
        aSummaryV2('f-key1', alice, 'UnusedIAMUserAccessKey'),
        aSummaryV2('f-key2', alice, 'UnusedIAMUserAccessKey'),
        aSummaryV2('f-role', deployer, 'UnusedIAMRole'),
      ],
    });
    analyzerMock
      .on(GetFindingV2Command, { id: 'f-key1' })
      .resolves(
        aFindingV2('f-key1', alice, 'UnusedIAMUserAccessKey', [
          {
            unusedIamUserAccessKeyDetails: {
              accessKeyId: aliceKeys[0]!,
              lastAccessed: new Date(Date.now() - 120 * DAY),
            },
          },
        ]),
      )
      .on(GetFindingV2Command, { id: 'f-key2' })
      .resolves(
        aFindingV2('f-key2', alice, 'UnusedIAMUserAccessKey', [
          { unusedIamUserAccessKeyDetails: { accessKeyId: aliceKeys[1]! } },
        ]),
      )
      .on(GetFindingV2Command, { id: 'f-role' })
      .resolves(
        aFindingV2('f-role', deployer, 'UnusedIAMRole', [
          { unusedIamRoleDetails: { lastAccessed: new Date(Date.now() - 100 * DAY) } },
        ]),
      );
  }

  it('folds verdicts in before the rules and lists every disagreement with both sides', async () => {
    mockAnalyzerWithFindings();
    const { code, report, stderr } = await audit(['--access-analyzer']);
    assert.equal(code, 0, stderr);
    assert.match(
      stderr,
      /IAM Access Analyzer _AccessAnalyzerForSecurityHub-3f2a \(managed by securityhubv2\.amazonaws\.com\): 3 active unused-access findings, tracking period 90 days/,
    );
    assert.deepEqual(
      analyzerMock.commandCalls(ListFindingsV2Command).map((c) => c.args[0].input.analyzerArn),
      [SECURITY_HUB_ANALYZER_ARN],
      'auto read the Security Hub analyzer',
    );

    // deployer: IAM has no last use; the analyzer knows one 100 days ago → that date, unused
    const deployer = find(report, 'deployer', 'role');
    assert.equal(deployer.lastActivitySource, 'access_analyzer');
    assert.equal(deployer.status, 'unused');
    assert.equal(deployer.ageDays, 100);
    assert.equal(deployer.neverUsed, false);
    assert.ok(deployer.caveats.includes('access_analyzer_90_days'));
    assert.match(deployer.reason, /according to IAM Access Analyzer/);
    assert.equal(deployer.disagreement, undefined);

    // alice key 1: the analyzer says unused (last 120 days ago), IAM saw it used 10 days ago
    const key1 = find(report, 'alice', 'access_key_1');
    assert.equal(key1.status, 'in_use');
    assert.equal(key1.disagreement?.accessAnalyzer, 'unused');
    assert.equal(key1.disagreement?.credsweep, 'in_use');
    assert.equal(key1.disagreement?.findingId, 'f-key1');
    assert.equal(
      key1.disagreement?.accessAnalyzerLastAccessed?.slice(0, 10),
      new Date(Date.now() - 120 * DAY).toISOString().slice(0, 10),
    );
    assert.equal(
      key1.disagreement?.credsweepLastUsed?.slice(0, 10),
      new Date(Date.now() - 10 * DAY).toISOString().slice(0, 10),
    );
    assert.ok(key1.caveats.includes('access_analyzer_disagrees'));

    // alice key 2: both say never used → agreement
    assert.equal(find(report, 'alice', 'access_key_2').status, 'unused');
    assert.equal(find(report, 'alice', 'access_key_2').disagreement, undefined);

    // legacy: credsweep says never used for 300 days, the analyzer does not report it
    const legacy = find(report, 'legacy', 'role');
    assert.equal(legacy.status, 'unused');
    assert.deepEqual(legacy.disagreement, {
      accessAnalyzer: 'not_reported',
      accessAnalyzerLastAccessed: null,
      credsweep: 'unused',
      credsweepLastUsed: null,
    });
  });

  it('no analyzer: one clear line, exit 0, and the same findings as without the flag', async () => {
    analyzerMock.on(ListAnalyzersCommand).resolves({ analyzers: [] });
    const withFlag = await audit(['--access-analyzer', 'auto']);
    const without = await audit([]);
    assert.equal(withFlag.code, 0);
    assert.match(
      withFlag.stderr,
      /^credsweep: no IAM Access Analyzer unused-access analyzer in this account and Region; audited without it/m,
    );
    const essence = (r: AuditReport) =>
      r.findings.map((f) => [f.principalName, f.credential, f.status, f.caveats]);
    assert.deepEqual(essence(withFlag.report), essence(without.report));
  });

  it('an analyzer that cannot be read: one line, the audit still complete, exit 3', async () => {
    analyzerMock.on(ListAnalyzersCommand).rejects(
      Object.assign(new Error('not authorized to perform access-analyzer:ListAnalyzers'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const { code, report, stderr } = await audit(['--access-analyzer']);
    assert.equal(code, 3);
    assert.match(stderr, /IAM Access Analyzer: AccessDenied/);
    assert.equal(find(report, 'legacy', 'role').status, 'unused');
  });

  it('a malformed analyzer ARN is a usage error (exit 2)', async () => {
    const { ctx, stderr } = capturingContext(Date.now());
    const code = await runCli(['audit', '--access-analyzer', 'arn:aws:iam::1:role/x'], ctx);
    assert.equal(code, 2);
    assert.match(stderr(), /--access-analyzer/);
  });
});
