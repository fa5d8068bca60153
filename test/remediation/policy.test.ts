import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ACTIONS } from '../../src/remediation/actions/index.ts';
import {
  remediationChanges,
  remediationPermissions,
  remediationPolicy,
} from '../../src/remediation/policy.ts';

describe('policies/remediation-policy.json', () => {
  it('is exactly what the actions declare (regenerate: node --import tsx scripts/generate-remediation-policy.ts)', () => {
    const shipped = JSON.parse(
      readFileSync(new URL('../../policies/remediation-policy.json', import.meta.url), 'utf8'),
    );
    assert.deepEqual(shipped, remediationPolicy());
  });

  it('is the policy docs/remediation.md shows', () => {
    const section = readFileSync(new URL('../../docs/remediation.md', import.meta.url), 'utf8');
    const json = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
    assert.ok(json, 'docs/remediation.md has the policy');
    assert.deepEqual(JSON.parse(json), remediationPolicy());
  });

  it('grants every permission an action declares, and nothing else', () => {
    const granted = remediationPolicy()
      .Statement.filter((s) => s.Effect === 'Allow')
      .flatMap((s) => s.Action)
      .sort();
    assert.deepEqual(granted, remediationPermissions());
    for (const action of Object.values(ACTIONS)) {
      for (const p of [...action.permissions, ...action.undoPermissions]) assert.ok(granted.includes(p), p);
    }
    assert.ok(!granted.some((p) => p.endsWith('*')), 'no wildcards in actions');
  });

  it('scopes user-credential actions to users, and AssumeRoot to the delete-root-credentials task', () => {
    const [users, , root] = remediationPolicy().Statement;
    assert.equal(users?.Resource, 'arn:aws:iam::*:user/*');
    assert.deepEqual(root?.Condition, {
      StringEquals: { 'sts:TaskPolicyArn': 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials' },
    });
  });

  it('denies every change an action can make on users and roles tagged exempt (the IAM backstop)', () => {
    const deny = remediationPolicy().Statement.filter((s) => s.Effect === 'Deny');
    assert.equal(deny.length, 1);
    assert.deepEqual(deny[0]!.Resource, ['arn:aws:iam::*:user/*', 'arn:aws:iam::*:role/*']);
    assert.deepEqual(deny[0]!.Condition, {
      StringEqualsIgnoreCase: { 'iam:ResourceTag/credsweep:exempt': 'true' },
    });
    // Every call that changes a user or role (act or undo) is in the Deny; no read is, nor Access
    // Advisor's report job, nor the calls on credsweep's own boundary policies (no principal's tag).
    const changes = new Set<string>();
    const notOnPrincipals = /^iam:(Get|List|GenerateServiceLastAccessedDetails$|CreatePolicy$|DeletePolicy$)/;
    for (const action of Object.values(ACTIONS)) {
      for (const p of [...action.permissions, ...action.undoPermissions]) {
        if (p.startsWith('iam:') && !notOnPrincipals.test(p)) changes.add(p);
      }
    }
    assert.deepEqual(deny[0]!.Action, [...changes].sort());
    assert.deepEqual(deny[0]!.Action, remediationChanges());
    assert.ok(deny[0]!.Action.includes('iam:UpdateAccessKey'));
    for (const p of [
      'iam:PutRolePermissionsBoundary',
      'iam:PutUserPermissionsBoundary',
      'iam:DeleteRolePermissionsBoundary',
      'iam:DeleteUserPermissionsBoundary',
    ])
      assert.ok(deny[0]!.Action.includes(p), p);
  });

  it("scopes restrict-permissions' policy calls to credsweep's /credsweep/ policies (reads: any policy)", () => {
    const byId = new Map(remediationPolicy().Statement.map((s) => [s.Sid, s]));
    assert.deepEqual(byId.get('BoundaryPolicies'), {
      Sid: 'BoundaryPolicies',
      Effect: 'Allow',
      Action: ['iam:CreatePolicy', 'iam:DeletePolicy', 'iam:ListEntitiesForPolicy'],
      Resource: 'arn:aws:iam::*:policy/credsweep/*',
    });
    assert.deepEqual(byId.get('ReadPolicies')?.Action, ['iam:GetPolicy', 'iam:GetPolicyVersion']);
    assert.deepEqual(byId.get('AccessAdvisor')?.Action, [
      'iam:GenerateServiceLastAccessedDetails',
      'iam:GetServiceLastAccessedDetails',
    ]);
  });

  it('every reversible action has an undo; of the irreversible ones only delete-role (it recreates the role)', () => {
    for (const action of Object.values(ACTIONS)) {
      const restorable = action.reversible || action.id === 'delete-role';
      assert.equal(typeof action.undo === 'function', restorable, action.id);
    }
  });
});
