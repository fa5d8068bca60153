/**
 * quarantine-user's live re-check, pure: every credential the user could still use is judged by its
 * own kind's threshold (the plan's recorded thresholds), so a forged step cannot quarantine a user
 * whose console password a longer password threshold still counts as in use.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CredentialState, EligibilityContext } from '../../src/remediation/actions/action.ts';
import { quarantineUser } from '../../src/remediation/actions/quarantine-user.ts';
import { toIso } from '../../src/time.ts';
import { AS_OF, daysAgo } from '../helpers/builders.ts';

function ctx(thresholds: Record<string, number> = {}): EligibilityContext {
  return {
    now: AS_OF,
    thresholdDays: (kind) => (kind === undefined ? undefined : thresholds[kind]) ?? 90,
    deleteAfterDays: 30,
    deactivatedAt: () => undefined,
    includeServiceRoles: false,
    callerArn: 'arn:aws:iam::111122223333:user/ops',
    memberRoleNames: [],
  };
}
const user = (activity: CredentialState['activity']): CredentialState => ({
  exists: true,
  status: 'Active',
  lastUsed: null,
  arn: 'arn:aws:iam::111122223333:user/alice',
  activity,
});

describe('quarantine-user eligibility', () => {
  const password100 = { what: 'console password last used', kind: 'password', at: toIso(daysAgo(100)) };
  const key200 = { what: 'access key AKIA1 created', kind: 'access_key', at: toIso(daysAgo(200)) };

  it('every credential past its threshold: eligible', () => {
    assert.equal(quarantineUser.eligibility(user([password100, key200]), ctx()), null);
  });

  it('a password used 100 days ago is in use under a 180-day password threshold', () => {
    const r = quarantineUser.eligibility(user([password100, key200]), ctx({ password: 180 }));
    assert.deepEqual(r, {
      reason: 'changed_since_plan',
      detail: "the user's console password last used 100 days ago: not unused now (threshold 180)",
    });
  });

  it('an SSH key uploaded 20 days ago, judged by the ssh_public_key threshold', () => {
    const ssh = { what: 'SSH key APKA1 uploaded', kind: 'ssh_public_key', at: toIso(daysAgo(20)) };
    assert.match(
      quarantineUser.eligibility(user([key200, ssh]), ctx())!.detail,
      /SSH key APKA1 uploaded 20 days ago/,
    );
    assert.equal(quarantineUser.eligibility(user([key200, ssh]), ctx({ ssh_public_key: 10 })), null);
  });

  it('a console password created 3 days ago on an old user (never used) keeps it out', () => {
    const fresh = { what: 'console password created', kind: 'password', at: toIso(daysAgo(3)) };
    assert.match(
      quarantineUser.eligibility(user([fresh]), ctx())!.detail,
      /console password created 3 days ago/,
    );
  });

  it('never the user credsweep calls AWS as; never one already quarantined', () => {
    const caller = { ...user([key200]), arn: 'arn:aws:iam::111122223333:user/ops' };
    assert.equal(quarantineUser.eligibility(caller, ctx())?.reason, 'caller_user');
    assert.match(
      quarantineUser.eligibility({ ...user([key200]), status: 'Quarantined' }, ctx())!.detail,
      /is Quarantined, not Active/,
    );
  });
});
