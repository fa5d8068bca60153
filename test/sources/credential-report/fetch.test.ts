/**
 * The credential report's generation states that moto never produces (it answers STARTED then
 * COMPLETE and never raises ReportInProgress or ReportExpired, docs/aws-behaviour.md §7.2), so this file uses
 * aws-sdk-client-mock for IAM; the moto path is covered in test/audit/live-audit.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CredentialReportExpiredException,
  CredentialReportNotPresentException,
  CredentialReportNotReadyException,
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CredentialReportTimeout,
  fetchCredentialReport,
} from '../../../src/sources/credential-report/fetch.ts';

const CONTENT = new TextEncoder().encode('user,arn\n');
const GENERATED = new Date('2026-11-01T10:00:00Z');
const meta = { $metadata: {} };

function recorder() {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
}

describe('fetchCredentialReport', () => {
  it('waits with doubling delays while the report is in progress, then reads it', async () => {
    const iam = mockClient(IAMClient);
    iam
      .on(GenerateCredentialReportCommand)
      .resolvesOnce({ State: 'STARTED' })
      .resolvesOnce({ State: 'INPROGRESS' })
      .resolves({ State: 'COMPLETE' });
    iam
      .on(GetCredentialReportCommand)
      .rejectsOnce(new CredentialReportNotReadyException({ message: 'in progress', ...meta }))
      .resolves({ Content: CONTENT, GeneratedTime: GENERATED });
    const { sleep, sleeps } = recorder();
    const report = await fetchCredentialReport(new IAMClient({}), { sleep, initialDelayMs: 100 });
    assert.deepEqual(sleeps, [100, 200, 400]);
    assert.deepEqual(report, { content: CONTENT, generatedAt: GENERATED.getTime() });
    iam.restore();
  });

  it('generates again when the report is missing or expired', async () => {
    const iam = mockClient(IAMClient);
    iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
    iam
      .on(GetCredentialReportCommand)
      .rejectsOnce(new CredentialReportExpiredException({ message: 'expired', ...meta }))
      .rejectsOnce(new CredentialReportNotPresentException({ message: 'not present', ...meta }))
      .resolves({ Content: CONTENT, GeneratedTime: GENERATED });
    const { sleep } = recorder();
    await fetchCredentialReport(new IAMClient({}), { sleep, initialDelayMs: 1 });
    assert.equal(iam.commandCalls(GenerateCredentialReportCommand).length, 3);
    iam.restore();
  });

  it('gives up after the waiting budget, and passes other errors on', async () => {
    const iam = mockClient(IAMClient);
    iam.on(GenerateCredentialReportCommand).resolves({ State: 'INPROGRESS' });
    const { sleep, sleeps } = recorder();
    await assert.rejects(
      fetchCredentialReport(new IAMClient({}), {
        sleep,
        initialDelayMs: 1000,
        maxDelayMs: 4000,
        maxWaitMs: 10_000,
      }),
      CredentialReportTimeout,
    );
    assert.deepEqual(sleeps, [1000, 2000, 4000, 4000]);

    iam.reset();
    iam
      .on(GenerateCredentialReportCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await assert.rejects(fetchCredentialReport(new IAMClient({}), { sleep }), { name: 'AccessDenied' });
    iam.restore();
  });
});
