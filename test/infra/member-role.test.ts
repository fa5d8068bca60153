/**
 * infra/member-role.yaml, the member-account audit role a StackSet deploys: valid for cfn-lint, with
 * exactly the audit's read permissions (SCHEDULED_AUDIT_PERMISSIONS.memberRole), trusted only by the
 * function's role from inside the organisation, named as the function's default MemberRoleName.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MEMBER_ROLE_NAME } from '../../src/lambda/member-role.ts';
import { SCHEDULED_AUDIT_PERMISSIONS } from '../../src/lambda/scheduled-audit.ts';
import { actionsOf, cfnLint, everyBranch, type Json, readTemplate } from '../helpers/cfn.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

const FILE = join(REPO_ROOT, 'infra/member-role.yaml');
const { template } = readTemplate(FILE);
const role = template.Resources.AuditRole.Properties;
const FUNCTION_ROLE = 'arn:aws:iam::111122223333:role/credsweep-FunctionRole-ABC';

describe('infra/member-role.yaml', () => {
  it('passes cfn-lint, with and without an external id', () => {
    const base = ['--parameters', `FunctionRoleArn=${FUNCTION_ROLE}`, 'OrganizationId=o-abcdefghij'];
    for (const extra of [[], ['ExternalId=s3cr3t-id']]) {
      const run = cfnLint(FILE, ...base, ...extra);
      assert.equal(run.code, 0, run.output);
    }
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
      for (const a of actionsOf(s)) assert.match(a, /^iam:(Get|List)[A-Za-z]+$/, a);
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
});
