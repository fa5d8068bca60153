/**
 * What apply judges a plan's steps with (pure): a plan sealed with the plan key keeps its recorded
 * thresholds and --delete-after, which apply --days / --delete-after can only raise; any other plan's
 * meet apply's own (its flags, else its configuration, else credsweep's defaults) where those are
 * larger. And the line the confirmation shows when that differs from what the plan recorded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUDIT_DEFAULTS } from '../../src/audit/settings.ts';
import type { RemediationPlan } from '../../src/model/remediation-plan.ts';
import { ACTIONS } from '../../src/remediation/actions/index.ts';
import { judgingThresholds } from '../../src/remediation/apply.ts';
import {
  type ApplyOwnThresholds,
  applyThresholds,
  DEFAULT_DELETE_AFTER_DAYS,
  describeApplyThresholds,
} from '../../src/remediation/apply-thresholds.ts';
import { assembleRemediationPlan, type PlanOptions } from '../../src/remediation/plan.ts';
import { sealPlan } from '../../src/remediation/plan-digest.ts';
import { THRESHOLD_KINDS } from '../../src/rules/rule.ts';
import { AS_OF } from '../helpers/builders.ts';

const OPTIONS: PlanOptions = {
  dataCollectedAt: AS_OF - 3_600_000,
  createdAt: AS_OF,
  thresholdDays: 0,
  deleteAfterDays: 0,
  allowIrreversible: false,
  includeRoot: false,
  include: [],
  exclude: [],
  caller: { accountId: '111122223333', arn: 'arn:aws:iam::111122223333:user/ops', accessKeyId: null },
};
const KEY = Buffer.from('k'.repeat(32));

function aPlan(overrides: Partial<PlanOptions> = {}): RemediationPlan {
  return assembleRemediationPlan([], { ...OPTIONS, ...overrides });
}

describe('applyThresholds', () => {
  const cases: {
    name: string;
    plan: Partial<PlanOptions>;
    own: ApplyOwnThresholds;
    sealed: boolean;
    accessKeys: number;
    passwords: number;
    deleteAfter: number;
  }[] = [
    {
      name: "unsealed, thresholds 0: credsweep's defaults",
      plan: {},
      own: {},
      sealed: false,
      accessKeys: AUDIT_DEFAULTS.days,
      passwords: AUDIT_DEFAULTS.days,
      deleteAfter: DEFAULT_DELETE_AFTER_DAYS,
    },
    {
      name: "unsealed: the configuration's per-kind thresholds, else its days",
      plan: {},
      own: { config: { days: 100, thresholds: { access_key: 60 } } },
      sealed: false,
      accessKeys: 60,
      passwords: 100,
      deleteAfter: DEFAULT_DELETE_AFTER_DAYS,
    },
    {
      name: "unsealed: apply --days never lowers the configuration's value for a kind",
      plan: {},
      own: { days: 45, config: { days: 100, thresholds: { access_key: 60 } } },
      sealed: false,
      accessKeys: 60,
      passwords: 100,
      deleteAfter: DEFAULT_DELETE_AFTER_DAYS,
    },
    {
      name: "unsealed: apply --days raises the configuration's values, for every kind",
      plan: {},
      own: { days: 150, config: { days: 100, thresholds: { access_key: 60 } } },
      sealed: false,
      accessKeys: 150,
      passwords: 150,
      deleteAfter: DEFAULT_DELETE_AFTER_DAYS,
    },
    {
      name: "unsealed, apply --days 0 --delete-after 0: the human's word at apply, the plan's values",
      plan: {},
      own: { days: 0, deleteAfterDays: 0 },
      sealed: false,
      accessKeys: 0,
      passwords: 0,
      deleteAfter: 0,
    },
    {
      name: "unsealed, the plan stricter than apply's own: the plan's",
      plan: { thresholdDays: 120, thresholds: { password: 200 }, deleteAfterDays: 60 },
      own: { days: 10, deleteAfterDays: 5 },
      sealed: false,
      accessKeys: 120,
      passwords: 200,
      deleteAfter: 60,
    },
    {
      name: "sealed, threshold 30: the plan's, not credsweep's defaults nor the configuration's",
      plan: { thresholdDays: 30, deleteAfterDays: 7 },
      own: { config: { days: 100 } },
      sealed: true,
      accessKeys: 30,
      passwords: 30,
      deleteAfter: 7,
    },
    {
      name: 'sealed: apply --days and --delete-after raise',
      plan: { thresholdDays: 30, deleteAfterDays: 7 },
      own: { days: 60, deleteAfterDays: 14 },
      sealed: true,
      accessKeys: 60,
      passwords: 60,
      deleteAfter: 14,
    },
    {
      name: 'sealed: apply --days and --delete-after never lower',
      plan: { thresholdDays: 30, deleteAfterDays: 7 },
      own: { days: 0, deleteAfterDays: 0 },
      sealed: true,
      accessKeys: 30,
      passwords: 30,
      deleteAfter: 7,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = applyThresholds(aPlan(c.plan), c.own, c.sealed);
      assert.deepEqual(
        [t.thresholdDays('access_key'), t.thresholdDays('password'), t.deleteAfterDays],
        [c.accessKeys, c.passwords, c.deleteAfter],
      );
    });
  }

  it("every kind an action is judged by has apply's own floor when the plan is not sealed", () => {
    // A forged plan records 0 for every kind; whatever an action is judged by, apply judges it with
    // at least credsweep's default. A new action or threshold kind without a floor fails here.
    const zero = Object.fromEntries(THRESHOLD_KINDS.map((k) => [k, 0]));
    const t = applyThresholds(aPlan({ thresholds: zero }), {}, false);
    for (const [id, action] of Object.entries(ACTIONS)) {
      for (const by of action.judgedBy) {
        const value =
          by === 'delete_after' ? t.deleteAfterDays : t.thresholdDays(by === 'default' ? undefined : by);
        const floor = by === 'delete_after' ? DEFAULT_DELETE_AFTER_DAYS : AUDIT_DEFAULTS.days;
        assert.equal(value, floor, `${id} judged by ${by}`);
      }
    }
  });

  it('a plan is sealed only with an HMAC that matches under the key apply has', () => {
    const { digest: _, ...content } = aPlan();
    const judged = (plan: RemediationPlan, key?: Buffer) => judgingThresholds(plan, key).sealed;
    assert.equal(judged(sealPlan(content, KEY), KEY), true);
    assert.equal(judged(sealPlan(content, undefined), KEY), false, 'SHA-256');
    assert.equal(judged(sealPlan(content, Buffer.from('g'.repeat(32))), KEY), false, 'another key');
    assert.equal(judged(sealPlan(content, KEY)), false, 'apply has no key');
    const forged = { ...sealPlan(content, KEY), audit: { ...content.audit, thresholdDays: 1 } };
    assert.equal(judged(forged, KEY), false, 'edited after sealing');
  });
});

describe('describeApplyThresholds', () => {
  it('unsealed and raised: one line naming the kinds the steps use, what apply judges with, and the flag', () => {
    const t = applyThresholds(aPlan(), {}, false);
    assert.deepEqual(describeApplyThresholds(t, new Set(['access_key'])), [
      "this plan is not sealed with a plan key: apply judges access keys with 90 days, not the plan's 0 (apply --days to change it); each step below is judged again with it right before it is carried out",
    ]);
    assert.deepEqual(describeApplyThresholds(t, new Set(['access_key', 'role', 'delete_after'])), [
      "this plan is not sealed with a plan key: apply judges access keys and roles with 90 days, not the plan's 0; deletes after 30 days, not the plan's 0 (apply --days and --delete-after to change it); each step below is judged again with it right before it is carried out",
    ]);
  });

  it("unsealed and raised to the configuration file's value: says apply --days can only raise it", () => {
    const own = { config: { thresholds: { access_key: 180 } } };
    const t = applyThresholds(aPlan(), own, false);
    assert.deepEqual(describeApplyThresholds(t, new Set(['access_key'])), [
      "this plan is not sealed with a plan key: apply judges access keys with 180 days, not the plan's 0 (the configuration file sets it for access keys, and apply --days can only raise that); each step below is judged again with it right before it is carried out",
    ]);
    assert.deepEqual(describeApplyThresholds(t, new Set(['access_key', 'role'])), [
      "this plan is not sealed with a plan key: apply judges access keys with 180 days, not the plan's 0; judges roles with 90 days, not the plan's 0 (apply --days to change it; the configuration file sets it for access keys, and apply --days can only raise that); each step below is judged again with it right before it is carried out",
    ]);
    const raisedByFlag = applyThresholds(aPlan(), { ...own, days: 200 }, false);
    assert.deepEqual(describeApplyThresholds(raisedByFlag, new Set(['access_key'])), [
      "this plan is not sealed with a plan key: apply judges access keys with 200 days, not the plan's 0 (apply --days to change it); each step below is judged again with it right before it is carried out",
    ]);
  });

  it('nothing when apply judges as the plan recorded, or no step is judged by what changed', () => {
    const plan = aPlan({ thresholdDays: 90, deleteAfterDays: 30 });
    assert.deepEqual(describeApplyThresholds(applyThresholds(plan, {}, false), new Set(['access_key'])), []);
    assert.deepEqual(describeApplyThresholds(applyThresholds(aPlan(), {}, false), new Set()), []);
    assert.deepEqual(
      describeApplyThresholds(
        applyThresholds(aPlan({ thresholdDays: 30 }), {}, true),
        new Set(['access_key']),
      ),
      [],
    );
  });

  it('sealed and raised by apply --days; a flag lower than the plan is said not to lower it', () => {
    const sealed = aPlan({ thresholdDays: 30 });
    assert.deepEqual(
      describeApplyThresholds(applyThresholds(sealed, { days: 60 }, true), new Set(['access_key'])),
      [
        "apply --days raises the sealed plan's values: apply judges access keys with 60 days, not the plan's 30; each step below is judged again with it right before it is carried out",
      ],
    );
    assert.deepEqual(
      describeApplyThresholds(applyThresholds(sealed, { days: 0 }, true), new Set(['access_key'])),
      [
        "apply --days 0 only raises a plan's values, never lowers them: access keys stay at the plan's 30 days",
      ],
    );
  });
});
