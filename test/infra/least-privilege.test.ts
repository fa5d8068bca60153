/**
 * No statement credsweep ships is broader than the calls its code declares. Every Allow statement
 * of policies/*.json and of the CloudFormation templates in infra/ is checked against the permission
 * list the code declares for that policy (the sources', actions' and the function's *_PERMISSIONS):
 * each action is named (no wildcard) and declared; together they are exactly the declaration;
 * actions on resources credsweep names itself (buckets, topics, secrets, roles, logs, functions,
 * state machines) never have `Resource: "*"`; every cross-account sts:AssumeRole is limited to the
 * organisation (aws:ResourceOrgID / aws:ResourceOrgPaths), and every trust policy that admits an AWS
 * account admits only the function's role from the organisation.
 *
 * sts:AssumeRoot (remediation, root credentials) is left out of the organisation check: AWS accepts
 * it only from the organisation's management account or delegated administrator, on member accounts
 * of that organisation (centralised root access), so it cannot reach outside the organisation.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ACCOUNT_AUDIT_PERMISSIONS } from '../../src/audit/audit-account.ts';
import { CALLER_PERMISSIONS } from '../../src/audit/audit-accounts.ts';
import { SECURITY_HUB_EXPORT_PERMISSIONS } from '../../src/export/security-hub.ts';
import { SCHEDULED_AUDIT_PERMISSIONS } from '../../src/lambda/scheduled-audit.ts';
import { remediationPermissions } from '../../src/remediation/policy.ts';
import { FIND_ANALYZER_PERMISSIONS } from '../../src/sources/access-analyzer/find-analyzer.ts';
import { FINDING_RECOMMENDATION_PERMISSIONS } from '../../src/sources/access-analyzer/finding-recommendation.ts';
import { UNUSED_ACCESS_FINDING_PERMISSIONS } from '../../src/sources/access-analyzer/unused-access-findings.ts';
import { LAST_ACCESSED_PERMISSIONS } from '../../src/sources/access-advisor/last-accessed.ts';
import { PRINCIPAL_PERMISSIONS } from '../../src/sources/access-advisor/principals.ts';
import {
  ATHENA_QUERY_PERMISSIONS,
  ATHENA_RESULTS_PERMISSIONS,
  ATHENA_TRAIL_BUCKET_PERMISSIONS,
} from '../../src/sources/cloudtrail/athena.ts';
import { LOOKUP_EVENTS_PERMISSIONS } from '../../src/sources/cloudtrail/lookup-events.ts';
import { S3_TRAIL_PERMISSIONS } from '../../src/sources/cloudtrail/s3-location.ts';
import { actionsOf, everyBranch, type Json, readTemplate } from '../helpers/cfn.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

/**
 * What AWS itself calls on the templates' behalf, not credsweep's code: the Lambda runtime writes
 * the function's log; Step Functions invokes the function, reads the account list (ItemReader) and
 * runs the Distributed Map's child executions; EventBridge Scheduler starts the state machine.
 * The test below checks the state machine definition really uses those integrations.
 */
const RUNTIME_PERMISSIONS = {
  logs: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  fanOut: [
    'lambda:InvokeFunction',
    's3:GetObject',
    'states:StartExecution',
    'states:DescribeExecution',
    'states:StopExecution',
  ],
  schedule: ['states:StartExecution'],
};

/** Each shipped policy document and the permissions its code declares. */
function shippedPolicies(): { where: string; statements: Json[]; declared: readonly string[] }[] {
  const file = (name: string) =>
    (JSON.parse(readFileSync(join(REPO_ROOT, 'policies', name), 'utf8')) as Json).Statement as Json[];
  const declaredFor: Record<string, readonly string[]> = {
    'audit-policy.json': [
      ...Object.values(ACCOUNT_AUDIT_PERMISSIONS).flat(),
      ...CALLER_PERMISSIONS.org,
      ...CALLER_PERMISSIONS.assumeRole,
    ],
    'evidence-policy.json': [
      ...FIND_ANALYZER_PERMISSIONS,
      ...UNUSED_ACCESS_FINDING_PERMISSIONS,
      ...FINDING_RECOMMENDATION_PERMISSIONS,
      ...PRINCIPAL_PERMISSIONS,
      ...LAST_ACCESSED_PERMISSIONS,
      ...LOOKUP_EVENTS_PERMISSIONS,
      ...ATHENA_QUERY_PERMISSIONS,
      ...ATHENA_TRAIL_BUCKET_PERMISSIONS,
      ...S3_TRAIL_PERMISSIONS,
      ...ATHENA_RESULTS_PERMISSIONS,
    ],
    // sts:GetCallerIdentity is allowed to everyone by AWS; the export declares it all the same.
    'export-policy.json': SECURITY_HUB_EXPORT_PERMISSIONS,
    'remediation-policy.json': remediationPermissions(),
  };
  const names = readdirSync(join(REPO_ROOT, 'policies')).filter((n) => n.endsWith('.json'));
  assert.deepEqual(
    names.sort(),
    Object.keys(declaredFor).sort(),
    'a new policy file needs its declaration here',
  );
  const policies = names.map((name) => ({
    where: `policies/${name}`,
    statements: file(name),
    declared: declaredFor[name]!,
  }));

  const sam = readTemplate(join(REPO_ROOT, 'infra/template.yaml')).template.Resources;
  const inline = (resource: string, policy: string) =>
    everyBranch(
      (sam[resource].Properties.Policies as Json[]).find((p) => p.PolicyName === policy)!.PolicyDocument
        .Statement,
    );
  const member = readTemplate(join(REPO_ROOT, 'infra/member-role.yaml')).template.Resources;
  const templates = [
    {
      where: 'infra/template.yaml FunctionRole CredsweepScheduledAudit',
      statements: inline('FunctionRole', 'CredsweepScheduledAudit'),
      declared: SCHEDULED_AUDIT_PERMISSIONS.function,
    },
    {
      where: 'infra/template.yaml FunctionRole Logs',
      statements: inline('FunctionRole', 'Logs'),
      declared: RUNTIME_PERMISSIONS.logs,
    },
    {
      where: 'infra/template.yaml FanOutRole',
      statements: inline('FanOutRole', 'CredsweepFanOut'),
      declared: RUNTIME_PERMISSIONS.fanOut,
    },
    {
      where: 'infra/template.yaml FanOutScheduleRole',
      statements: inline('FanOutScheduleRole', 'StartFanOut'),
      declared: RUNTIME_PERMISSIONS.schedule,
    },
    {
      where: 'infra/member-role.yaml AuditRole',
      statements: everyBranch(
        (member.AuditRole.Properties.Policies as Json[]).flatMap((p) => p.PolicyDocument.Statement),
      ),
      declared: SCHEDULED_AUDIT_PERMISSIONS.memberRole,
    },
  ];
  // Every IAM role of the templates is covered above (a new role needs its declaration here).
  const roles = [
    ...Object.entries(sam).map(([id, r]) => [`template:${id}`, r] as const),
    ...Object.entries(member).map(([id, r]) => [`member:${id}`, r] as const),
  ].filter(([, r]) => (r as Json).Type === 'AWS::IAM::Role');
  assert.deepEqual(roles.map(([id]) => id).sort(), [
    'member:AuditRole',
    'template:FanOutRole',
    'template:FanOutScheduleRole',
    'template:FunctionRole',
  ]);
  return [...policies, ...templates];
}

/** Actions on resources credsweep names or creates itself: these always have a resource ARN. */
const NAMED_RESOURCE = /^(s3|sns|secretsmanager|logs|lambda|states|securityhub):|^sts:AssumeRole$/;
const ORG_KEYS = ['aws:ResourceOrgID', 'aws:ResourceOrgPaths'];

function conditionKeys(statement: Json): string[] {
  return Object.values((statement.Condition ?? {}) as Record<string, Json>).flatMap((byKey) =>
    everyBranch(byKey).flatMap((b) => Object.keys(b)),
  );
}

describe('no shipped statement is broader than the code declares', () => {
  const policies = shippedPolicies();

  for (const { where, statements, declared } of policies) {
    it(where, () => {
      const allows = statements.filter((s) => s.Effect === 'Allow');
      const granted = allows.flatMap(actionsOf);
      for (const action of granted) {
        assert.doesNotMatch(action, /[*?]/, `${where}: ${action} is a wildcard`);
        assert.ok(declared.includes(action), `${where}: ${action} is not declared by the code`);
      }
      assert.deepEqual(
        [...new Set(granted)].sort(),
        [...new Set(declared)].sort(),
        `${where}: not what the code declares`,
      );
      for (const s of allows) {
        assert.equal(s.NotAction, undefined, `${where}: NotAction grants everything else`);
        assert.equal(s.NotResource, undefined, `${where}: NotResource`);
        const resources = everyBranch(s.Resource);
        for (const action of actionsOf(s).filter((a) => NAMED_RESOURCE.test(a)))
          assert.ok(!resources.includes('*'), `${where}: ${action} on Resource "*"`);
        if (actionsOf(s).includes('sts:AssumeRole'))
          assert.ok(
            conditionKeys(s).some((k) => ORG_KEYS.includes(k)),
            `${where} ${s.Sid}: sts:AssumeRole without an organisation condition`,
          );
      }
    });
  }

  it('the checks bite: a wildcard, an undeclared action, a bare AssumeRole are each caught', () => {
    const check = (statement: Json, declared: string[]) => {
      const bad: string[] = [];
      for (const a of actionsOf(statement)) {
        if (/[*?]/.test(a)) bad.push(`${a} wildcard`);
        else if (!declared.includes(a)) bad.push(`${a} undeclared`);
      }
      if (
        actionsOf(statement).includes('sts:AssumeRole') &&
        !conditionKeys(statement).some((k) => ORG_KEYS.includes(k))
      )
        bad.push('AssumeRole without organisation');
      return bad;
    };
    assert.deepEqual(check({ Action: 'iam:*' }, ['iam:ListUsers']), ['iam:* wildcard']);
    assert.deepEqual(check({ Action: ['iam:ListUsers', 'iam:DeleteUser'] }, ['iam:ListUsers']), [
      'iam:DeleteUser undeclared',
    ]);
    assert.deepEqual(
      check({ Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/X' }, ['sts:AssumeRole']),
      ['AssumeRole without organisation'],
    );
    assert.deepEqual(
      check(
        {
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: { If: ['c', { 'aws:ResourceOrgID': 'o-1' }, { 'aws:ResourceOrgID': 'o-2' }] },
          },
        },
        ['sts:AssumeRole'],
      ),
      [],
    );
  });

  it('the fan-out really uses the integrations its role is granted for', () => {
    const sam = readTemplate(join(REPO_ROOT, 'infra/template.yaml')).template.Resources;
    const definition = JSON.stringify(sam.FanOutStateMachine.Properties.Definition);
    assert.match(definition, /arn:aws:states:::lambda:invoke/);
    assert.match(definition, /arn:aws:states:::s3:getObject/);
    assert.match(definition, /"Mode":"DISTRIBUTED"/);
    assert.equal(sam.FanOutSchedule.Properties.Target.Arn.Ref, 'FanOutStateMachine');
  });

  it('a trust policy that admits an AWS account admits only the function role, from the organisation', () => {
    const sam = readTemplate(join(REPO_ROOT, 'infra/template.yaml')).template.Resources;
    const member = readTemplate(join(REPO_ROOT, 'infra/member-role.yaml')).template.Resources;
    for (const [id, resource] of [...Object.entries(sam), ...Object.entries(member)]) {
      if ((resource as Json).Type !== 'AWS::IAM::Role') continue;
      for (const s of (resource as Json).Properties.AssumeRolePolicyDocument.Statement as Json[]) {
        if (s.Principal?.Service) {
          assert.match(String(s.Principal.Service), /^(lambda|states|scheduler)\.amazonaws\.com$/, id);
          continue;
        }
        const keys = conditionKeys(s);
        assert.ok(keys.includes('aws:PrincipalArn'), `${id}: trusts an account without naming the role`);
        assert.ok(keys.includes('aws:PrincipalOrgID'), `${id}: trusts outside the organisation`);
      }
    }
  });
});
