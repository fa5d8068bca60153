/**
 * infra/template.yaml: valid for cfn-lint (on PATH; a missing cfn-lint fails, never skips), with
 * and without the Step Functions fan-out; its function role grants exactly the actions the code
 * declares; the bucket is encrypted and private.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SCHEDULED_AUDIT_PERMISSIONS } from '../../src/lambda/scheduled-audit.ts';
import { MEMBER_ROLE_NAME } from '../../src/lambda/member-role.ts';
import { cfnLint, cfnLintEach, everyBranch, type Json, readTemplate } from '../helpers/cfn.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

const TEMPLATE = join(REPO_ROOT, 'infra/template.yaml');
const { text, template } = readTemplate(TEMPLATE);
const dir = mkdtempSync(join(tmpdir(), 'credsweep-infra-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('infra/template.yaml', () => {
  it('passes cfn-lint, single-process and with the Distributed Map fan-out', () => {
    const [single, fanOut, pinned] = cfnLintEach([
      [TEMPLATE],
      [TEMPLATE, '--parameters', 'EnableFanOut=true'],
      [
        TEMPLATE,
        '--parameters',
        'OrganizationId=o-abcdefghij',
        'WebhookSecretArn=arn:aws:secretsmanager:us-east-1:111122223333:secret:credsweep/team-AbCdEf',
      ],
    ]);
    assert.equal(single!.code, 0, single!.output);
    assert.equal(fanOut!.code, 0, fanOut!.output);
    assert.equal(pinned!.code, 0, pinned!.output);
  });

  it('cfn-lint really checks it: a broken state machine and a bad runtime are reported', () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(
      broken,
      text.replace('Runtime: nodejs24.x', 'Runtime: nodejs8.x').replace(/Type: Map$/m, 'Type: Mapp'),
    );
    const run = cfnLint(broken);
    assert.notEqual(run.code, 0);
    assert.match(run.output, /nodejs8\.x/);
    assert.match(run.output, /'Mapp' is not one of/, 'the Step Functions definition is validated');
  });

  it('the function role grants exactly the AWS actions the code declares (no drift)', () => {
    const policy = template.Resources.FunctionRole.Properties.Policies.find(
      (p: Json) => p.PolicyName === 'CredsweepScheduledAudit',
    );
    const statements = everyBranch(policy.PolicyDocument.Statement);
    const granted = new Set<string>(
      statements.flatMap((s: Json) => (Array.isArray(s.Action) ? s.Action : [s.Action])),
    );
    assert.deepEqual(
      [...granted].sort(),
      [...new Set(SCHEDULED_AUDIT_PERMISSIONS.function)].sort(),
      'a new audit call: node --import tsx scripts/write-infra-policies.ts',
    );
    for (const s of statements) {
      assert.equal(s.Effect, 'Allow');
      const actions: string[] = Array.isArray(s.Action) ? s.Action : [s.Action];
      assert.ok(
        actions.every((a) => !a.includes('*') && !/^iam:(Create|Delete|Update|Put|Attach|Tag)/.test(a)),
        `read-only towards IAM, no wildcards: ${actions}`,
      );
    }
  });

  it('the bucket is encrypted, private, TLS-only; the topic is encrypted', () => {
    const bucket = template.Resources.RunsBucket.Properties;
    assert.equal(
      bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm,
      'aws:kms',
    );
    assert.deepEqual(bucket.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const deny = template.Resources.RunsBucketPolicy.Properties.PolicyDocument.Statement[0];
    assert.equal(deny.Effect, 'Deny');
    assert.equal(deny.Condition.Bool['aws:SecureTransport'], 'false');
    assert.ok(template.Resources.NotificationTopic.Properties.KmsMasterKeyId);
  });

  it('run reports expire only when ReportRetentionDays is set, and only under runs/ (latest.json and state.json stay)', () => {
    const retention = template.Parameters.ReportRetentionDays;
    assert.equal(retention.Default, 0, 'default: every report kept, as before the parameter');
    assert.deepEqual(template.Conditions.ExpiresReports, {
      Not: [{ Equals: [{ Ref: 'ReportRetentionDays' }, 0] }],
    });
    const rules = everyBranch(template.Resources.RunsBucket.Properties.LifecycleConfiguration.Rules);
    const reports = rules.filter((r) => r.Id === 'expire-run-reports');
    assert.equal(reports.length, 1);
    assert.deepEqual(reports[0], {
      Id: 'expire-run-reports',
      Status: 'Enabled',
      Prefix: 'credsweep/runs/',
      ExpirationInDays: { Ref: 'ReportRetentionDays' },
    });
    const conditional = template.Resources.RunsBucket.Properties.LifecycleConfiguration.Rules.find(
      (r: Json) => r.If,
    );
    assert.equal(conditional.If[0], 'ExpiresReports');
    // where the function writes them: CREDSWEEP_PREFIX + runs/<time>.json
    const env = template.Resources.AuditFunction.Properties.Environment.Variables;
    assert.equal(`${env.CREDSWEEP_PREFIX}runs/`, reports[0].Prefix);
    const lint = cfnLint(TEMPLATE, '--parameters', 'ReportRetentionDays=400');
    assert.equal(lint.code, 0, lint.output);
  });

  it('least privilege by default: the member role is the read-only CredsweepAudit, within the organisation', () => {
    assert.equal(template.Parameters.MemberRoleName.Default, MEMBER_ROLE_NAME);
    assert.equal(MEMBER_ROLE_NAME, 'CredsweepAudit');
    assert.doesNotMatch(template.Parameters.MemberRoleName.Default, /OrganizationAccountAccessRole/);
    const policy = template.Resources.FunctionRole.Properties.Policies.find(
      (p: Json) => p.PolicyName === 'CredsweepScheduledAudit',
    );
    const assume = everyBranch(policy.PolicyDocument.Statement).find((s) => s.Sid === 'AssumeMemberRole');
    assert.deepEqual(assume?.Condition, {
      StringEquals: {
        'aws:ResourceOrgID': {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable
          If: ['HasOrganizationId', { Ref: 'OrganizationId' }, '${aws:PrincipalOrgID}'],
        },
      },
    });
    assert.ok(template.Outputs.FunctionRoleArn, 'the member role template needs the function role ARN');
  });

  it('the team webhook URL comes from Secrets Manager, readable only by the function, never an env var', () => {
    assert.equal(template.Parameters.WebhookUrl, undefined);
    const env = template.Resources.AuditFunction.Properties.Environment.Variables;
    assert.equal(env.CREDSWEEP_WEBHOOK_URL, undefined);
    assert.deepEqual(env.CREDSWEEP_WEBHOOK_SECRET_ARN, { Ref: 'WebhookSecretArn' });
    const policy = template.Resources.FunctionRole.Properties.Policies.find(
      (p: Json) => p.PolicyName === 'CredsweepScheduledAudit',
    );
    const read = everyBranch(policy.PolicyDocument.Statement).find((s) => s.Sid === 'ReadWebhookSecret');
    assert.deepEqual(read?.Resource, { Ref: 'WebhookSecretArn' }, 'that one secret, not *');
  });

  it('IAM Access Analyzer is a parameter (AccessAnalyzer → CREDSWEEP_ACCESS_ANALYZER), off by default', () => {
    const parameter = template.Parameters.AccessAnalyzer;
    assert.equal(parameter.Default, '');
    const allowed = new RegExp(parameter.AllowedPattern);
    for (const value of [
      '',
      'auto',
      'arn:aws:access-analyzer:us-east-1:111122223333:analyzer/_AccessAnalyzerFor-1',
    ]) {
      assert.match(value, allowed);
    }
    assert.doesNotMatch('analyzer/x', allowed);
    const env = template.Resources.AuditFunction.Properties.Environment.Variables;
    assert.deepEqual(env.CREDSWEEP_ACCESS_ANALYZER, { Ref: 'AccessAnalyzer' });
  });

  it('the fan-out runs the same function per account from an S3 item list, then merges', () => {
    const states = template.Resources.FanOutStateMachine.Properties.Definition.States;
    assert.equal(states.ListAccounts.Parameters.Payload.action, 'list-accounts');
    assert.equal(states.AuditEachAccount.ItemProcessor.ProcessorConfig.Mode, 'DISTRIBUTED');
    assert.equal(states.AuditEachAccount.ItemReader.Resource, 'arn:aws:states:::s3:getObject');
    assert.equal(states.AuditEachAccount.ItemSelector.action, 'audit-account');
    assert.equal(states.Merge.Parameters.Payload.action, 'merge');
  });
});
