import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/model/finding.ts';
import { MAX_RECORDED_EXEMPT_TAGS, remediationPlanSchema } from '../../src/model/remediation-plan.ts';
import { assembleRemediationPlan, findingKey, type PlanOptions } from '../../src/remediation/plan.ts';
import { toIso } from '../../src/time.ts';
import { AS_OF, daysAgo, aFinding as aSharedFinding } from '../helpers/builders.ts';

function aFinding(overrides: Partial<Finding> = {}): Finding {
  return aSharedFinding({
    lastUsed: toIso(daysAgo(200)),
    lastActivity: toIso(daysAgo(200)),
    ageDays: 200,
    reason: 'access key 1 last used 200 days ago (threshold 90)',
    accessKeyId: 'AKIAALICE0000000001',
    ...overrides,
  });
}

const OPTIONS: PlanOptions = {
  dataCollectedAt: AS_OF - 3_600_000,
  createdAt: AS_OF,
  thresholdDays: 90,
  deleteAfterDays: 30,
  allowIrreversible: false,
  includeRoot: false,
  include: [],
  exclude: [],
  caller: {
    accountId: '111122223333',
    arn: 'arn:aws:iam::111122223333:user/ops',
    accessKeyId: 'AKIAOPS000000000001',
  },
};

/** The role credsweep assumes in member account 444455556666 (--role-name Remediator). */
const MEMBER_ROLE: Partial<Finding> = {
  accountId: '444455556666',
  principalType: 'role',
  principalName: 'Remediator',
  arn: 'arn:aws:iam::444455556666:role/Remediator',
  credential: 'role',
  accessKeyId: undefined,
  reason: 'role last used 200 days ago (threshold 90)',
};

function planOne(f: Finding, options: Partial<PlanOptions> = {}) {
  const plan = assembleRemediationPlan([f], { ...OPTIONS, ...options });
  remediationPlanSchema.parse(plan);
  return plan;
}

function skipReason(f: Finding, options: Partial<PlanOptions> = {}): string | undefined {
  const plan = planOne(f, options);
  assert.equal(plan.steps.length + plan.skipped.length, 1, 'every credential finding is a step or a skip');
  return plan.skipped[0]?.reason;
}

describe('assembleRemediationPlan', () => {
  it('deactivates an unused active access key, reversibly, remembering the state it saw', () => {
    const plan = planOne(aFinding());
    assert.equal(plan.steps.length, 1);
    const step = plan.steps[0]!;
    assert.equal(step.action, 'deactivate-access-key');
    assert.equal(step.id, '111122223333/deactivate-access-key/AKIAALICE0000000001');
    assert.equal(step.reversible, true);
    assert.deepEqual(step.expected, { status: 'Active', lastUsed: toIso(daysAgo(200)) });
    assert.match(step.reason, /200 days ago/);
    assert.deepEqual(plan.summary, { steps: 1, reversible: 1, irreversible: 0, skipped: 0 });
    assert.equal(plan.schemaVersion, 2);
    assert.equal(plan.digest.algorithm, 'sha256');
    assert.equal(plan.dataCollectedAt, toIso(AS_OF - 3_600_000));
  });

  describe('deletes a key credsweep deactivated at least --delete-after days ago, only with --allow-irreversible', () => {
    const cases = [
      // Its last activity says nothing about when it became inactive (an admin, yesterday, for forensics).
      {
        name: 'no journal record, last activity 29 days ago',
        ageDays: 29,
        deactivated: undefined,
        allow: true,
        expect: 'deactivation_unknown',
      },
      {
        name: 'no journal record, last activity 400 days ago',
        ageDays: 400,
        deactivated: undefined,
        allow: true,
        expect: 'deactivation_unknown',
      },
      {
        name: 'the journal knows it was deactivated 10 days ago',
        ageDays: 400,
        deactivated: 10,
        allow: true,
        expect: 'inactive_too_recent',
      },
      {
        name: 'deactivated 31 days ago, without --allow-irreversible',
        ageDays: 5,
        deactivated: 31,
        allow: false,
        expect: 'irreversible',
      },
      {
        name: 'deactivated 31 days ago, with --allow-irreversible',
        ageDays: 5,
        deactivated: 31,
        allow: true,
        expect: 'delete',
      },
    ] as const;
    for (const c of cases) {
      it(c.name, () => {
        const f = aFinding({ status: 'inactive', ageDays: c.ageDays });
        const deactivatedAt =
          c.deactivated === undefined
            ? undefined
            : new Map([['AKIAALICE0000000001', daysAgo(c.deactivated)]]);
        const plan = planOne(f, { allowIrreversible: c.allow, ...(deactivatedAt ? { deactivatedAt } : {}) });
        if (c.expect === 'delete') {
          assert.equal(plan.steps[0]?.action, 'delete-access-key');
          assert.equal(plan.steps[0]?.reversible, false);
          assert.equal(plan.steps[0]?.expected.status, 'Inactive');
        } else {
          assert.equal(plan.skipped[0]?.reason, c.expect);
        }
      });
    }
  });

  it('deletes an unused console password only with --allow-irreversible', () => {
    const f = aFinding({
      credential: 'password',
      accessKeyId: undefined,
      reason: 'console password never used',
    });
    const without = planOne(f);
    assert.equal(without.skipped[0]?.reason, 'irreversible');
    assert.match(without.skipped[0]!.detail, /cannot be undone/);
    const withFlag = planOne(f, { allowIrreversible: true });
    assert.equal(withFlag.steps[0]?.action, 'delete-login-profile');
    assert.equal(withFlag.steps[0]?.reversible, false);
    assert.equal(withFlag.steps[0]?.expected.status, undefined);
    assert.deepEqual(withFlag.summary, { steps: 1, reversible: 0, irreversible: 1, skipped: 0 });
  });

  it('deactivates a signing certificate older than the threshold (AWS records no use for them)', () => {
    const cert = aFinding({
      credential: 'cert_1',
      status: 'unverified',
      lastUsed: null,
      accessKeyId: undefined,
      certificateId: 'CERT1',
    });
    assert.equal(planOne({ ...cert, ageDays: 90 }).steps[0]?.action, 'deactivate-signing-certificate');
    assert.equal(skipReason({ ...cert, ageDays: 89 }), 'recent');
    assert.equal(skipReason({ ...cert, status: 'inactive' }), 'already_inactive');
  });

  describe('never plans, and says why', () => {
    const cases: [string, Partial<Finding>, Partial<PlanOptions>, string][] = [
      ['a key in use', { status: 'in_use' }, {}, 'in_use'],
      [
        'an exempt principal',
        { status: 'exempt', reason: 'exempt by tag credsweep:exempt=true' },
        {},
        'exempt',
      ],
      [
        'a service-linked role',
        { principalType: 'role', status: 'service_linked', credential: 'role', accessKeyId: undefined },
        {},
        'service_linked',
      ],
      ['a role', { principalType: 'role', credential: 'role', accessKeyId: undefined }, {}, 'role'],
      ['the root user', { principalType: 'root', principalName: '<root_account>' }, {}, 'root'],
      ['an excluded name', {}, { exclude: ['alice'] }, 'excluded'],
      ['an excluded ARN glob', {}, { exclude: ['arn:aws:iam::*:user/al*'] }, 'excluded'],
      ['an excluded account', {}, { exclude: ['111122223333'] }, 'excluded'],
      ['a principal outside --include', {}, { include: ['bob'] }, 'not_included'],
      // IAM names are unique whatever their case: --exclude ALICE names alice, as an exemption would.
      ['an excluded name in other case', {}, { exclude: ['ALICE'] }, 'excluded'],
      ['an excluded ARN glob in other case', {}, { exclude: ['ARN:AWS:IAM::*:USER/Al*'] }, 'excluded'],
      ["the caller's own key", { accessKeyId: 'AKIAOPS000000000001' }, {}, 'caller_key'],
      [
        'the role credsweep assumes in a member account (--role-name), unused',
        { ...MEMBER_ROLE, status: 'unused' },
        { roles: true, memberRoleNames: ['Remediator'] },
        'caller_role',
      ],
      [
        'that role named with a path and in other case (--role-name ops/REMEDIATOR)',
        { ...MEMBER_ROLE, status: 'unused' },
        { roles: true, memberRoleNames: ['ops/REMEDIATOR'] },
        'caller_role',
      ],
      ['a key whose id could not be resolved', { accessKeyId: undefined }, {}, 'unresolved'],
      [
        'an unused key IAM lists in a status this version does not know',
        { status: 'unused', caveats: ['status_unknown'] },
        {},
        'unresolved',
      ],
      [
        'an old certificate IAM lists in a status this version does not know',
        {
          credential: 'cert_1',
          status: 'unverified',
          accessKeyId: undefined,
          certificateId: 'CERTEXAMPLE',
          ageDays: 400,
          caveats: ['status_unknown'],
        },
        {},
        'unresolved',
      ],
    ];
    for (const [name, finding, options, reason] of cases) {
      it(name, () => assert.equal(skipReason(aFinding(finding), options), reason));
    }
    it("a role named like --role-name in the caller's own account is planned (credsweep runs there as the caller)", () => {
      const own = {
        ...MEMBER_ROLE,
        accountId: '111122223333',
        arn: 'arn:aws:iam::111122223333:role/Remediator',
      };
      const plan = planOne(aFinding({ ...own, status: 'unused' }), {
        roles: true,
        memberRoleNames: ['Remediator'],
      });
      assert.deepEqual(
        plan.steps.map((s) => s.action),
        ['quarantine-role'],
      );
    });
    it('--include matches names and ARNs ignoring case', () => {
      for (const include of ['Alice', 'arn:aws:iam::*:user/AL*']) {
        const plan = planOne(aFinding(), { include: [include] });
        assert.deepEqual(
          plan.steps.map((s) => s.action),
          ['deactivate-access-key'],
          include,
        );
      }
    });
    it('records the exempt tags besides the default (plan --exempt-tag), for apply to honour', () => {
      const plan = planOne(aFinding(), { exemptTags: [{ tagKey: 'team:keep', tagValue: 'yes' }] });
      assert.deepEqual(plan.options.exemptTags, [{ tagKey: 'team:keep', tagValue: 'yes' }]);
      assert.deepEqual(
        remediationPlanSchema.parse(plan).options.exemptTags,
        [{ tagKey: 'team:keep', tagValue: 'yes' }],
        'the plan file keeps them',
      );
      assert.equal(planOne(aFinding()).options.exemptTags, undefined, 'none given: none recorded');
    });
    it('a plan file recording more exempt tags than MAX_RECORDED_EXEMPT_TAGS is refused by its schema', () => {
      const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ tagKey: `t${i}`, tagValue: 'x' }));
      const plan = planOne(aFinding(), { exemptTags: tags(MAX_RECORDED_EXEMPT_TAGS) });
      assert.equal(remediationPlanSchema.parse(plan).options.exemptTags?.length, MAX_RECORDED_EXEMPT_TAGS);
      const forged = {
        ...plan,
        options: { ...plan.options, exemptTags: tags(MAX_RECORDED_EXEMPT_TAGS + 1) },
      };
      assert.equal(remediationPlanSchema.safeParse(forged).success, false);
    });
    it('exclusion wins over inclusion', () => {
      assert.equal(skipReason(aFinding(), { include: ['alice'], exclude: ['alice'] }), 'excluded');
    });
    it('the caller key is skipped even when the finding is inactive and old', () => {
      assert.equal(
        skipReason(aFinding({ status: 'inactive', ageDays: 999, accessKeyId: 'AKIAOPS000000000001' })),
        'caller_key',
      );
    });
    it('an unresolved key carries the resolver’s explanation', () => {
      const f = aFinding({ accessKeyId: undefined });
      const plan = planOne(f, { unresolved: new Map([[findingKey(f), 'access_key_1 is Inactive now']]) });
      assert.equal(plan.skipped[0]?.detail, 'access_key_1 is Inactive now');
    });
  });

  describe('root access keys of member accounts (--include-root)', () => {
    const root = aFinding({
      accountId: '444455556666',
      principalType: 'root',
      principalName: '<root_account>',
      arn: 'arn:aws:iam::444455556666:root',
      accessKeyId: 'AKIAROOT00000000001',
    });
    it('skipped without --include-root', () => assert.equal(skipReason(root), 'root'));
    it('skipped without --allow-irreversible', () =>
      assert.equal(
        skipReason(root, { includeRoot: true, rootAccessAccounts: new Set(['444455556666']) }),
        'irreversible',
      ));
    it('skipped where root access is not centralised', () =>
      assert.equal(
        skipReason(root, { includeRoot: true, allowIrreversible: true }),
        'root_access_not_centralised',
      ));
    it('deleted, irreversibly, where it is', () => {
      const plan = planOne(root, {
        includeRoot: true,
        allowIrreversible: true,
        rootAccessAccounts: new Set(['444455556666']),
      });
      assert.equal(plan.steps[0]?.action, 'delete-root-access-key');
      assert.equal(plan.steps[0]?.reversible, false);
    });
    it('the root password is never planned', () =>
      assert.equal(
        skipReason(
          { ...root, credential: 'password', accessKeyId: undefined },
          {
            includeRoot: true,
            allowIrreversible: true,
            rootAccessAccounts: new Set(['444455556666']),
          },
        ),
        'root',
      ));
  });

  it('ignores findings that are not credentials (permissions, users without credentials)', () => {
    const plan = assembleRemediationPlan(
      [
        aFinding({ credential: 'permission', service: 's3' }),
        aFinding({ credential: 'none', status: 'no_credentials' }),
      ],
      OPTIONS,
    );
    assert.equal(plan.steps.length + plan.skipped.length, 0);
  });

  it('is pure: the same findings and options give the same plan', () => {
    const findings = [aFinding(), aFinding({ credential: 'password', accessKeyId: undefined })];
    assert.deepEqual(assembleRemediationPlan(findings, OPTIONS), assembleRemediationPlan(findings, OPTIONS));
  });
});
