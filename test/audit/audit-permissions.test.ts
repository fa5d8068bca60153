/**
 * auditPermissions' bounded concurrency and paging of the principal list, with aws-sdk-client-mock:
 * moto has no Access Advisor (docs/aws-behaviour.md §7.3). Responses follow the IAM API reference's examples.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  GenerateServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsCommand,
  IAMClient,
  ListRolesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { auditPermissions } from '../../src/audit/audit-permissions.ts';
import { GET_EXAMPLE } from '../sources/access-advisor/api-examples.ts';

const iamMock = mockClient(IAMClient);
const tick = () => new Promise((r) => setImmediate(r));

function user(i: number) {
  const name = `user-${String(i).padStart(3, '0')}`;
  return {
    UserName: name,
    UserId: `AIDA${i}`,
    Path: '/',
    Arn: `arn:aws:iam::123456789012:user/${name}`,
    CreateDate: new Date('2018-01-01'),
  };
}

describe('auditPermissions', () => {
  afterEach(() => iamMock.reset());

  it('reads every page of users and keeps at most --concurrency Access Advisor jobs in flight', async () => {
    iamMock
      .on(ListUsersCommand)
      .resolvesOnce({ Users: Array.from({ length: 7 }, (_, i) => user(i)), IsTruncated: true, Marker: 'm1' })
      .resolvesOnce({ Users: Array.from({ length: 5 }, (_, i) => user(7 + i)), IsTruncated: false });
    iamMock.on(ListRolesCommand).resolves({ Roles: [], IsTruncated: false });
    let inFlight = 0;
    let peak = 0;
    const jobs = new Map<string, string>();
    iamMock.on(GenerateServiceLastAccessedDetailsCommand).callsFake(async (input) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      const jobId = `job-${jobs.size}`;
      jobs.set(jobId, input.Arn);
      await tick();
      return { JobId: jobId };
    });
    iamMock.on(GetServiceLastAccessedDetailsCommand).callsFake(async () => {
      await tick();
      inFlight -= 1;
      return GET_EXAMPLE;
    });
    const { findings, failures } = await auditPermissions(new IAMClient({ region: 'us-east-1' }), {
      asOf: Date.UTC(2018, 11, 1),
      thresholdDays: 90,
      granularity: 'service',
      concurrency: 3,
      poll: { sleep: async () => {} },
    });
    assert.equal(peak, 3);
    assert.deepEqual(failures, []);
    assert.equal(jobs.size, 12);
    assert.equal(findings.length, 24);
    assert.equal(iamMock.commandCalls(ListUsersCommand)[1]!.args[0].input.Marker, 'm1');
    assert.deepEqual(
      [...new Set(findings.map((f) => f.principalName))],
      Array.from({ length: 12 }, (_, i) => user(i).UserName),
    );
  });

  it('principals that fail make one failed account: the commonest AWS error code, one line, each principal in `principals`', async () => {
    iamMock.on(ListUsersCommand).resolves({ Users: [0, 1, 2, 3].map(user), IsTruncated: false });
    iamMock.on(ListRolesCommand).resolves({ Roles: [], IsTruncated: false });
    const error = (name: string, message: string) => Object.assign(new Error(message), { name });
    iamMock
      .on(GenerateServiceLastAccessedDetailsCommand)
      .resolves({ JobId: 'job' })
      .on(GenerateServiceLastAccessedDetailsCommand, { Arn: user(0).Arn })
      .rejects(error('Throttling', 'Rate exceeded'))
      .on(GenerateServiceLastAccessedDetailsCommand, { Arn: user(1).Arn })
      .rejects(error('AccessDenied', 'not authorized to perform: iam:GenerateServiceLastAccessedDetails'))
      .on(GenerateServiceLastAccessedDetailsCommand, { Arn: user(3).Arn })
      .rejects(error('AccessDenied', 'not authorized to perform: iam:GenerateServiceLastAccessedDetails'));
    iamMock.on(GetServiceLastAccessedDetailsCommand).resolves(GET_EXAMPLE);
    const { findings, failures } = await auditPermissions(new IAMClient({ region: 'us-east-1' }), {
      asOf: Date.UTC(2018, 11, 1),
      thresholdDays: 90,
      granularity: 'service',
      concurrency: 2,
      poll: { sleep: async () => {} },
    });
    assert.deepEqual([...new Set(findings.map((f) => f.arn))], [user(2).Arn], 'the others evaluated');
    assert.equal(failures.length, 1);
    const [account] = failures;
    assert.equal(account!.accountId, '123456789012');
    assert.equal(account!.status, 'failed');
    assert.equal(account!.error!.code, 'AccessDenied');
    assert.equal(
      account!.error!.message,
      `3 of 4 principals not evaluated (1 Throttling, 2 AccessDenied); ${user(0).Arn}: Throttling: Rate exceeded`,
    );
    assert.doesNotMatch(account!.error!.message, /\n/);
    assert.deepEqual(
      account!.error!.principals!.map((p) => [p.arn, p.code]),
      [
        [user(0).Arn, 'Throttling'],
        [user(1).Arn, 'AccessDenied'],
        [user(3).Arn, 'AccessDenied'],
      ],
    );
  });
});
