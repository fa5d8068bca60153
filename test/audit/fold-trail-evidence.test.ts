import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldTrailEvidence, indexTrailEvidence } from '../../src/audit/fold-trail-evidence.ts';
import type { Finding } from '../../src/model/finding.ts';
import type { Principal } from '../../src/model/inventory.ts';
import type { TrailAccessKeyUse, TrailSummary } from '../../src/model/trail-summary.ts';
import { type EvaluationContext, evaluatePrincipal } from '../../src/rules/index.ts';
import { toIso } from '../../src/time.ts';
import { AS_OF, aKey, aRole, aUser, daysAgo } from '../helpers/builders.ts';

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const options: EvaluationContext & { manyIps: number } = { asOf: AS_OF, thresholdDays: 90, manyIps: 10 };

function keyUse(overrides: Partial<TrailAccessKeyUse> = {}): TrailAccessKeyUse {
  return {
    accessKeyId: 'AKIAALICE1',
    principalArn: ALICE,
    firstSeen: toIso(daysAgo(30)),
    lastSeen: toIso(daysAgo(3)),
    events: 12,
    sourceIps: { count: 2, top: ['198.51.100.1', '198.51.100.2'] },
    services: ['s3.amazonaws.com'],
    regions: ['us-east-1'],
    lastEventName: 'ListBuckets',
    ...overrides,
  };
}

function trail(parts: Partial<TrailSummary> = {}): TrailSummary {
  return {
    schemaVersion: 1,
    files: { scanned: 1, bad: [] },
    records: 1,
    accessKeys: [],
    roles: [],
    consoleLogins: [],
    ...parts,
  };
}

/** The evidence folded into the inventory, then the rules: the order runAudit judges in. */
async function merged(principals: Principal[], summary: TrailSummary, opts = options): Promise<Finding[]> {
  const evidence = indexTrailEvidence(summary);
  return principals.flatMap((p) =>
    evaluatePrincipal(foldTrailEvidence(p, evidence, { manyIps: opts.manyIps }), opts),
  );
}

const keyFinding = (fs: Finding[], credential = 'access_key_1') =>
  fs.find((f) => f.credential === credential)!;

describe('foldTrailEvidence, then the rules', () => {
  it('a later use in the trail makes an unused key in use, source cloudtrail, with its source IPs', async () => {
    const user = aUser({ accessKeys: [aKey({ lastUsed: daysAgo(200) })] });
    const f = keyFinding(await merged([user], trail({ accessKeys: [keyUse()] })));
    assert.equal(f.status, 'in_use');
    assert.equal(f.lastUsed, toIso(daysAgo(3)));
    assert.equal(f.lastActivitySource, 'cloudtrail');
    assert.equal(f.ageDays, 3);
    assert.deepEqual(f.sourceIps, ['198.51.100.1', '198.51.100.2']);
    assert.match(f.reason, /^access key 1 last used 3 days ago according to CloudTrail \(threshold 90\)$/);
  });

  it('an earlier use in the trail leaves the dates alone but still shows the source IPs', async () => {
    const user = aUser({ accessKeys: [aKey({ lastUsed: daysAgo(1) })] });
    const f = keyFinding(await merged([user], trail({ accessKeys: [keyUse()] })));
    assert.equal(f.lastActivitySource, 'last_used');
    assert.equal(f.lastUsed, toIso(daysAgo(1)));
    assert.deepEqual(f.sourceIps, ['198.51.100.1', '198.51.100.2']);
  });

  it('raises key_used_from_many_ips above the threshold, not at it', async () => {
    const user = aUser({ accessKeys: [aKey({ lastUsed: daysAgo(1) })] });
    const at = keyFinding(
      await merged([user], trail({ accessKeys: [keyUse({ sourceIps: { count: 10, top: [] } })] })),
    );
    const above = keyFinding(
      await merged([user], trail({ accessKeys: [keyUse({ sourceIps: { count: 11, top: [] } })] })),
    );
    assert.ok(!at.caveats.includes('key_used_from_many_ips'));
    assert.ok(above.caveats.includes('key_used_from_many_ips'));
    assert.match(above.reason, /from 11 source IPs/);
  });

  it('matches by access key id when the finding has one (IAM API source), whatever the slot', async () => {
    const user = aUser({
      accessKeys: [
        aKey({ slot: 1, accessKeyId: 'AKIAOTHER', lastUsed: daysAgo(200) }),
        aKey({ slot: 2, accessKeyId: 'AKIAALICE1', lastUsed: daysAgo(200) }),
      ],
    });
    const fs = await merged([user], trail({ accessKeys: [keyUse()] }));
    assert.equal(keyFinding(fs, 'access_key_1').status, 'unused');
    assert.equal(keyFinding(fs, 'access_key_2').status, 'in_use');
  });

  it('does not guess between two active keys of the same user (credential report: no key ids)', async () => {
    const user = aUser({
      accessKeys: [aKey({ slot: 1, lastUsed: daysAgo(200) }), aKey({ slot: 2, lastUsed: daysAgo(300) })],
    });
    const fs = await merged([user], trail({ accessKeys: [keyUse()] }));
    for (const f of fs.filter((x) => x.credential.startsWith('access_key'))) {
      assert.equal(f.status, 'unused');
      assert.equal(f.sourceIps, undefined);
    }
  });

  it('matches the one active key when the other is inactive, and does not take a deleted key’s use', async () => {
    const user = aUser({
      accessKeys: [aKey({ slot: 1, active: false }), aKey({ slot: 2, lastUsed: daysAgo(200) })],
    });
    const fs = await merged([user], trail({ accessKeys: [keyUse()] }));
    assert.equal(keyFinding(fs, 'access_key_2').lastActivitySource, 'cloudtrail');
    assert.equal(keyFinding(fs, 'access_key_1').lastActivitySource, 'last_rotated');
    // a key created 10 days ago and never used cannot have been used 30 days ago: that was another key
    const rotated = aUser({ accessKeys: [aKey({ lastUsed: null, lastRotated: daysAgo(10) })] });
    const f = keyFinding(await merged([rotated], trail({ accessKeys: [keyUse()] })));
    assert.equal(f.lastActivitySource, 'last_rotated');
    assert.equal(f.neverUsed, true);
  });

  it('ignores temporary keys and other principals’ keys', async () => {
    const user = aUser({ accessKeys: [aKey({ lastUsed: daysAgo(200) })] });
    const fs = await merged(
      [user],
      trail({
        accessKeys: [
          keyUse({ accessKeyId: 'ASIATEMP' }),
          keyUse({ principalArn: 'arn:aws:iam::111122223333:user/bob' }),
        ],
      }),
    );
    assert.equal(keyFinding(fs).status, 'unused');
  });

  it('an inactive key stays inactive even when the trail saw it used', async () => {
    const user = aUser({
      accessKeys: [aKey({ accessKeyId: 'AKIAALICE1', active: false, lastUsed: daysAgo(200) })],
    });
    const f = keyFinding(await merged([user], trail({ accessKeys: [keyUse()] })));
    assert.equal(f.status, 'inactive');
    assert.equal(f.lastActivitySource, 'cloudtrail');
  });

  it('uses the per-kind access-key threshold', async () => {
    const user = aUser({ accessKeys: [aKey({ lastUsed: daysAgo(200) })] });
    const strict = { ...options, thresholds: { access_key: 2 } };
    const f = keyFinding(await merged([user], trail({ accessKeys: [keyUse()] }), strict));
    assert.equal(f.status, 'unused');
    assert.equal(f.lastActivitySource, 'cloudtrail');
  });

  it('a later console sign-in updates the password, a later AssumeRole the role', async () => {
    const user = aUser({ password: { lastUsed: daysAgo(120), lastChanged: daysAgo(400) } });
    const role = aRole({ role: { lastUsed: daysAgo(150), path: '/' } });
    const fs = await merged(
      [user, role],
      trail({
        consoleLogins: [{ principalArn: ALICE, lastSuccess: toIso(daysAgo(5)), successes: 1, failures: 0 }],
        roles: [
          {
            roleArn: role.arn,
            lastAssumed: toIso(daysAgo(2)),
            lastAssumedBy: ALICE,
            lastSourceIp: '198.51.100.1',
            assumeEvents: 1,
          },
        ],
      }),
    );
    const password = fs.find((f) => f.credential === 'password')!;
    const assumed = fs.find((f) => f.credential === 'role')!;
    assert.deepEqual(
      [password.status, password.ageDays, password.lastActivitySource],
      ['in_use', 5, 'cloudtrail'],
    );
    assert.deepEqual(
      [assumed.status, assumed.ageDays, assumed.lastActivitySource],
      ['in_use', 2, 'cloudtrail'],
    );
  });
});

describe('SSH public keys: CloudTrail evidence of use (CodeCommit over SSH names the key id)', () => {
  const sshUse = (overrides: Partial<TrailAccessKeyUse> = {}) =>
    keyUse({
      accessKeyId: 'APKAALICE1',
      services: ['codecommit.amazonaws.com'],
      lastEventName: 'GitPull',
      ...overrides,
    });
  const withKey = (overrides: Partial<NonNullable<Principal['sshPublicKeys']>[number]> = {}) =>
    aUser({
      sshPublicKeys: [{ sshPublicKeyId: 'APKAALICE1', active: true, uploadedAt: daysAgo(200), ...overrides }],
    });
  const sshFinding = (fs: Finding[]) => fs.find((f) => f.credential === 'ssh_public_key')!;
  const judged = (f: Finding) => [f.status, f.ageDays, f.lastActivitySource];

  it('an old active key the trail saw used is not unverified: in use, or unused past the threshold', async () => {
    assert.deepEqual(judged(sshFinding(await merged([withKey()], trail()))), [
      'unverified',
      200,
      'last_rotated',
    ]);
    const recent = sshFinding(await merged([withKey()], trail({ accessKeys: [sshUse()] })));
    assert.deepEqual(judged(recent), ['in_use', 3, 'cloudtrail']);
    assert.match(recent.reason, /last used 3 days ago according to CloudTrail/);
    const long = sshUse({ lastSeen: toIso(daysAgo(120)), firstSeen: toIso(daysAgo(150)) });
    assert.deepEqual(judged(sshFinding(await merged([withKey()], trail({ accessKeys: [long] })))), [
      'unused',
      120,
      'cloudtrail',
    ]);
  });

  it('matches by exact key id only, never another principal’s, never a use before the upload', async () => {
    const cases: Array<[string, TrailAccessKeyUse]> = [
      ['another key id', sshUse({ accessKeyId: 'APKAOTHER' })],
      ['another principal', sshUse({ principalArn: 'arn:aws:iam::111122223333:user/bob' })],
      ['before the upload', sshUse({ lastSeen: toIso(daysAgo(250)), firstSeen: toIso(daysAgo(260)) })],
      ['an access key of the same user', keyUse()],
    ];
    for (const [name, use] of cases) {
      const f = sshFinding(await merged([withKey()], trail({ accessKeys: [use] })));
      assert.deepEqual(judged(f), ['unverified', 200, 'last_rotated'], name);
    }
  });

  it('an inactive key stays inactive; the per-kind threshold judges the use', async () => {
    const inactive = sshFinding(
      await merged([withKey({ active: false })], trail({ accessKeys: [sshUse()] })),
    );
    assert.equal(inactive.status, 'inactive');
    const strict = { ...options, thresholds: { ssh_public_key: 2 } };
    const f = sshFinding(await merged([withKey()], trail({ accessKeys: [sshUse()] }), strict));
    assert.deepEqual(judged(f), ['unused', 3, 'cloudtrail']);
  });
});
