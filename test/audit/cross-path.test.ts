/**
 * One account, one configuration, several callers: `audit` and a live `plan` on both sources
 * (`--source api`, and the credential report with key ids where they matter) and the scheduled Lambda
 * handler all run the library's runAudit with the same settings resolver, so they must agree on every
 * status, plan must plan exactly the unused, non-exempt keys, and both sources plan the same steps; the
 * kinds the credential report lacks (an SSH public key, an unassigned virtual MFA device) are reported
 * alike by every path, the Lambda's included, and planned alike by both sources. Against
 * a real moto_server; the CLI runs in process (runCli) so each case takes a second or so.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  IAMClient,
  UploadSSHPublicKeyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { runCli } from '../../src/cli/program.ts';
import { handler } from '../../src/lambda/handler.ts';
import { type AuditReport, auditReportSchema } from '../../src/model/finding.ts';
import { credentialIdOf, remediationPlanSchema } from '../../src/model/remediation-plan.ts';
import { capturingContext } from '../helpers/cli.ts';
import { MOTO_CLI_ENV, MOTO_DEFAULT_ACCOUNT, type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedUser } from '../helpers/seed-iam.ts';

const BUCKET = 'credsweep-cross-path';
const savedEnv = { ...process.env };
let moto: MotoServer;
let dir: string;

const EXEMPTION = { owner: 'secops', reason: 'sealed break-glass', expires: '2099-12-31' };

interface Case {
  name: string;
  config: object;
  /** principal → status of its access key, as every path must report it. */
  expected: Record<string, string>;
}

const CASES: Case[] = [
  {
    name: 'exempt by configuration (principal) and by tag, default 90 days',
    config: { exemptions: [{ principal: 'alice', ...EXEMPTION }] },
    expected: {
      alice: 'exempt',
      breakglass: 'exempt',
      bob: 'unused',
      carol: 'in_use',
      dave: 'unused',
      erin: 'unused',
    },
  },
  {
    name: 'days: 365',
    config: { days: 365 },
    expected: {
      alice: 'in_use',
      breakglass: 'exempt',
      bob: 'in_use',
      carol: 'in_use',
      dave: 'unused',
      erin: 'in_use',
    },
  },
  {
    name: 'per-kind threshold (access_key: 150) and an exemption by tag in the file',
    config: {
      days: 30,
      thresholds: { access_key: 150 },
      exemptions: [{ tag: { key: 'team', value: 'payments' }, ...EXEMPTION }],
    },
    expected: {
      alice: 'unused',
      breakglass: 'exempt',
      bob: 'exempt',
      carol: 'in_use',
      dave: 'unused',
      erin: 'in_use',
    },
  },
];

before(async () => {
  moto = await startMoto();
  dir = await mkdtemp(join(tmpdir(), 'credsweep-cross-path-'));
  Object.assign(process.env, MOTO_CLI_ENV, {
    AWS_ENDPOINT_URL: moto.endpoint,
    CREDSWEEP_BUCKET: BUCKET,
    CREDSWEEP_PREFIX: 'runs/',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  const iam = new IAMClient(moto.clientConfig());
  await seedUser(moto, iam, { name: 'alice', createdDaysAgo: 200, keys: [{ createdDaysAgo: 200 }] });
  await seedUser(moto, iam, {
    name: 'breakglass',
    createdDaysAgo: 300,
    keys: [{ createdDaysAgo: 300 }],
    tags: { 'credsweep:exempt': 'true' },
  });
  await seedUser(moto, iam, {
    name: 'bob',
    createdDaysAgo: 200,
    keys: [{ createdDaysAgo: 200 }],
    tags: { team: 'payments' },
  });
  await seedUser(moto, iam, {
    name: 'carol',
    createdDaysAgo: 300,
    keys: [{ createdDaysAgo: 300, usedDaysAgo: 10 }],
  });
  await seedUser(moto, iam, { name: 'dave', createdDaysAgo: 400, keys: [{ createdDaysAgo: 400 }] });
  await seedUser(moto, iam, { name: 'erin', createdDaysAgo: 120, keys: [{ createdDaysAgo: 120 }] });
  // What only a listing beside the report finds: an SSH key uploaded 200 days ago, a spare MFA device.
  await moto.setClockOffsetDays(-200);
  await iam.send(new CreateUserCommand({ UserName: 'gitops' }));
  await iam.send(
    new UploadSSHPublicKeyCommand({
      UserName: 'gitops',
      SSHPublicKeyBody:
        'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILHQ51krKibIkOa4ksuMlBg5Ia0nfKdy2E0+d1n/a9/T cross-path',
    }),
  );
  await moto.setClockOffsetDays(0);
  await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'spare-token' }));
  iam.destroy();
  const s3 = new S3Client(moto.s3ClientConfig());
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  s3.destroy();
});

after(async () => {
  process.env = savedEnv;
  await rm(dir, { recursive: true, force: true });
  await moto.stop();
});

const keyStatuses = (report: Pick<AuditReport, 'findings'>) =>
  Object.fromEntries(
    report.findings
      .filter((f) => f.principalType === 'user' && f.credential === 'access_key_1')
      .map((f) => [f.principalName, f.status]),
  );

/** The SSH key's and the unassigned MFA device's statuses (credentials the report lacks). */
const otherKinds = (report: Pick<AuditReport, 'findings'>) =>
  Object.fromEntries(
    report.findings
      .filter((f) => f.credential === 'ssh_public_key' || f.credential === 'mfa_device')
      .map((f) => [`${f.principalName}/${f.credential}`, f.status]),
  );

/** Runs the CLI in process; returns what it wrote to `--output`. */
async function cli(args: string[], output: string): Promise<unknown> {
  const { ctx, stderr } = capturingContext(Date.now());
  ctx.env = process.env;
  const code = await runCli([...args, '--output', output], ctx);
  assert.equal(code, 0, stderr());
  return JSON.parse(await readFile(output, 'utf8'));
}

async function lambdaReport(config: object): Promise<AuditReport> {
  process.env.CREDSWEEP_CONFIG = JSON.stringify(config);
  const result = (await handler({})) as { report: string };
  const key = result.report.replace(`s3://${BUCKET}/`, '');
  const s3 = new S3Client(moto.s3ClientConfig());
  try {
    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
    ).Body!.transformToString();
    return auditReportSchema.parse(JSON.parse(body));
  } finally {
    s3.destroy();
  }
}

describe('audit, live plan and the Lambda judge the same account the same way', () => {
  for (const [index, c] of CASES.entries()) {
    it(c.name, async () => {
      // The Lambda audits the configured accounts (else the whole organisation, which moto has not).
      const config = { ...c.config, accounts: [MOTO_DEFAULT_ACCOUNT] };
      const file = join(dir, `config-${index}.json`);
      await writeFile(file, JSON.stringify(config));

      const audit = auditReportSchema.parse(
        await cli(
          ['audit', '--source', 'api', '--config', file, '--format', 'json'],
          join(dir, `audit-${index}.json`),
        ),
      );
      const lambda = await lambdaReport(config);
      assert.deepEqual(keyStatuses(audit), c.expected, 'audit --source api');
      assert.deepEqual(keyStatuses(lambda), c.expected, 'the Lambda handler');
      const kinds = otherKinds(audit);
      assert.deepEqual(Object.keys(kinds).sort(), ['gitops/ssh_public_key', 'spare-token/mfa_device']);
      assert.deepEqual(otherKinds(lambda), kinds, 'the Lambda (credential report) sees them too');

      const plan = remediationPlanSchema.parse(
        await cli(['plan', '--source', 'api', '--config', file], join(dir, `plan-${index}.json`)),
      );
      const planned = plan.steps
        .filter((s) => s.action === 'deactivate-access-key')
        .map((s) => s.principalName)
        .sort();
      const unused = Object.entries(c.expected)
        .filter(([, status]) => status === 'unused')
        .map(([name]) => name)
        .sort();
      assert.deepEqual(planned, unused, 'plan --source api plans exactly the unused, non-exempt keys');
      const sshSteps = plan.steps.filter((s) => s.action === 'deactivate-ssh-public-key');
      assert.equal(sshSteps.length, kinds['gitops/ssh_public_key'] === 'unverified' ? 1 : 0);
      assert.equal(plan.steps.length, planned.length + sshSteps.length, 'nothing else planned');

      // The credential-report path (the default, which the Lambda uses too): the same statuses, and
      // the key ids it resolves where they matter give the same plan as the API path, step for step.
      const viaReport = auditReportSchema.parse(
        await cli(['audit', '--config', file, '--format', 'json'], join(dir, `audit-report-${index}.json`)),
      );
      assert.deepEqual(keyStatuses(viaReport), c.expected, 'audit (credential report)');
      assert.deepEqual(otherKinds(viaReport), kinds, 'audit (credential report): the same other kinds');
      const apiIds = new Map(
        audit.findings.map((f) => [`${f.principalName}/${f.credential}`, f.accessKeyId]),
      );
      for (const f of viaReport.findings.filter((x) => x.accessKeyId !== undefined)) {
        assert.equal(
          f.accessKeyId,
          apiIds.get(`${f.principalName}/${f.credential}`),
          "a resolved id is the API's",
        );
      }
      const reportPlan = remediationPlanSchema.parse(
        await cli(['plan', '--config', file], join(dir, `plan-report-${index}.json`)),
      );
      const stepsOf = (p: typeof plan) =>
        p.steps.map((x) => `${x.action} ${x.principalName} ${credentialIdOf(x)}`).sort();
      assert.deepEqual(stepsOf(reportPlan), stepsOf(plan), 'plan (credential report) = plan --source api');
    });
  }
});
