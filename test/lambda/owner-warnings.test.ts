import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type OwnerWarningSettings,
  ownerTarget,
  planOwnerWarnings,
} from '../../src/lambda/owner-warnings.ts';
import { escapeSlackText } from '../../src/lambda/notify.ts';
import { failedAccountChanges, summariseRun } from '../../src/lambda/run-summary.ts';
import { diffRuns } from '../../src/history/diff-runs.ts';
import type { Finding } from '../../src/model/finding.ts';
import { evaluatePrincipal } from '../../src/rules/index.ts';
import { AS_OF, aKey, aUser, daysAgo } from '../helpers/builders.ts';

const ctx = { asOf: AS_OF, thresholdDays: 90 };
const ALLOW = 'https://hooks.slack.com/services/T0123/';
const settings: OwnerWarningSettings = {
  warningDays: 7,
  graceDays: 0,
  ownerWebhookAllow: [ALLOW],
  exemptionHowTo: 'ask #security',
};

function keyFinding(lastUsedDaysAgo: number, name = 'alice'): Finding {
  return evaluatePrincipal(
    aUser({
      name,
      arn: `arn:aws:iam::111122223333:user/${name}`,
      accessKeys: [aKey({ lastUsed: daysAgo(lastUsedDaysAgo), accessKeyId: `AKIA${name.toUpperCase()}` })],
    }),
    ctx,
  )[0]!;
}
const owner = { owner: 'alice@example.com' };

describe('planOwnerWarnings', () => {
  const cases: [string, number, string | undefined][] = [
    ['crosses in 10 days: not yet', 80, undefined],
    ['crosses in exactly 7 days: warned, deactivated that day', 83, '2026-11-08'],
    ['crosses in 3 days: deactivated after the full 7-day notice', 87, '2026-11-08'],
    ['unused for a year: still 7 days of notice', 365, '2026-11-08'],
  ];
  for (const [name, age, expected] of cases) {
    it(name, () => {
      const plan = planOwnerWarnings([keyFinding(age)], () => owner, ctx, settings, {});
      assert.equal(plan.warnings[0]?.deactivateOn, expected);
    });
  }

  it('the grace period moves the date; per-kind thresholds apply', () => {
    const plan = planOwnerWarnings(
      [keyFinding(60)],
      () => owner,
      { ...ctx, thresholds: { access_key: 45 } },
      { ...settings, graceDays: 20 },
      {},
    );
    assert.equal(
      plan.warnings[0]?.deactivateOn,
      '2026-11-08',
      '60 days ago + 45 + 20 = 5 days ahead → notice period wins',
    );
  });

  it('warns once per crossing, and again after the credential was used and crossed again', () => {
    const first = planOwnerWarnings([keyFinding(87)], () => owner, ctx, settings, {});
    const again = planOwnerWarnings([keyFinding(87)], () => owner, ctx, settings, first.warned);
    assert.equal(again.warnings.length, 0);
    assert.deepEqual(again.warned, first.warned, 'the announced date is kept');
    const usedThenIdle = planOwnerWarnings([keyFinding(86)], () => owner, ctx, settings, first.warned);
    assert.equal(usedThenIdle.warnings.length, 1);
  });

  it('the notice names the key id, what happens and how to claim an exemption; no secrets exist to leak', () => {
    const [w] = planOwnerWarnings([keyFinding(87)], () => owner, ctx, settings, {}).warnings;
    assert.equal(w!.subject, 'credsweep: access key AKIAALICE of alice will be deactivated on 2026-11-08');
    assert.match(
      w!.message,
      /^Access key AKIAALICE of user alice \(account 111122223333\) was last used on 2026-08-06\./,
    );
    assert.match(
      w!.message,
      /On 2026-11-08, the key will be deactivated \(not deleted; credsweep undo reactivates it\)\./,
    );
    assert.match(w!.message, /claim an exemption: ask #security\./);
  });

  it('a password notice says its removal cannot be undone', () => {
    const [pw] = evaluatePrincipal(aUser({ password: { lastUsed: daysAgo(87), lastChanged: null } }), ctx);
    const [w] = planOwnerWarnings([pw!], () => owner, ctx, settings, {}).warnings;
    assert.match(w!.message, /^The console password of user alice .* was last used on 2026-08-06\./);
    assert.match(w!.message, /On 2026-11-08, the console password may be removed; that cannot be undone/);
  });

  it('an email owner tag, or none', () => {
    assert.deepEqual(ownerTarget('bob@example.com', []), { kind: 'email', address: 'bob@example.com' });
    assert.equal(ownerTarget(undefined, []), 'no owner tag');
    const plan = planOwnerWarnings([keyFinding(200)], () => undefined, ctx, settings, {});
    assert.deepEqual(
      plan.unreachable.map((u) => u.why),
      ['no owner tag'],
    );
  });

  const accepted: [string, string, string][] = [
    ['a hook under the allowed prefix', `${ALLOW}B1/xyz`, `${ALLOW}B1/xyz`],
    [
      'the explicit default port, which is the default port',
      'https://hooks.slack.com:443/services/T0123/B1/x',
      `${ALLOW}B1/x`,
    ],
    [
      'an upper-case host (hosts are case-insensitive)',
      'https://HOOKS.slack.com/services/T0123/B1/x',
      `${ALLOW}B1/x`,
    ],
  ];
  for (const [name, tag, url] of accepted) {
    it(`owner webhook accepted: ${name}`, () => {
      assert.deepEqual(ownerTarget(tag, [ALLOW]), { kind: 'webhook', url });
    });
  }

  // A tag is written by anyone with iam:TagUser: each way out of the allowed workspace is refused.
  const refused: [string, string, RegExp][] = [
    ['http:', 'http://hooks.slack.com/services/T0123/B1/x', /scheme http: refused \(https: only\)/],
    ['another port', 'https://hooks.slack.com:8443/services/T0123/B1/x', /port 8443 refused/],
    [
      'another path on the allowed host',
      'https://hooks.slack.com/services/T9999/B1/x',
      /not under an ownerWebhookAllow prefix/,
    ],
    ['a longer team id sharing the prefix text', 'https://hooks.slack.com/services/T01234/B1/x', /not under/],
    ['a dot-dot walk out of the prefix', 'https://hooks.slack.com/services/T0123/../T9999/B1', /not under/],
    ['an encoded dot-dot walk', 'https://hooks.slack.com/services/T0123/%2e%2e/T9999/B1', /not under/],
    ['user:pass@', 'https://user:pass@hooks.slack.com/services/T0123/B1/x', /user info .* refused/],
    ['user@ alone', 'https://attacker@hooks.slack.com/services/T0123/B1/x', /user info .* refused/],
    ['another host', 'https://attacker.example/services/T0123/B1/x', /on attacker\.example is not under/],
    ['a look-alike host', 'https://hooks.slack.com.attacker.example/services/T0123/B1', /not under/],
    ['the prefix itself (no hook named)', ALLOW, /not under/],
    ['file:', 'file:///etc/passwd', /scheme file: refused/],
    ['no allow-list at all', `${ALLOW}B1/x`, /not under/],
  ];
  for (const [name, tag, why] of refused) {
    it(`owner webhook refused: ${name}`, () => {
      const allow = name === 'no allow-list at all' ? [] : [ALLOW];
      const target = ownerTarget(tag, allow);
      assert.equal(typeof target, 'string', JSON.stringify(target));
      assert.match(target as string, why);
    });
  }
});

describe('summariseRun', () => {
  const report = (findings: Finding[]) => ({
    asOf: '2026-11-01T00:00:00Z',
    summary: { unused: findings.filter((f) => f.status === 'unused').length },
    accounts: [{ accountId: '111122223333', status: 'ok' as const }],
    findings,
  });
  it('says nothing when nothing changed', () => {
    const r = report([keyFinding(100)]);
    const changes = {
      diff: diffRuns(r, r),
      ...failedAccountChanges(r.accounts, r.accounts),
      firstRun: false,
    };
    assert.equal(summariseRun(r, changes, 's3://b/k'), undefined);
  });
  it('a newly failing account is a change worth sending, once', () => {
    const before = report([]);
    const after = {
      ...before,
      accounts: [
        {
          accountId: '111122223333',
          status: 'failed' as const,
          error: { code: 'AccessDenied', message: 'not authorized' },
        },
      ],
    };
    const changes = {
      diff: diffRuns(before, after),
      ...failedAccountChanges(before.accounts, after.accounts),
      firstRun: false,
    };
    assert.match(
      summariseRun(after, changes, 's3://b/k')!.text,
      /Account 111122223333 could not be audited: AccessDenied: not authorized/,
    );
    const still = {
      diff: diffRuns(after, after),
      ...failedAccountChanges(after.accounts, after.accounts),
      firstRun: false,
    };
    assert.equal(summariseRun(after, still, 's3://b/k'), undefined);
  });
  it('caps each section to keep the message short', () => {
    const many = Array.from({ length: 30 }, (_, i) => keyFinding(100, `user${i}`));
    const r = report(many);
    const changes = {
      diff: diffRuns(report([]), r),
      ...failedAccountChanges([], r.accounts),
      firstRun: false,
    };
    const text = summariseRun(r, changes, 's3://b/k')!.text;
    assert.match(text, /Newly unused \(30\):/);
    assert.match(text, /… and 10 more/);
  });
});

describe('webhook text', () => {
  it('escapes what Slack would read as links or mentions', () => {
    assert.equal(
      escapeSlackText('AccessDenied: <!channel> & <https://evil|click>'),
      'AccessDenied: &lt;!channel&gt; &amp; &lt;https://evil|click&gt;',
    );
  });
});
