import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlanStep } from '../../src/model/remediation-plan.ts';
import { renderStepListing } from '../../src/remediation/render.ts';

function step(action: PlanStep['action'], name: string, reversible: boolean): PlanStep {
  return {
    id: `111122223333/${action}/${name}`,
    action,
    accountId: '111122223333',
    principalType: 'user',
    principalName: name,
    arn: `arn:aws:iam::111122223333:user/${name}`,
    credential: action === 'delete-login-profile' ? 'password' : 'access_key_1',
    ...(action === 'delete-login-profile' ? {} : { accessKeyId: `AKIA${name.toUpperCase()}` }),
    reversible,
    reason: 'unused',
    expected: { lastUsed: null },
  };
}

describe('renderStepListing (the confirmation prompt)', () => {
  it('lists every step with action, account, principal, credential and reversibility, irreversible first and marked', () => {
    const text = renderStepListing([
      step('deactivate-access-key', 'alice', true),
      // A step claiming to be reversible: the registry says otherwise, and the listing follows the registry.
      step('delete-login-profile', 'bob', true),
      step('deactivate-access-key', 'carol', true),
    ]);
    const lines = text.trimEnd().split('\n');
    assert.match(lines[0]!, /^REVERSIBLE\s+ACTION\s+ACCOUNT\s+PRINCIPAL\s+CREDENTIAL$/);
    assert.match(
      lines[1]!,
      /^!! NO \(irreversible\)\s+delete-login-profile\s+111122223333\s+bob\s+password$/,
    );
    assert.match(lines[2]!, /^yes\s+deactivate-access-key\s+111122223333\s+alice\s+AKIAALICE$/);
    assert.match(lines[3]!, /^yes\s+deactivate-access-key\s+111122223333\s+carol\s+AKIACAROL$/);
    assert.equal(lines.length, 4);
  });
});
