/**
 * Access Advisor against aws-sdk-client-mock: moto 5.2.1 implements neither
 * GenerateServiceLastAccessedDetails nor GetServiceLastAccessedDetails (docs/aws-behaviour.md §7.3), so these
 * tests use responses shaped exactly like the IAM API reference's examples (see api-examples.ts).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  GenerateServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsAccessError } from '../../../src/errors.ts';
import { fetchServiceLastAccessed } from '../../../src/sources/access-advisor/last-accessed.ts';
import { GENERATE_EXAMPLE, GET_EXAMPLE, IN_PROGRESS } from './api-examples.ts';

const iamMock = mockClient(IAMClient);
const ARN = 'arn:aws:iam::123456789012:user/AWSExampleUser01';

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe('fetchServiceLastAccessed', () => {
  afterEach(() => iamMock.reset());

  it('generates a job, polls with doubling backoff while IN_PROGRESS, then maps the services', async () => {
    iamMock.on(GenerateServiceLastAccessedDetailsCommand).resolves(GENERATE_EXAMPLE);
    iamMock
      .on(GetServiceLastAccessedDetailsCommand)
      .resolvesOnce(IN_PROGRESS)
      .resolvesOnce(IN_PROGRESS)
      .resolvesOnce(IN_PROGRESS)
      .resolves(GET_EXAMPLE);
    const { waits, sleep } = recordingSleep();
    const services = await fetchServiceLastAccessed(new IAMClient({}), ARN, 'service', {
      sleep,
      initialDelayMs: 500,
      maxDelayMs: 1500,
    });
    assert.deepEqual(waits, [500, 1000, 1500]);
    assert.deepEqual(services, [
      {
        serviceName: 'AWS Identity and Access Management',
        namespace: 'iam',
        lastAuthenticated: Date.parse('2018-10-24T19:11:00Z'),
        region: null,
        trackedActions: null,
      },
      {
        serviceName: 'Amazon Simple Storage Service',
        namespace: 's3',
        lastAuthenticated: null,
        region: null,
        trackedActions: null,
      },
    ]);
    const generate = iamMock.commandCalls(GenerateServiceLastAccessedDetailsCommand)[0]!.args[0].input;
    assert.deepEqual(generate, { Arn: ARN, Granularity: 'SERVICE_LEVEL' });
    for (const call of iamMock.commandCalls(GetServiceLastAccessedDetailsCommand)) {
      assert.equal(call.args[0].input.JobId, 'examplef-1305-c245-eba4-71fe298bcda7');
    }
  });

  it('asks for ACTION_LEVEL with action granularity', async () => {
    iamMock.on(GenerateServiceLastAccessedDetailsCommand).resolves(GENERATE_EXAMPLE);
    iamMock.on(GetServiceLastAccessedDetailsCommand).resolves(GET_EXAMPLE);
    await fetchServiceLastAccessed(new IAMClient({}), ARN, 'action', recordingSleep());
    const input = iamMock.commandCalls(GenerateServiceLastAccessedDetailsCommand)[0]!.args[0].input;
    assert.equal(input.Granularity, 'ACTION_LEVEL');
  });

  it('follows Marker across pages (IsTruncated), keeping the same JobId', async () => {
    const [iam, s3] = GET_EXAMPLE.ServicesLastAccessed!;
    iamMock.on(GenerateServiceLastAccessedDetailsCommand).resolves(GENERATE_EXAMPLE);
    iamMock
      .on(GetServiceLastAccessedDetailsCommand)
      .resolvesOnce({ ...GET_EXAMPLE, ServicesLastAccessed: [iam!], IsTruncated: true, Marker: 'page-2' })
      .resolvesOnce({ ...GET_EXAMPLE, ServicesLastAccessed: [s3!], IsTruncated: false });
    const services = await fetchServiceLastAccessed(new IAMClient({}), ARN, 'service', recordingSleep());
    assert.deepEqual(
      services.map((s) => s.namespace),
      ['iam', 's3'],
    );
    const second = iamMock.commandCalls(GetServiceLastAccessedDetailsCommand)[1]!.args[0].input;
    assert.equal(second.Marker, 'page-2');
    assert.equal(second.JobId, GENERATE_EXAMPLE.JobId);
  });

  it('turns a FAILED job into an AwsAccessError carrying the job error', async () => {
    iamMock.on(GenerateServiceLastAccessedDetailsCommand).resolves(GENERATE_EXAMPLE);
    iamMock.on(GetServiceLastAccessedDetailsCommand).resolves({
      ...IN_PROGRESS,
      JobStatus: 'FAILED',
      Error: { Code: 'InternalError', Message: 'report generation failed' },
    });
    await assert.rejects(
      fetchServiceLastAccessed(new IAMClient({}), ARN, 'service', recordingSleep()),
      (e: unknown) =>
        e instanceof AwsAccessError &&
        e.awsCode === 'InternalError' &&
        /report generation failed/.test(e.message),
    );
  });

  it('gives up after maxPolls of IN_PROGRESS instead of waiting forever', async () => {
    iamMock.on(GenerateServiceLastAccessedDetailsCommand).resolves(GENERATE_EXAMPLE);
    iamMock.on(GetServiceLastAccessedDetailsCommand).resolves(IN_PROGRESS);
    const { waits, sleep } = recordingSleep();
    await assert.rejects(
      fetchServiceLastAccessed(new IAMClient({}), ARN, 'service', { sleep, maxPolls: 4 }),
      (e: unknown) => e instanceof AwsAccessError && e.awsCode === 'JobTimeout',
    );
    assert.equal(waits.length, 3);
    assert.equal(iamMock.commandCalls(GetServiceLastAccessedDetailsCommand).length, 4);
  });
});
