/**
 * delete-login-profile's live re-check, pure: the password is judged by the later of its last sign-in
 * and when it was set (GetLoginProfile's CreateDate). PasswordLastUsed belongs to the user and survives
 * a deleted password, so a password set after its last use is a new one, and deleting it cannot be undone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CredentialState, EligibilityContext } from '../../src/remediation/actions/action.ts';
import { deleteLoginProfile } from '../../src/remediation/actions/delete-login-profile.ts';
import { toIso } from '../../src/time.ts';
import { AS_OF, daysAgo } from '../helpers/builders.ts';

const ctx: EligibilityContext = {
  now: AS_OF,
  thresholdDays: (kind) => (kind === 'password' ? 90 : 30),
  deleteAfterDays: 30,
  deactivatedAt: () => undefined,
  includeServiceRoles: false,
  callerArn: 'arn:aws:iam::111122223333:user/ops',
  memberRoleNames: [],
};
const password = (usedDaysAgo: number | null, setDaysAgo: number): CredentialState => ({
  exists: true,
  lastUsed: usedDaysAgo === null ? null : toIso(daysAgo(usedDaysAgo)),
  createdAt: toIso(daysAgo(setDaysAgo)),
  targetId: 'alice',
});

describe('delete-login-profile eligibility: the later of last use and when the password was set', () => {
  const cases: [string, CredentialState, RegExp | null][] = [
    [
      'used 200 days ago, set yesterday (reset since)',
      password(200, 1),
      /created after its last use, 1 days ago/,
    ],
    ['used 200 days ago, set 100 days ago', password(200, 100), null],
    ['used 10 days ago, set 300 days ago', password(10, 300), /last used 10 days ago/],
    ['never used, set 100 days ago', password(null, 100), null],
    ['never used, set 20 days ago', password(null, 20), /created 20 days ago/],
  ];
  for (const [name, state, expected] of cases) {
    it(`${name}: ${expected ? 'not unused now' : 'eligible'}`, () => {
      const verdict = deleteLoginProfile.eligibility(state, ctx);
      if (expected === null) assert.equal(verdict, null);
      else {
        assert.equal(verdict?.reason, 'changed_since_plan');
        assert.match(verdict!.detail, expected);
      }
    });
  }
});
