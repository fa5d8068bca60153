/**
 * The exemption check plan and apply ask of live tags (pure): the default exempt tag always, any
 * --exempt-tag besides, and the configuration's exemptions; withExemptTags adds a plan's recorded
 * tags to whatever check apply's caller built, never taking the default or the configuration away.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CredentialRef, exemptionCheck, withExemptTags } from '../../src/remediation/exemptions.ts';
import { tagsToRecord } from '../../src/sources/iam-api/tags.ts';

const ALICE: CredentialRef = {
  accountId: '111122223333',
  principalType: 'user',
  principalName: 'alice',
  arn: 'arn:aws:iam::111122223333:user/alice',
  credential: 'access_key_1',
};
const KEEP = { tagKey: 'team:keep', tagValue: 'yes' };
const EXEMPTION = {
  principal: 'alice',
  owner: 'sec',
  reason: 'break-glass',
  expires: '2099-12-31',
};

describe('exemptionCheck and withExemptTags', () => {
  it('another exempt tag adds to the default tag, never replaces it', () => {
    const check = exemptionCheck([], 0, [KEEP]);
    assert.equal(check(ALICE, { 'Team:Keep': 'YES' }), 'exempt by tag team:keep=YES');
    assert.equal(check(ALICE, { 'credsweep:exempt': 'true' }), 'exempt by tag credsweep:exempt=true');
    assert.equal(check(ALICE, { 'team:keep': 'no' }), null);
  });

  it("withExemptTags honours a plan's recorded tags on top of the caller's check", () => {
    const check = withExemptTags(exemptionCheck([], 0), [KEEP]);
    assert.equal(check(ALICE, { 'team:keep': 'yes' }), 'exempt by tag team:keep=yes');
    assert.equal(check(ALICE, {}), null);
  });

  it('with no recorded tag, the default tag and the configuration still hold', () => {
    const check = withExemptTags(exemptionCheck([EXEMPTION], 0), []);
    assert.equal(check(ALICE, { 'credsweep:exempt': 'true' }), 'exempt by tag credsweep:exempt=true');
    assert.match(check(ALICE, {}) ?? '', /break-glass/);
  });

  // A tag key may be any text IAM allows: one that is also the name of a property every object
  // inherits is a tag like any other, never the inherited property.
  for (const tagKey of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    it(`an exempt tag ${tagKey}: only a principal that carries it is exempt (and nothing throws)`, () => {
      const check = exemptionCheck([], 0, [{ tagKey, tagValue: 'keep' }]);
      assert.equal(check(ALICE, {}), null);
      assert.equal(check(ALICE, { team: 'x' }), null);
      const tagged = tagsToRecord([{ Key: tagKey, Value: 'keep' }]);
      assert.deepEqual(Object.keys(tagged), [tagKey], 'the tag is kept as IAM lists it');
      assert.equal(check(ALICE, tagged), `exempt by tag ${tagKey}=keep`);
      assert.equal(
        check(ALICE, tagsToRecord([{ Key: tagKey.toUpperCase(), Value: 'KEEP' }])),
        `exempt by tag ${tagKey}=KEEP`,
      );
    });
    it(`a configuration exemption by tag ${tagKey} (any value) exempts only a principal that carries it`, () => {
      const check = exemptionCheck(
        [{ tag: { key: tagKey }, owner: 'sec', reason: 'held', expires: '2099-12-31' }],
        0,
      );
      assert.equal(check(ALICE, {}), null);
      assert.match(check(ALICE, tagsToRecord([{ Key: tagKey, Value: '' }])) ?? '', /held/);
    });
  }
});
