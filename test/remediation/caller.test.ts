/**
 * "Never the credential credsweep itself runs with", pure: who credsweep runs as (src/remediation/caller.ts)
 * and the caller checks of the actions apply re-checks. IAM names are unique case-insensitively, so a
 * forged step spelling the caller's name in other case names the caller; apply compares the live
 * name (the live ARN, the role record), never the step's principalName.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlanStep } from '../../src/model/remediation-plan.ts';
import type { CredentialState, EligibilityContext } from '../../src/remediation/actions/action.ts';
import { quarantineUser } from '../../src/remediation/actions/quarantine-user.ts';
import { roleNeverCases } from '../../src/remediation/actions/read-role.ts';
import { restrictPermissions } from '../../src/remediation/actions/restrict-permissions.ts';
import { callerSkip } from '../../src/remediation/caller.ts';
import { AS_OF } from '../helpers/builders.ts';

const ACCOUNT = '123456789012';
const ROLE_CALLER = `arn:aws:sts::${ACCOUNT}:assumed-role/ops/run`;
const USER_CALLER = `arn:aws:iam::${ACCOUNT}:user/team/deployer`;
const MEMBER = '111111111111';
const RESTRICT_STEP = {
  id: `${ACCOUNT}/restrict-permissions/role/OPS`,
  action: 'restrict-permissions',
  accountId: ACCOUNT,
  principalType: 'role',
  principalName: 'OPS',
  arn: `arn:aws:iam::${ACCOUNT}:role/ops`,
  credential: 'permission',
  reversible: true,
  reason: 'forged',
  expected: { lastUsed: null },
  restriction: {
    granularity: 'service',
    servicesInUse: ['s3'],
    unusedActions: [],
    previousBoundaryArn: null,
    policyName: 'credsweep-boundary-x',
  },
} satisfies PlanStep;

function ctx(callerArn: string, memberRoleNames: readonly string[] = []): EligibilityContext {
  return {
    now: AS_OF,
    thresholdDays: () => 90,
    deleteAfterDays: 30,
    deactivatedAt: () => undefined,
    includeServiceRoles: false,
    callerArn,
    memberRoleNames,
  };
}

describe('callerSkip: the principal credsweep calls AWS as', () => {
  const cases: [string, Parameters<typeof callerSkip>[0], string, string | null][] = [
    ['its assumed role', { accountId: ACCOUNT, type: 'role', name: 'ops' }, ROLE_CALLER, 'caller_role'],
    [
      'its role, in other case',
      { accountId: ACCOUNT, type: 'role', name: 'OPS' },
      ROLE_CALLER,
      'caller_role',
    ],
    [
      'a role of that name in another account',
      { accountId: '111111111111', type: 'role', name: 'ops' },
      ROLE_CALLER,
      null,
    ],
    ['a user of its role name', { accountId: ACCOUNT, type: 'user', name: 'ops' }, ROLE_CALLER, null],
    [
      'its IAM user (with a path)',
      { accountId: ACCOUNT, type: 'user', name: 'deployer' },
      USER_CALLER,
      'caller_user',
    ],
    [
      'its IAM user, in other case',
      { accountId: ACCOUNT, type: 'user', name: 'Deployer' },
      USER_CALLER,
      'caller_user',
    ],
    ['a role of its user name', { accountId: ACCOUNT, type: 'role', name: 'deployer' }, USER_CALLER, null],
    [
      'anyone, when it runs as root',
      { accountId: ACCOUNT, type: 'user', name: 'root' },
      `arn:aws:iam::${ACCOUNT}:root`,
      null,
    ],
  ];
  for (const [name, principal, callerArn, expected] of cases) {
    it(`${name}: ${expected ?? 'not the caller'}`, () => {
      assert.equal(callerSkip(principal, { callerArn, memberRoleNames: [] })?.reason ?? null, expected);
    });
  }
});

describe('callerSkip: the role credsweep assumes in every other account (--role-name)', () => {
  const runsAs = (...memberRoleNames: string[]) => ({ callerArn: ROLE_CALLER, memberRoleNames });
  const cases: [string, Parameters<typeof callerSkip>[0], string[], string | null][] = [
    [
      'in a member account',
      { accountId: MEMBER, type: 'role', name: 'Remediator' },
      ['Remediator'],
      'caller_role',
    ],
    ['in other case', { accountId: MEMBER, type: 'role', name: 'remediator' }, ['Remediator'], 'caller_role'],
    [
      '--role-name with a path',
      { accountId: MEMBER, type: 'role', name: 'Remediator' },
      ['/ops/Remediator'],
      'caller_role',
    ],
    [
      "the plan's live audit role too",
      { accountId: MEMBER, type: 'role', name: 'Auditor' },
      ['Remediator', 'Auditor'],
      'caller_role',
    ],
    [
      "in the caller's own account (not assumed there)",
      { accountId: ACCOUNT, type: 'role', name: 'Remediator' },
      ['Remediator'],
      null,
    ],
    ['a user of that name', { accountId: MEMBER, type: 'user', name: 'Remediator' }, ['Remediator'], null],
    ['another role', { accountId: MEMBER, type: 'role', name: 'app' }, ['Remediator'], null],
    [
      "the base caller's role name in a member account",
      { accountId: MEMBER, type: 'role', name: 'ops' },
      ['Remediator'],
      null,
    ],
  ];
  for (const [name, principal, roles, expected] of cases) {
    it(`${name}: ${expected ?? 'not credsweep'}`, () => {
      assert.equal(callerSkip(principal, runsAs(...roles))?.reason ?? null, expected);
    });
  }
});

describe('apply never acts on the --role-name role in the account it assumes it in', () => {
  const remediator: CredentialState = {
    exists: true,
    status: 'Active',
    lastUsed: null,
    role: {
      roleName: 'Remediator',
      path: '/',
      roleId: 'AROAREMEDIATOR',
      arn: `arn:aws:iam::${MEMBER}:role/Remediator`,
      trustPolicy: JSON.stringify({
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
        ],
      }),
      inlinePolicies: [],
      attachedPolicyArns: [],
      permissionsBoundaryArn: null,
      tags: [],
      instanceProfiles: [],
    },
  };

  it('the role actions (roleNeverCases): caller_role', () => {
    assert.equal(roleNeverCases(remediator, ctx(ROLE_CALLER, ['Remediator']))?.reason, 'caller_role');
    assert.equal(roleNeverCases(remediator, ctx(ROLE_CALLER)), null, 'without --role-name it is any role');
  });

  it('a role whose trust policy is not JSON is left as it is: whether a service assumes it cannot be told', () => {
    const unreadable: CredentialState = {
      ...remediator,
      role: { ...remediator.role!, trustPolicy: '{"Statement": [' },
    };
    const never = roleNeverCases(unreadable, ctx(ROLE_CALLER));
    assert.equal(never?.reason, 'changed_since_plan');
    assert.match(never?.detail ?? '', /trust policy is not JSON/);
  });

  it('restrict-permissions: caller_role', () => {
    const live: CredentialState = {
      exists: true,
      status: 'Unrestricted',
      lastUsed: null,
      arn: `arn:aws:iam::${MEMBER}:role/Remediator`,
      boundary: { currentArn: null, path: '/' },
    };
    const step = {
      ...RESTRICT_STEP,
      id: `${MEMBER}/restrict-permissions/role/Remediator`,
      accountId: MEMBER,
      principalName: 'Remediator',
      arn: `arn:aws:iam::${MEMBER}:role/Remediator`,
    } satisfies PlanStep;
    assert.equal(
      restrictPermissions.eligibility(live, ctx(ROLE_CALLER, ['Remediator']), step)?.reason,
      'caller_role',
    );
  });
});

describe('apply compares the live name, not the step principalName (a forged plan cases it differently)', () => {
  it("restrict-permissions: a step for 'OPS' whose live ARN is the caller role ops is caller_role", () => {
    const step = RESTRICT_STEP;
    // What GetRole('OPS') answers in AWS: the role as IAM has it.
    const live: CredentialState = {
      exists: true,
      status: 'Unrestricted',
      lastUsed: null,
      arn: `arn:aws:iam::${ACCOUNT}:role/ops`,
      boundary: { currentArn: null, path: '/' },
    };
    assert.deepEqual(restrictPermissions.eligibility(live, ctx(ROLE_CALLER), step), {
      reason: 'caller_role',
      detail: 'credsweep is calling AWS as this role',
    });
  });

  it("restrict-permissions: a step for 'DEPLOYER' whose live ARN is the caller user is caller_user", () => {
    const live: CredentialState = {
      exists: true,
      status: 'Unrestricted',
      lastUsed: null,
      arn: `arn:aws:iam::${ACCOUNT}:user/team/deployer`,
      boundary: { currentArn: null, path: '/team/' },
    };
    const step = {
      id: `${ACCOUNT}/restrict-permissions/user/DEPLOYER`,
      action: 'restrict-permissions',
      accountId: ACCOUNT,
      principalType: 'user',
      principalName: 'DEPLOYER',
      arn: `arn:aws:iam::${ACCOUNT}:user/team/deployer`,
      credential: 'permission',
      reversible: true,
      reason: 'forged',
      expected: { lastUsed: null },
      restriction: {
        granularity: 'service',
        servicesInUse: ['s3'],
        unusedActions: [],
        previousBoundaryArn: null,
        policyName: 'credsweep-boundary-x',
      },
    } satisfies PlanStep;
    assert.equal(restrictPermissions.eligibility(live, ctx(USER_CALLER), step)?.reason, 'caller_user');
  });

  it('quarantine-user: the caller user by its live ARN', () => {
    const live: CredentialState = {
      exists: true,
      status: 'Active',
      lastUsed: null,
      arn: `arn:aws:iam::${ACCOUNT}:user/team/deployer`,
      activity: [],
    };
    assert.equal(quarantineUser.eligibility(live, ctx(USER_CALLER))?.reason, 'caller_user');
  });
});
