import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arnGlob, ExemptionMatcher, exemptionWarnings } from '../../src/config/exemptions.ts';
import type { Exemption } from '../../src/config/schema.ts';
import { evaluatePrincipal, exemptTagReason } from '../../src/rules/index.ts';
import { AS_OF, aKey, aUser, daysAgo } from '../helpers/builders.ts';

const ctx = { asOf: AS_OF, thresholdDays: 90 };
const breakGlass = aUser({
  name: 'break-glass',
  arn: 'arn:aws:iam::111122223333:user/break-glass',
  accessKeys: [aKey({ lastUsed: daysAgo(400) })],
});
const ciBot = aUser({
  name: 'ci-bot',
  arn: 'arn:aws:iam::111122223333:user/ci/ci-bot',
  accessKeys: [aKey({ lastUsed: daysAgo(200) })],
});

function exemption(overrides: Partial<Exemption>): Exemption {
  return { owner: 'secops@example.com', reason: 'emergency access', expires: '2026-12-31', ...overrides };
}

describe('ExemptionMatcher', () => {
  it('an active exemption makes the finding exempt and says who, why and until when', () => {
    const m = new ExemptionMatcher([exemption({ principal: 'BREAK-GLASS' })], AS_OF);
    const [f] = evaluatePrincipal(breakGlass, ctx).map((x) => m.apply(x));
    assert.equal(f!.status, 'exempt');
    assert.match(
      f!.reason,
      /^exempt until 2026-12-31 \(owner secops@example\.com: emergency access\); access key 1/,
    );
    assert.deepEqual(m.outcome(), { applied: 1, expired: [], stale: [] });
  });

  it('matches ARN globs, tags and credential kinds', () => {
    assert.ok(arnGlob('arn:aws:iam::*:user/ci/*').test(ciBot.arn));
    assert.ok(!arnGlob('arn:aws:iam::*:user/ci?').test(ciBot.arn));
    assert.ok(!arnGlob('arn:aws:iam::1111.2222333:*').test(ciBot.arn), 'dots are literal');
    const byTag = new ExemptionMatcher([exemption({ tag: { key: 'team', value: 'platform' } })], AS_OF);
    const [f] = evaluatePrincipal(ciBot, ctx);
    assert.equal(byTag.apply(f!, { team: 'platform' }).status, 'exempt');
    assert.equal(byTag.apply(f!, { team: 'other' }).status, 'unused');
    assert.equal(byTag.apply(f!).status, 'unused', 'no tags collected: a tag exemption cannot match');
    const passwordOnly = new ExemptionMatcher(
      [exemption({ arn: '*:user/ci/*', credentials: ['password'] })],
      AS_OF,
    );
    assert.equal(passwordOnly.apply(f!).status, 'unused');
  });

  it("a tag's key matches in any case (IAM keeps one per key whatever its case on users and roles), its value as written", () => {
    const byTag = new ExemptionMatcher([exemption({ tag: { key: 'team', value: 'platform' } })], AS_OF);
    const [f] = evaluatePrincipal(ciBot, ctx);
    assert.equal(byTag.apply(f!, { Team: 'platform' }).status, 'exempt');
    assert.equal(byTag.apply(f!, { TEAM: 'platform' }).status, 'exempt');
    assert.equal(byTag.apply(f!, { Team: 'Platform' }).status, 'unused', 'tag values keep their case in IAM');
    assert.equal(
      new ExemptionMatcher([exemption({ tag: { key: 'Team' } })], AS_OF).apply(f!, { team: 'x' }).status,
      'exempt',
    );
  });

  it('an ARN glob matches ignoring case, as the name does: IAM names are unique whatever their case', () => {
    const [f] = evaluatePrincipal(ciBot, ctx);
    const byArn = new ExemptionMatcher([exemption({ arn: 'arn:aws:iam::*:user/CI/CI-Bot' })], AS_OF);
    assert.equal(byArn.apply(f!).status, 'exempt');
    assert.ok(arnGlob('ARN:AWS:IAM::*:USER/ci/*').test(ciBot.arn));
  });

  it('the exempt tag with its key in other case exempts, in the audit as at apply', () => {
    const tagged = { ...ciBot, tags: { 'Credsweep:Exempt': 'TRUE' } };
    assert.deepEqual(
      evaluatePrincipal(tagged, ctx).map((f) => f.status),
      ['exempt'],
    );
    assert.equal(exemptTagReason({ 'CREDSWEEP:EXEMPT': 'true' }), 'exempt by tag credsweep:exempt=true');
    assert.equal(exemptTagReason({ 'credsweep:exempted': 'true' }), undefined, 'another key');
  });

  it('credentials: ssh_public_key and service_specific_credential exempt only those kinds', () => {
    const dev = aUser({
      name: 'dev',
      arn: 'arn:aws:iam::111122223333:user/dev',
      password: { lastUsed: daysAgo(200), lastChanged: null },
      sshPublicKeys: [{ sshPublicKeyId: 'APKADEV', active: true, uploadedAt: daysAgo(300) }],
      serviceSpecificCredentials: [
        {
          serviceSpecificCredentialId: 'ACCADEV',
          serviceName: 'codecommit.amazonaws.com',
          status: 'Active',
          createdAt: daysAgo(300),
          expiresAt: null,
        },
      ],
    });
    const statuses = (credentials: Exemption['credentials']) => {
      const m = new ExemptionMatcher([exemption({ principal: 'dev', credentials })], AS_OF);
      return evaluatePrincipal(dev, ctx).map((f) => [f.credential, m.apply(f).status]);
    };
    assert.deepEqual(statuses(['ssh_public_key']), [
      ['password', 'unused'],
      ['ssh_public_key', 'exempt'],
      ['service_specific_credential', 'unverified'],
    ]);
    assert.deepEqual(statuses(['service_specific_credential']), [
      ['password', 'unused'],
      ['ssh_public_key', 'unverified'],
      ['service_specific_credential', 'exempt'],
    ]);
  });

  it('applies through the whole expiry day, then stops applying and says so', () => {
    const e = exemption({ principal: 'break-glass', expires: '2026-10-31' });
    const [f] = evaluatePrincipal(breakGlass, ctx);
    const lastDay = new ExemptionMatcher([e], AS_OF - 1);
    assert.equal(lastDay.apply(f!).status, 'exempt');
    const dayAfter = new ExemptionMatcher([e], AS_OF);
    assert.equal(dayAfter.apply(f!).status, 'unused');
    const outcome = dayAfter.outcome();
    assert.equal(outcome.expired.length, 1);
    assert.equal(outcome.expired[0]!.matched, 1);
    assert.deepEqual(outcome.stale, [], 'an expired exemption is reported as expired, not stale');
    assert.deepEqual(exemptionWarnings(outcome, 'credsweep.config.yaml'), [
      'credsweep: warning: credsweep.config.yaml: exemption 1 (principal break-glass, owner secops@example.com) expired on 2026-10-31 and no longer applies (1 finding affected)',
    ]);
  });

  it('reports an active exemption that matches nothing as stale', () => {
    const m = new ExemptionMatcher(
      [
        exemption({ principal: 'break-glass' }),
        exemption({ principal: 'departed-admin', owner: 'it@example.com' }),
      ],
      AS_OF,
    );
    for (const f of evaluatePrincipal(breakGlass, ctx)) m.apply(f);
    const outcome = m.outcome();
    assert.deepEqual(
      outcome.stale.map((n) => [n.index, n.match, n.owner]),
      [[1, 'principal departed-admin', 'it@example.com']],
    );
    assert.match(exemptionWarnings(outcome, 'c.yaml')[0]!, /exemption 2 .* matches nothing \(stale\)/);
  });
});

describe('per-kind thresholds', () => {
  it('each kind uses its own threshold, the rest the default', () => {
    const user = aUser({
      password: { lastUsed: daysAgo(50), lastChanged: null },
      accessKeys: [aKey({ lastUsed: daysAgo(50) })],
    });
    const statuses = (t?: Record<string, number>) =>
      evaluatePrincipal(user, { ...ctx, ...(t ? { thresholds: t } : {}) }).map((f) => [
        f.credential,
        f.status,
      ]);
    assert.deepEqual(statuses(), [
      ['password', 'in_use'],
      ['access_key_1', 'in_use'],
    ]);
    const [pw, key] = evaluatePrincipal(user, { ...ctx, thresholds: { access_key: 50 } });
    assert.equal(pw!.status, 'in_use');
    assert.equal(key!.status, 'unused');
    assert.match(key!.reason, /\(threshold 50\)/);
    assert.match(pw!.reason, /\(threshold 90\)/);
  });
});
