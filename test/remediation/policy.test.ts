import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ACTIONS } from '../../src/remediation/actions/index.ts';
import { remediationPermissions, remediationPolicy } from '../../src/remediation/policy.ts';

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
      .Statement.flatMap((s) => s.Action)
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

  it('every irreversible action has no undo, every reversible one has one', () => {
    for (const action of Object.values(ACTIONS)) {
      assert.equal(typeof action.undo === 'function', action.reversible, action.id);
    }
  });
});
