/**
 * completeReportUsers: what the credential-report path adds to the report's users, against
 * aws-sdk-client-mock because moto 5.2.1 has no ListServiceSpecificCredentials (docs/aws-behaviour.md
 * §9); the answers are in the IAM API reference's shapes (ServiceSpecificCredentialMetadata,
 * Marker/IsTruncated paging). SSH keys and MFA devices on this path are tested against moto in
 * report-path-calls.test.ts.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  IAMClient,
  InvalidInputException,
  ListAccessKeysCommand,
  ListServiceSpecificCredentialsCommand,
  ListSSHPublicKeysCommand,
} from '@aws-sdk/client-iam';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { completeReportUsers } from '../../src/audit/complete-report-users.ts';
import { evaluatePrincipal } from '../../src/rules/index.ts';
import { AS_OF, aUser, daysAgo } from '../helpers/builders.ts';

const ACCOUNT = '111122223333';
const userNamed = (name: string) => aUser({ name, arn: `arn:aws:iam::${ACCOUNT}:user/${name}` });
const ROOT = aUser({ type: 'root', name: '<root_account>', arn: `arn:aws:iam::${ACCOUNT}:root` });

const credential = (id: string, UserName: string, ServiceName: string, created = daysAgo(200)) => ({
  UserName,
  Status: 'Active' as const,
  ServiceUserName: `${UserName}-at-${ACCOUNT}`,
  CreateDate: new Date(created),
  ServiceSpecificCredentialId: id,
  ServiceName,
});

describe('completeReportUsers (aws-sdk-client-mock: moto has no ListServiceSpecificCredentials)', () => {
  let iam: AwsClientStub<IAMClient>;
  beforeEach(() => {
    iam = mockClient(IAMClient);
    iam.on(ListSSHPublicKeysCommand).resolves({ SSHPublicKeys: [], IsTruncated: false });
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [], IsTruncated: false });
  });
  afterEach(() => iam.restore());

  it('one AllUsers walk (two pages) gives each report user its credentials; root is left as it was', async () => {
    iam
      .on(ListServiceSpecificCredentialsCommand, { AllUsers: true, Marker: undefined })
      .resolves({
        ServiceSpecificCredentials: [
          credential('ACCA0000000000000CODE', 'alice', 'codecommit.amazonaws.com'),
        ],
        IsTruncated: true,
        Marker: 'p2',
      })
      .on(ListServiceSpecificCredentialsCommand, { AllUsers: true, Marker: 'p2' })
      .resolves({
        ServiceSpecificCredentials: [
          credential('ACCA000000000000BEDR1', 'bob', 'bedrock.amazonaws.com', daysAgo(10)),
          // a user created after the report: not in it, so not audited from this listing
          credential('ACCA000000000000LATE1', 'zoe', 'bedrock.amazonaws.com'),
        ],
        IsTruncated: false,
      });
    const users = await completeReportUsers(
      new IAMClient({}),
      [ROOT, userNamed('alice'), userNamed('bob'), userNamed('carol')],
      {
        concurrency: 2,
        sshPublicKeys: true,
      },
    );
    assert.equal(
      iam.commandCalls(ListServiceSpecificCredentialsCommand).length,
      2,
      'two pages, no per-user calls',
    );
    assert.equal(iam.commandCalls(ListSSHPublicKeysCommand).length, 3, 'one per user, none for root');
    assert.deepEqual(users[0], ROOT);
    const findings = users.flatMap((p) => evaluatePrincipal(p, { asOf: AS_OF, thresholdDays: 90 }));
    const ssc = findings.filter((f) => f.credential === 'service_specific_credential');
    assert.deepEqual(
      ssc.map((f) => [f.principalName, f.serviceSpecificCredentialId, f.status, f.service]),
      [
        ['alice', 'ACCA0000000000000CODE', 'unverified', 'codecommit.amazonaws.com'],
        ['bob', 'ACCA000000000000BEDR1', 'in_use', 'bedrock.amazonaws.com'],
      ],
    );
    assert.deepEqual(users[3]?.serviceSpecificCredentials, [], 'carol: listed, none');
  });

  it('where AWS refuses AllUsers, each user is asked on its own', async () => {
    iam
      .on(ListServiceSpecificCredentialsCommand, { AllUsers: true })
      .rejects(new InvalidInputException({ message: 'AllUsers is not supported', $metadata: {} }))
      .on(ListServiceSpecificCredentialsCommand, { UserName: 'alice' })
      .resolves({
        ServiceSpecificCredentials: [
          credential('ACCA0000000000000CODE', 'alice', 'codecommit.amazonaws.com'),
        ],
        IsTruncated: false,
      })
      .on(ListServiceSpecificCredentialsCommand, { UserName: 'bob' })
      .resolves({ ServiceSpecificCredentials: [], IsTruncated: false });
    const users = await completeReportUsers(new IAMClient({}), [ROOT, userNamed('alice'), userNamed('bob')], {
      concurrency: 2,
      sshPublicKeys: false,
    });
    const asked = iam
      .commandCalls(ListServiceSpecificCredentialsCommand)
      .map((c) => c.args[0].input.UserName ?? '(all)');
    assert.deepEqual(asked.sort(), ['(all)', 'alice', 'bob']);
    assert.deepEqual(
      users[1]?.serviceSpecificCredentials?.map((c) => c.serviceSpecificCredentialId),
      ['ACCA0000000000000CODE'],
    );
    assert.equal(iam.commandCalls(ListSSHPublicKeysCommand).length, 0, 'sshPublicKeys: false');
    assert.equal(users[1]?.sshPublicKeys, undefined);
  });

  it('an account whose report has no users asks for nothing', async () => {
    const users = await completeReportUsers(new IAMClient({}), [ROOT], {
      concurrency: 2,
      sshPublicKeys: true,
    });
    assert.deepEqual(users, [ROOT]);
    assert.equal(iam.calls().length, 0);
  });
});
