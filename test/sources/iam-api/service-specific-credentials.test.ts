/**
 * Service-specific credentials through the IAM API path, against aws-sdk-client-mock: moto 5.2.1 has
 * no ListServiceSpecificCredentials (docs/aws-behaviour.md §9), so the answers below are written
 * in the shapes of the IAM API reference (ServiceSpecificCredentialMetadata: UserName, Status
 * Active|Inactive|Expired, ServiceUserName, ServiceCredentialAlias, CreateDate, ExpirationDate,
 * ServiceSpecificCredentialId, ServiceName; Marker/IsTruncated paging).
 *
 * Covered: one AllUsers walk per account across pages; the per-user fallback when AWS rejects
 * AllUsers; each service (CodeCommit, Keyspaces, Bedrock, CloudWatch Logs) with its label and
 * `service`; Expired (by status and by date), never expiring and far-expiring API keys.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  GetLoginProfileCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  ListUsersCommand,
  NoSuchEntityException,
  type ServiceSpecificCredentialMetadata,
} from '@aws-sdk/client-iam';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import type { Finding } from '../../../src/model/finding.ts';
import { evaluatePrincipal } from '../../../src/rules/index.ts';
import { collectUsersFromApi } from '../../../src/sources/iam-api/users.ts';
import { AS_OF, daysAgo } from '../../helpers/builders.ts';

const ACCOUNT = '111122223333';
const user = (name: string) => ({
  UserName: name,
  UserId: `AIDA${name.toUpperCase()}`,
  Path: '/',
  Arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
  CreateDate: new Date(daysAgo(1000)),
});

function credential(
  id: string,
  userName: string,
  serviceName: string,
  overrides: Partial<ServiceSpecificCredentialMetadata> = {},
): ServiceSpecificCredentialMetadata {
  return {
    UserName: userName,
    Status: 'Active',
    ServiceUserName: `${userName}-at-${ACCOUNT}`,
    CreateDate: new Date(daysAgo(200)),
    ServiceSpecificCredentialId: id,
    ServiceName: serviceName,
    ...overrides,
  };
}

const DAY = 86_400_000;
const CREDENTIALS = [
  credential('ACCA0000000000000CODE', 'alice', 'codecommit.amazonaws.com'),
  credential('ACCA0000000000000KEYS', 'alice', 'cassandra.amazonaws.com', {
    CreateDate: new Date(daysAgo(10)),
  }),
  // page 2
  credential('ACCA000000000000BEDR1', 'bob', 'bedrock.amazonaws.com', {
    ServiceCredentialAlias: 'bob+1-at-111122223333',
  }),
  credential('ACCA000000000000BEDR2', 'bob', 'bedrock.amazonaws.com', {
    Status: 'Expired',
    ExpirationDate: new Date(daysAgo(5)),
  }),
  credential('ACCA0000000000000LOGS', 'carol', 'logs.amazonaws.com', {
    ExpirationDate: new Date(AS_OF + 3000 * DAY),
  }),
  credential('ACCA000000000000BEDR3', 'carol', 'bedrock.amazonaws.com', {
    // Status still Active, but the expiry passed before the as-of date
    ExpirationDate: new Date(daysAgo(1)),
  }),
  credential('ACCA000000000000BEDR4', 'carol', 'bedrock.amazonaws.com', {
    Status: 'Inactive',
    ExpirationDate: new Date(AS_OF + 20 * DAY),
  }),
  // a status this version does not know: it may be usable, so it is reported (as if Active), not hidden
  credential('ACCA00000000000CODE2', 'carol', 'codecommit.amazonaws.com', {
    Status: 'Suspended' as 'Active',
  }),
];

function mockUsersWithoutOtherCredentials(iam: AwsClientStub<IAMClient>): void {
  iam.on(ListUsersCommand).resolves({ Users: ['alice', 'bob', 'carol'].map(user), IsTruncated: false });
  iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [], IsTruncated: false });
  iam.on(ListSigningCertificatesCommand).resolves({ Certificates: [], IsTruncated: false });
  iam.on(ListSSHPublicKeysCommand).resolves({ SSHPublicKeys: [], IsTruncated: false });
  iam.on(GetLoginProfileCommand).rejects(new NoSuchEntityException({ message: 'none', $metadata: {} }));
}

async function audit(): Promise<Map<string, Finding>> {
  const principals = await collectUsersFromApi(new IAMClient({}), { concurrency: 2 });
  const findings = principals.flatMap((p) => evaluatePrincipal(p, { asOf: AS_OF, thresholdDays: 90 }));
  return new Map(
    findings
      .filter((f) => f.credential === 'service_specific_credential')
      .map((f) => [f.serviceSpecificCredentialId!, f]),
  );
}

describe('service-specific credentials (aws-sdk-client-mock: moto has no such API)', () => {
  let iam: AwsClientStub<IAMClient>;
  beforeEach(() => {
    iam = mockClient(IAMClient);
    mockUsersWithoutOtherCredentials(iam);
  });
  afterEach(() => iam.restore());

  it('lists the whole account with one AllUsers walk across pages', async () => {
    iam
      .on(ListServiceSpecificCredentialsCommand, { AllUsers: true, Marker: undefined })
      .resolves({ ServiceSpecificCredentials: CREDENTIALS.slice(0, 2), IsTruncated: true, Marker: 'p2' })
      .on(ListServiceSpecificCredentialsCommand, { AllUsers: true, Marker: 'p2' })
      .resolves({ ServiceSpecificCredentials: CREDENTIALS.slice(2), IsTruncated: false });
    const byId = await audit();
    assert.equal(byId.size, CREDENTIALS.length);
    const calls = iam.commandCalls(ListServiceSpecificCredentialsCommand);
    assert.equal(calls.length, 2, 'two pages, no per-user calls');
    assert.ok(calls.every((c) => c.args[0].input.UserName === undefined));

    const row = (id: string) => {
      const f = byId.get(id)!;
      return [f.principalName, f.status, f.service, f.caveats, f.expiresAt ?? null];
    };
    assert.deepEqual(row('ACCA0000000000000CODE'), [
      'alice',
      'unverified',
      'codecommit.amazonaws.com',
      [],
      null,
    ]);
    assert.deepEqual(row('ACCA0000000000000KEYS'), ['alice', 'in_use', 'cassandra.amazonaws.com', [], null]);
    assert.deepEqual(row('ACCA000000000000BEDR1'), [
      'bob',
      'unverified',
      'bedrock.amazonaws.com',
      ['api_key_never_expires'],
      null,
    ]);
    assert.deepEqual(row('ACCA000000000000BEDR2')[1], 'inactive');
    assert.deepEqual(row('ACCA0000000000000LOGS').slice(1, 4), [
      'unverified',
      'logs.amazonaws.com',
      ['api_key_far_expiry'],
    ]);
    assert.deepEqual(row('ACCA000000000000BEDR3')[1], 'inactive', 'past its ExpirationDate');
    assert.deepEqual(row('ACCA000000000000BEDR4').slice(1, 4), ['inactive', 'bedrock.amazonaws.com', []]);
    assert.deepEqual(row('ACCA00000000000CODE2').slice(1, 4), [
      'unverified',
      'codecommit.amazonaws.com',
      ['status_unknown'],
    ]);
    assert.match(
      byId.get('ACCA00000000000CODE2')!.reason,
      /is in status Suspended, which this version of credsweep does not know \(reported as if active\), created 200 days ago/,
    );

    assert.match(
      byId.get('ACCA0000000000000CODE')!.reason,
      /^CodeCommit Git credential ACCA0000000000000CODE is active, created 200 days ago; AWS records no last use/,
    );
    assert.match(byId.get('ACCA0000000000000KEYS')!.reason, /^Amazon Keyspaces credential/);
    assert.match(byId.get('ACCA000000000000BEDR1')!.reason, /^Amazon Bedrock API key .* never expires/);
    assert.match(byId.get('ACCA000000000000BEDR2')!.reason, /is expired, .* expired 2026-10-27/);
    assert.match(byId.get('ACCA0000000000000LOGS')!.reason, /^CloudWatch Logs API key .* expires 2035-01-18/);
    assert.equal(byId.get('ACCA0000000000000LOGS')!.lastActivitySource, 'last_rotated');
  });

  it('asks user by user when the account rejects AllUsers', async () => {
    iam.on(ListServiceSpecificCredentialsCommand, { AllUsers: true }).rejects(
      Object.assign(new Error('AllUsers is not supported'), {
        name: 'InvalidInputException',
        $metadata: {},
      }),
    );
    for (const name of ['alice', 'bob', 'carol']) {
      iam.on(ListServiceSpecificCredentialsCommand, { UserName: name }).resolves({
        ServiceSpecificCredentials: CREDENTIALS.filter((c) => c.UserName === name),
        IsTruncated: false,
      });
    }
    const byId = await audit();
    assert.equal(byId.size, CREDENTIALS.length);
    assert.equal(byId.get('ACCA000000000000BEDR1')!.principalName, 'bob');
    assert.deepEqual(
      iam
        .commandCalls(ListServiceSpecificCredentialsCommand)
        .map((c) => c.args[0].input.UserName ?? 'AllUsers')
        .sort(),
      ['AllUsers', 'alice', 'bob', 'carol'],
    );
  });

  it('an access error is not taken for "AllUsers unsupported": it fails the account', async () => {
    iam
      .on(ListServiceSpecificCredentialsCommand)
      .rejects(
        Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
      );
    await assert.rejects(audit(), { name: 'AccessDenied' });
  });
});
