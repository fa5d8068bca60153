/**
 * infra/member-role.yaml, the member-account audit role a StackSet deploys: valid for cfn-lint, with
 * exactly the audit's read permissions (SCHEDULED_AUDIT_PERMISSIONS.memberRole), trusted only by the
 * function's role from inside the organisation, named as the function's default MemberRoleName; and
 * it deploys: moto_server's CloudFormation (through the AWS CLI, the one CloudFormation client on
 * the machine) creates the role, whose documents read back through IAM show the intrinsics resolved.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { MEMBER_ROLE_NAME } from '../../src/lambda/member-role.ts';
import { SCHEDULED_AUDIT_PERMISSIONS } from '../../src/lambda/scheduled-audit.ts';
import { actionsOf, cfnLintEach, everyBranch, type Json, readTemplate } from '../helpers/cfn.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { MOTO_CLI_ENV, type MotoServer, startMoto } from '../helpers/moto.ts';

const FILE = join(REPO_ROOT, 'infra/member-role.yaml');
const { template } = readTemplate(FILE);
const role = template.Resources.AuditRole.Properties;
const FUNCTION_ROLE = 'arn:aws:iam::111122223333:role/credsweep-FunctionRole-ABC';

/** The AWS CLI reads an empty AWS_PROFILE as a profile named '' (unset what is empty) and wants AWS_DEFAULT_REGION. */
function awsCliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...MOTO_CLI_ENV,
    AWS_DEFAULT_REGION: MOTO_CLI_ENV.AWS_REGION,
  };
  for (const [key, value] of Object.entries(env)) if (value === '') delete env[key];
  return env;
}

let moto: MotoServer;
before(async () => {
  moto = await startMoto();
});
after(async () => {
  await moto.stop();
});

describe('infra/member-role.yaml', () => {
  it('passes cfn-lint, with and without an external id', () => {
    const base = ['--parameters', `FunctionRoleArn=${FUNCTION_ROLE}`, 'OrganizationId=o-abcdefghij'];
    const runs = cfnLintEach([
      [FILE, ...base],
      [FILE, ...base, 'ExternalId=s3cr3t-id'],
    ]);
    for (const run of runs) assert.equal(run.code, 0, run.output);
    assert.equal(runs.length, 2);
  });

  it('deploys to every account of an organisation: no account-specific names, only parameters', () => {
    assert.equal(template.Parameters.RoleName.Default, MEMBER_ROLE_NAME);
    assert.deepEqual(role.RoleName, { Ref: 'RoleName' });
    assert.doesNotMatch(JSON.stringify(template), /\d{12}/, 'no account id baked in');
    assert.equal(Object.keys(template.Resources).length, 1, 'one role, nothing else per account');
  });

  it('may do exactly what the audit declares in a member account, read-only', () => {
    const statements = role.Policies.flatMap((p: Json) => everyBranch(p.PolicyDocument.Statement));
    const granted = statements.flatMap(actionsOf);
    assert.deepEqual(
      [...new Set(granted)].sort(),
      [...new Set(SCHEDULED_AUDIT_PERMISSIONS.memberRole)].sort(),
      'infra/member-role.yaml must list SCHEDULED_AUDIT_PERMISSIONS.memberRole: node --import tsx scripts/write-infra-policies.ts',
    );
    for (const s of statements) {
      assert.equal(s.Effect, 'Allow');
      // GenerateCredentialReport changes nothing but the cached report (the audit's report path).
      for (const a of actionsOf(s))
        assert.match(a, /^iam:((Get|List)[A-Za-z]+|GenerateCredentialReport)$/, a);
    }
    assert.equal(role.ManagedPolicyArns, undefined, 'no managed policy (no ReadOnlyAccess, no admin)');
  });

  it('trusts only the function role, from inside the organisation', () => {
    const trust = role.AssumeRolePolicyDocument.Statement as Json[];
    assert.equal(trust.length, 1);
    const [s] = trust;
    assert.equal(s!.Effect, 'Allow');
    assert.equal(s!.Action, 'sts:AssumeRole');
    assert.deepEqual(s!.Condition.ArnEquals, { 'aws:PrincipalArn': { Ref: 'FunctionRoleArn' } });
    for (const branch of everyBranch(s!.Condition.StringEquals))
      assert.deepEqual(branch['aws:PrincipalOrgID'], { Ref: 'OrganizationId' });
    // The principal is the function's account, taken from the role ARN (field 4 of arn:…:iam::ID:role/…).
    const sub = s!.Principal.AWS.Sub;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Sub syntax
    assert.equal(sub[0], 'arn:${AWS::Partition}:iam::${FunctionAccount}:root');
    assert.deepEqual(sub[1].FunctionAccount, { Select: [4, { Split: [':', { Ref: 'FunctionRoleArn' }] }] });
    assert.equal(FUNCTION_ROLE.split(':')[4], '111122223333');
  });

  it('deploys as a stack, and the role it creates trusts exactly the function role', async () => {
    const created = spawnSync(
      'aws',
      [
        ...[
          '--endpoint-url',
          moto.endpoint,
          'cloudformation',
          'create-stack',
          '--stack-name',
          'credsweep-member',
        ],
        ...['--template-body', `file://${FILE}`, '--capabilities', 'CAPABILITY_NAMED_IAM', '--parameters'],
        `ParameterKey=FunctionRoleArn,ParameterValue=${FUNCTION_ROLE}`,
        'ParameterKey=OrganizationId,ParameterValue=o-abcdefghij',
        'ParameterKey=ExternalId,ParameterValue=ext-1234',
      ],
      { encoding: 'utf8', env: awsCliEnv(), timeout: 60_000 },
    );
    assert.equal(created.status, 0, `${created.error ?? ''}${created.stderr}`);
    const iam = new IAMClient(moto.clientConfig());
    try {
      const { Role } = await iam.send(new GetRoleCommand({ RoleName: MEMBER_ROLE_NAME }));
      assert.deepEqual(JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!)).Statement, [
        {
          Sid: 'OnlyTheCredsweepFunction',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111122223333:root' },
          Action: 'sts:AssumeRole',
          Condition: {
            ArnEquals: { 'aws:PrincipalArn': FUNCTION_ROLE },
            StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij', 'sts:ExternalId': 'ext-1234' },
          },
        },
      ]);
      const inline = await iam.send(
        new GetRolePolicyCommand({ RoleName: MEMBER_ROLE_NAME, PolicyName: 'CredsweepAuditReadOnly' }),
      );
      // moto hands the inline document back as a Python repr: its action names are all that is read.
      const actions = [...decodeURIComponent(inline.PolicyDocument!).matchAll(/'(iam:\w+)'/g)].map(
        (m) => m[1],
      );
      assert.deepEqual(actions.sort(), [...new Set(SCHEDULED_AUDIT_PERMISSIONS.memberRole)].sort());
    } finally {
      iam.destroy();
    }
  });
});
