import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/model/finding.ts';
import type { Principal } from '../../src/model/inventory.ts';
import { evaluatePrincipal } from '../../src/rules/index.ts';
import { AS_OF, aCert, aKey, aRole, aUser, daysAgo } from '../helpers/builders.ts';
import { toIso } from '../../src/time.ts';

const ctx = { asOf: AS_OF, thresholdDays: 90 };
const only = (p: Principal, credential: string): Finding => {
  const found = evaluatePrincipal(p, ctx).filter((f) => f.credential === credential);
  assert.equal(found.length, 1, `one ${credential} finding`);
  return found[0]!;
};

describe('threshold boundaries (days−1 / days / days+1)', () => {
  const cases: Array<[number, string]> = [
    [89, 'in_use'],
    [90, 'unused'],
    [91, 'unused'],
  ];
  for (const [age, status] of cases) {
    it(`password used ${age} days ago is ${status}`, () => {
      const f = only(aUser({ password: { lastUsed: daysAgo(age), lastChanged: null } }), 'password');
      assert.equal(f.status, status);
      assert.equal(f.ageDays, age);
    });
    it(`access key used ${age} days ago is ${status}`, () => {
      const f = only(aUser({ accessKeys: [aKey({ lastUsed: daysAgo(age) })] }), 'access_key_1');
      assert.equal(f.status, status);
    });
    it(`role used ${age} days ago is ${status}`, () => {
      const f = only(aRole({ role: { lastUsed: daysAgo(age), path: '/' } }), 'role');
      assert.equal(f.status, status);
    });
  }
  it('one millisecond short of 90 whole days is still 89 days: in use', () => {
    const f = only(aUser({ accessKeys: [aKey({ lastUsed: daysAgo(90) + 1 })] }), 'access_key_1');
    assert.equal(f.ageDays, 89);
    assert.equal(f.status, 'in_use');
  });
  it('--days 0 makes everything active unused, even today', () => {
    const f = evaluatePrincipal(aUser({ accessKeys: [aKey({ lastUsed: AS_OF })] }), {
      asOf: AS_OF,
      thresholdDays: 0,
    });
    assert.equal(f[0]!.status, 'unused');
  });
  // An --as-of in the past, or a role used moments ago by a clock a little ahead: in use at the
  // as-of date, age 0 (never negative, and 4 hours is not a day), and the finding says why.
  for (const [what, after] of [
    ['3 days', 3 * 86_400_000],
    ['4 hours', 4 * 3_600_000],
    ['a second', 1_000],
  ] as const) {
    it(`activity ${what} after asOf: age 0, in_use, caveat used_after_as_of, said in the reason`, () => {
      const f = only(aUser({ accessKeys: [aKey({ lastUsed: AS_OF + after })] }), 'access_key_1');
      assert.equal(f.ageDays, 0);
      assert.equal(f.status, 'in_use');
      assert.deepEqual(f.caveats, ['used_after_as_of']);
      assert.equal(f.reason, 'access key 1 last used after the as-of date (threshold 90)');
    });
  }
  it('activity at asOf itself is today, with no caveat', () => {
    const f = only(aUser({ accessKeys: [aKey({ lastUsed: AS_OF })] }), 'access_key_1');
    assert.equal(f.ageDays, 0);
    assert.deepEqual(f.caveats, []);
    assert.match(f.reason, /last used today/);
  });
  it('a role used after asOf: age 0, not -1', () => {
    const f = only(aRole({ role: { lastUsed: AS_OF + 60_000, path: '/' } }), 'role');
    assert.equal(f.ageDays, 0);
    assert.deepEqual(f.caveats, ['used_after_as_of']);
    assert.match(f.reason, /last used after the as-of date/);
  });
  // Its age reads 0, but it was in use at the as-of date: even --days 0 (0 >= 0) does not make it
  // unused (it did, after ages were clamped: found by review).
  it('with --days 0, activity after asOf is still in use, for every kind judged by age', () => {
    const ctx = { asOf: AS_OF, thresholdDays: 0 };
    const later = AS_OF + 4 * 3_600_000;
    const statuses = (p: Parameters<typeof evaluatePrincipal>[0]) =>
      evaluatePrincipal(p, ctx).map((f) => `${f.credential}:${f.status}`);
    assert.deepEqual(statuses(aUser({ accessKeys: [aKey({ lastUsed: later })] })), ['access_key_1:in_use']);
    assert.deepEqual(statuses(aUser({ password: { lastUsed: later, lastChanged: null } })), [
      'password:in_use',
    ]);
    assert.deepEqual(statuses(aRole({ role: { lastUsed: later, path: '/' } })), ['role:in_use']);
  });
});

describe('password: fallbacks and caveats', () => {
  it('never used → last_changed', () => {
    const f = only(aUser({ password: { lastUsed: null, lastChanged: daysAgo(200) } }), 'password');
    assert.deepEqual(
      [f.lastActivitySource, f.neverUsed, f.ageDays, f.lastUsed],
      ['last_changed', true, 200, null],
    );
  });
  it('set after its last use (reset yesterday, last signed in 200 days ago) → judged from the change: in_use', () => {
    const f = only(aUser({ password: { lastUsed: daysAgo(200), lastChanged: daysAgo(1) } }), 'password');
    assert.deepEqual(
      [f.status, f.lastActivitySource, f.ageDays, f.neverUsed, f.lastUsed],
      ['in_use', 'last_changed', 1, false, toIso(daysAgo(200))],
    );
    assert.match(f.reason, /console password set 1 day ago, after its last use 200 days ago/);
  });
  it('changed before its last use → last_used', () => {
    const f = only(aUser({ password: { lastUsed: daysAgo(100), lastChanged: daysAgo(300) } }), 'password');
    assert.deepEqual([f.status, f.lastActivitySource, f.ageDays], ['unused', 'last_used', 100]);
  });
  it('never used, never changed → created', () => {
    const f = only(
      aUser({ createdAt: daysAgo(50), password: { lastUsed: null, lastChanged: null } }),
      'password',
    );
    assert.deepEqual([f.lastActivitySource, f.status], ['created', 'in_use']);
  });
  it('not_tracked_before_2014_10_20 when never used and set before tracking began', () => {
    const before = only(
      aUser({ password: { lastUsed: null, lastChanged: Date.UTC(2014, 9, 19, 23) } }),
      'password',
    );
    const after = only(
      aUser({ password: { lastUsed: null, lastChanged: Date.UTC(2014, 9, 20) } }),
      'password',
    );
    assert.deepEqual(before.caveats, ['not_tracked_before_2014_10_20']);
    assert.deepEqual(after.caveats, []);
  });
  describe('password_gap_2018', () => {
    const gapEnd = Date.UTC(2018, 4, 23, 21, 8);
    const lastUsed = Date.UTC(2018, 3, 1);
    const p = aUser({ password: { lastUsed, lastChanged: null } });
    it('when the window starts before the gap ended', () => {
      const f = evaluatePrincipal(p, { asOf: gapEnd + 10 * 86_400_000, thresholdDays: 90 });
      assert.deepEqual(f[0]!.caveats, ['password_gap_2018']);
    });
    it('not when the window starts after the gap', () => {
      const f = evaluatePrincipal(p, { asOf: gapEnd + 91 * 86_400_000, thresholdDays: 90 });
      assert.deepEqual(f[0]!.caveats, []);
    });
    it('not when the last use is after the gap', () => {
      const q = aUser({ password: { lastUsed: gapEnd, lastChanged: null } });
      const f = evaluatePrincipal(q, { asOf: gapEnd + 10 * 86_400_000, thresholdDays: 90 });
      assert.deepEqual(f[0]!.caveats, []);
    });
  });
});

describe('access keys', () => {
  it('never used → last_rotated, then created', () => {
    const rotated = only(aUser({ accessKeys: [aKey({ lastRotated: daysAgo(100) })] }), 'access_key_1');
    assert.deepEqual(
      [rotated.lastActivitySource, rotated.neverUsed, rotated.status],
      ['last_rotated', true, 'unused'],
    );
    const created = only(
      aUser({ createdAt: daysAgo(10), accessKeys: [aKey({ lastRotated: null })] }),
      'access_key_1',
    );
    assert.deepEqual([created.lastActivitySource, created.status], ['created', 'in_use']);
  });
  it('an inactive key is inactive whatever its age', () => {
    for (const age of [1, 500]) {
      const f = only(
        aUser({ accessKeys: [aKey({ active: false, lastUsed: daysAgo(age) })] }),
        'access_key_1',
      );
      assert.equal(f.status, 'inactive');
    }
  });
  it('key 2 is its own finding, not a copy of key 1', () => {
    const p = aUser({
      accessKeys: [aKey({ slot: 1, lastUsed: daysAgo(1) }), aKey({ slot: 2, lastUsed: daysAgo(300) })],
    });
    const f = evaluatePrincipal(p, ctx);
    assert.deepEqual(
      f.map((x) => [x.credential, x.status]),
      [
        ['access_key_1', 'in_use'],
        ['access_key_2', 'unused'],
      ],
    );
    assert.match(f[1]!.reason, /^access key 2 last used 300 days ago \(threshold 90\)$/);
  });
  it('not_tracked_before_2015_04_22 for a never-used key older than tracking', () => {
    const f = only(aUser({ accessKeys: [aKey({ lastRotated: Date.UTC(2015, 3, 21) })] }), 'access_key_1');
    assert.deepEqual(f.caveats, ['not_tracked_before_2015_04_22']);
    const used = only(
      aUser({ accessKeys: [aKey({ lastRotated: Date.UTC(2015, 3, 21), lastUsed: Date.UTC(2015, 5, 1) })] }),
      'access_key_1',
    );
    assert.deepEqual(used.caveats, []);
  });
  it('carries the key id and last-used service/region when the source knows them', () => {
    const f = only(
      aUser({
        accessKeys: [aKey({ accessKeyId: 'AKIAEXAMPLE', lastUsedService: 's3', lastUsedRegion: null })],
      }),
      'access_key_1',
    );
    assert.equal(f.accessKeyId, 'AKIAEXAMPLE');
    assert.equal(f.lastUsedService, 's3');
    assert.equal(f.lastUsedRegion, null);
  });
});

describe('signing certificates', () => {
  it('active is unverified (AWS records no last use), inactive is inactive', () => {
    const p = aUser({ signingCertificates: [aCert({ slot: 1 }), aCert({ slot: 2, active: false })] });
    const f = evaluatePrincipal(p, ctx);
    assert.deepEqual(
      f.map((x) => [x.credential, x.status, x.neverUsed, x.lastUsed]),
      [
        ['cert_1', 'unverified', false, null],
        ['cert_2', 'inactive', false, null],
      ],
    );
  });
  it('falls back to the user creation date', () => {
    const f = only(
      aUser({ createdAt: daysAgo(7), signingCertificates: [aCert({ lastRotated: null })] }),
      'cert_1',
    );
    assert.deepEqual([f.lastActivitySource, f.ageDays], ['created', 7]);
  });
});

describe('users without credentials and the root user', () => {
  it('a user with nothing gets one `none` finding', () => {
    const f = evaluatePrincipal(aUser({ createdAt: daysAgo(12) }), ctx);
    assert.deepEqual(
      f.map((x) => [x.credential, x.status, x.lastActivitySource, x.ageDays]),
      [['none', 'no_credentials', 'created', 12]],
    );
  });
  it('root with no credentials gets no `none` finding', () => {
    assert.deepEqual(evaluatePrincipal(aUser({ type: 'root', name: '<root_account>' }), ctx), []);
  });
});

describe('roles', () => {
  it('never used → created, with the 400-day caveat when older than AWS keeps role use', () => {
    const f = only(aRole({ createdAt: daysAgo(401) }), 'role');
    assert.deepEqual(
      [f.lastActivitySource, f.neverUsed, f.status, f.caveats],
      ['created', true, 'unused', ['role_tracking_400_days']],
    );
    assert.deepEqual(only(aRole({ createdAt: daysAgo(400) }), 'role').caveats, []);
  });
  it('service-linked roles are never unused', () => {
    const f = only(aRole({ role: { lastUsed: null, path: '/aws-service-role/ec2.amazonaws.com/' } }), 'role');
    assert.equal(f.status, 'service_linked');
  });
});

describe('exemption by tag', () => {
  it('every finding of a tagged principal is exempt, the rest unchanged', () => {
    const p = aUser({
      tags: { 'credsweep:exempt': 'TRUE' },
      password: { lastUsed: daysAgo(300), lastChanged: null },
      accessKeys: [aKey({ lastUsed: daysAgo(300) })],
    });
    const plain = evaluatePrincipal({ ...p, tags: {} }, ctx);
    const exempt = evaluatePrincipal(p, ctx);
    assert.deepEqual(
      exempt.map((f) => f.status),
      ['exempt', 'exempt'],
    );
    exempt.forEach((f, i) => {
      assert.match(f.reason, /^exempt by tag credsweep:exempt=TRUE; /);
      assert.deepEqual({ ...f, status: 'x', reason: 'x' }, { ...plain[i]!, status: 'x', reason: 'x' });
    });
  });
});
