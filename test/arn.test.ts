import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  accountArnMismatch,
  accountOfIamArn,
  isAccountId,
  partitionOf,
  principalOfIamArn,
} from '../src/arn.ts';

describe('accountOfIamArn', () => {
  const cases: Array<[string, string | undefined]> = [
    ['arn:aws:iam::111122223333:user/alice', '111122223333'],
    ['arn:aws:iam::111122223333:role/path/to/App', '111122223333'],
    ['arn:aws:iam::111122223333:root', '111122223333'],
    ['arn:aws:iam::111122223333:mfa/alice', '111122223333'],
    // every partition: the China and GovCloud Regions, the isolated ones
    ['arn:aws-cn:iam::111122223333:user/alice', '111122223333'],
    ['arn:aws-us-gov:iam::111122223333:role/App', '111122223333'],
    ['arn:aws-iso-b:iam::111122223333:user/alice', '111122223333'],
    // an account id is 12 digits, no more and no fewer
    ['arn:aws:iam::11112222333:user/alice', undefined],
    ['arn:aws:iam::1111222233334:user/alice', undefined],
    // IAM's, not another service's; and an ARN, whole from its start
    ['arn:aws:sts::111122223333:assumed-role/App/session', undefined],
    ['arn:aws:iam:us-east-1:111122223333:user/alice', undefined],
    ['arn:aws:iam::aws:policy/AWSDenyAll', undefined],
    ['arn::iam::111122223333:user/alice', undefined],
    ['arn:azure:iam::111122223333:user/alice', undefined],
    [' arn:aws:iam::111122223333:user/alice', undefined],
    ['111122223333', undefined],
    ['', undefined],
  ];
  for (const [arn, expected] of cases) {
    it(`${JSON.stringify(arn)} → ${expected}`, () => assert.equal(accountOfIamArn(arn), expected));
  }
});

describe('partitionOf', () => {
  const cases: Array<[string, string]> = [
    ['arn:aws:iam::111122223333:root', 'aws'],
    ['arn:aws-us-gov:iam::111122223333:user/a', 'aws-us-gov'],
    ['arn:aws-cn:sts::111122223333:assumed-role/r/s', 'aws-cn'],
    ['arn:aws-iso-b:iam::111122223333:user/a', 'aws-iso-b'],
    // what names no partition is read as the standard one
    ['arn:azure:iam::111122223333:user/a', 'aws'],
    ['not an arn', 'aws'],
    ['', 'aws'],
  ];
  for (const [arn, expected] of cases) {
    it(`${JSON.stringify(arn)} → ${expected}`, () => assert.equal(partitionOf(arn), expected));
  }
});

describe('principalOfIamArn', () => {
  const cases: Array<[string, ReturnType<typeof principalOfIamArn>]> = [
    ['arn:aws:iam::111122223333:user/alice', { accountId: '111122223333', type: 'user', name: 'alice' }],
    ['arn:aws:iam::111122223333:role/path/to/App', { accountId: '111122223333', type: 'role', name: 'App' }],
    ['arn:aws-cn:iam::111122223333:user/ops/bob', { accountId: '111122223333', type: 'user', name: 'bob' }],
    ['arn:aws-us-gov:iam::111122223333:role/App', { accountId: '111122223333', type: 'role', name: 'App' }],
    // not a user or role: root, an MFA device, a policy, a group, an STS session
    ['arn:aws:iam::111122223333:root', undefined],
    ['arn:aws:iam::111122223333:mfa/alice', undefined],
    ['arn:aws:iam::111122223333:group/admins', undefined],
    ['arn:aws:iam::aws:policy/AWSDenyAll', undefined],
    ['arn:aws:sts::111122223333:assumed-role/App/session', undefined],
    // a name, and the same 12-digit account rule as accountOfIamArn
    ['arn:aws:iam::111122223333:role/', undefined],
    ['arn:aws:iam::111122223333:role/path/', undefined],
    ['arn:aws:iam::1111222233:user/alice', undefined],
  ];
  for (const [arn, expected] of cases) {
    it(`${JSON.stringify(arn)} → ${JSON.stringify(expected)}`, () =>
      assert.deepEqual(principalOfIamArn(arn), expected));
  }
});

describe('accountArnMismatch: a principal acted on is in the 12-digit account its ARN names', () => {
  const cases: Array<[string, string, ReturnType<typeof accountArnMismatch>]> = [
    ['111122223333', 'arn:aws:iam::111122223333:user/alice', null],
    ['111122223333', 'arn:aws-us-gov:iam::111122223333:role/App', null],
    ['1234567890', 'arn:aws:iam::1234567890:user/alice', { problem: 'account_id' }],
    ['11112222333a', 'arn:aws:iam::111122223333:user/alice', { problem: 'account_id' }],
    ['111122223333', 'arn:aws:iam::444455556666:user/alice', { problem: 'arn', named: '444455556666' }],
    ['111122223333', 'not an arn', { problem: 'arn', named: undefined }],
  ];
  for (const [accountId, arn, expected] of cases) {
    it(`${accountId} / ${arn}`, () => assert.deepEqual(accountArnMismatch(accountId, arn), expected));
  }
  it('isAccountId: exactly 12 digits', () => {
    assert.equal(isAccountId('111122223333'), true);
    for (const bad of ['11112222333', '1111222233334', '', '１１１１２２２２３３３３', '111122223333\n'])
      assert.equal(isAccountId(bad), false, JSON.stringify(bad));
  });
});
