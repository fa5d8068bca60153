/**
 * Pagination of ListUsers and GetAccountAuthorizationDetails. moto answers both in one page whatever
 * MaxItems says (IsTruncated=false, docs/aws-behaviour.md §7.3), so it cannot show that the markers are
 * followed; this file uses aws-sdk-client-mock for IAM for that one behaviour. Everything else about
 * these sources is tested against moto (test/audit/live-audit.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GetAccountAuthorizationDetailsCommand,
  GetLoginProfileCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  ListUsersCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { collectAuthorizationDetails } from '../../../src/sources/iam-api/authorization-details.ts';
import { collectUsersFromApi } from '../../../src/sources/iam-api/users.ts';

const CREATED = new Date('2026-01-01T00:00:00Z');
const user = (n: number) => ({
  UserName: `u${n}`,
  UserId: `AIDA${n}`,
  Path: '/',
  Arn: `arn:aws:iam::111122223333:user/u${n}`,
  CreateDate: CREATED,
});
const role = (n: number) => ({
  RoleName: `r${n}`,
  Arn: `arn:aws:iam::111122223333:role/r${n}`,
  Path: '/',
  CreateDate: CREATED,
});

describe('IAM API pagination', () => {
  it('ListUsers: follows Marker until IsTruncated is false', async () => {
    const iam = mockClient(IAMClient);
    iam
      .on(ListUsersCommand, { Marker: undefined })
      .resolves({ Users: [user(1), user(2)], IsTruncated: true, Marker: 'p2' })
      .on(ListUsersCommand, { Marker: 'p2' })
      .resolves({ Users: [user(3)], IsTruncated: false });
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [], IsTruncated: false });
    iam.on(ListSigningCertificatesCommand).resolves({ Certificates: [], IsTruncated: false });
    iam.on(ListSSHPublicKeysCommand).resolves({ SSHPublicKeys: [], IsTruncated: false });
    iam
      .on(ListServiceSpecificCredentialsCommand)
      .resolves({ ServiceSpecificCredentials: [], IsTruncated: false });
    iam.on(GetLoginProfileCommand).rejects(new NoSuchEntityException({ message: 'none', $metadata: {} }));
    const users = await collectUsersFromApi(new IAMClient({}), { concurrency: 2 });
    assert.deepEqual(
      users.map((u) => u.name),
      ['u1', 'u2', 'u3'],
    );
    assert.ok(users.every((u) => u.password === null));
    iam.restore();
  });

  it('GetAccountAuthorizationDetails: follows Marker for users and roles', async () => {
    const iam = mockClient(IAMClient);
    iam
      .on(GetAccountAuthorizationDetailsCommand, { Marker: undefined })
      .resolves({
        UserDetailList: [{ ...user(1), Tags: [{ Key: 'credsweep:exempt', Value: 'true' }] }],
        RoleDetailList: [role(1)],
        IsTruncated: true,
        Marker: 'p2',
      })
      .on(GetAccountAuthorizationDetailsCommand, { Marker: 'p2' })
      .resolves({ RoleDetailList: [role(2)], IsTruncated: false });
    const { roles, userTags } = await collectAuthorizationDetails(new IAMClient({}));
    assert.deepEqual(
      roles.map((r) => r.name),
      ['r1', 'r2'],
    );
    assert.deepEqual(userTags.get(user(1).Arn), { 'credsweep:exempt': 'true' });
    iam.restore();
  });
});
