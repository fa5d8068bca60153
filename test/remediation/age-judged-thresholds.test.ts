/**
 * apply's re-check of the age-judged kinds (AWS records no use of SSH public keys or service-specific
 * credentials) uses the plan's threshold for that kind (`thresholds.ssh_public_key`,
 * `thresholds.service_specific_credential`), else its default. Pure: the live state is given.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CredentialState, EligibilityContext } from '../../src/remediation/actions/action.ts';
import { deactivateServiceSpecificCredential } from '../../src/remediation/actions/deactivate-service-specific-credential.ts';
import { deactivateSshPublicKey } from '../../src/remediation/actions/deactivate-ssh-public-key.ts';
import type { ThresholdKind } from '../../src/rules/rule.ts';
import { toIso } from '../../src/time.ts';

const NOW = Date.UTC(2026, 11, 1);
const DAY = 86_400_000;

function context(thresholds: Partial<Record<ThresholdKind, number>>): EligibilityContext {
  return {
    now: NOW,
    thresholdDays: (kind) => (kind === undefined ? undefined : thresholds[kind]) ?? 90,
    deleteAfterDays: 30,
    deactivatedAt: () => undefined,
    includeServiceRoles: false,
    callerArn: 'arn:aws:iam::111122223333:user/ops',
    memberRoleNames: [],
  };
}

const uploaded = (days: number): CredentialState => ({
  exists: true,
  status: 'Active',
  lastUsed: null,
  targetId: 'X',
  createdAt: toIso(NOW - days * DAY),
});

describe('apply re-checks SSH keys and service-specific credentials at their own threshold', () => {
  for (const [action, kind] of [
    [deactivateSshPublicKey, 'ssh_public_key'],
    [deactivateServiceSpecificCredential, 'service_specific_credential'],
  ] as const) {
    it(`${action.id}: thresholds.${kind}`, () => {
      assert.equal(action.eligibility(uploaded(100), context({})), null, 'default 90: old enough');
      const stricter = action.eligibility(uploaded(100), context({ [kind]: 180 }));
      assert.equal(stricter?.reason, 'changed_since_plan');
      assert.match(stricter!.detail, /created 100 days ago: not unused now \(threshold 180\)/);
      assert.equal(action.eligibility(uploaded(40), context({ [kind]: 30 })), null);
      assert.notEqual(action.eligibility(uploaded(40), context({ access_key: 30 })), null, 'another kind');
    });
  }
});
