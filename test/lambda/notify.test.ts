/**
 * The pieces around a send, in-process (no moto: the S3 reads are a stub of RunStateBucket.reportAt):
 * how a failure is described (never the URL), how the team webhook URL is read from its secret, and
 * the team summary's per-channel baseline, including state written before it existed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditReport, Finding } from '../../src/model/finding.ts';
import { DeliveryError, describeDeliveryFailure } from '../../src/lambda/notify.ts';
import type { RunStateBucket } from '../../src/lambda/run-state.ts';
import { sendTeamSummaries } from '../../src/lambda/team-summary.ts';
import { readWebhookUrl } from '../../src/lambda/webhook-secret.ts';
import { aFinding } from '../helpers/builders.ts';

describe('describeDeliveryFailure', () => {
  const cases: [string, unknown, string][] = [
    ['an HTTP status', new DeliveryError('HTTP 404'), 'HTTP 404'],
    [
      'fetch timing out',
      Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }),
      'timeout',
    ],
    [
      'a DNS failure as fetch reports it',
      new TypeError('fetch failed', {
        cause: Object.assign(new Error('getaddrinfo ENOTFOUND hooks.slack.com'), { code: 'ENOTFOUND' }),
      }),
      'network error ENOTFOUND',
    ],
    [
      'a refused connection',
      new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }),
      'network error ECONNREFUSED',
    ],
    [
      'an SNS error',
      Object.assign(new Error('topic https://x/secret'), { name: 'NotFoundException' }),
      'NotFoundException',
    ],
    [
      'a redirect (never followed)',
      new TypeError('fetch failed', { cause: new Error('unexpected redirect') }),
      'redirect refused',
    ],
    ['anything else', 'a string', 'failed'],
  ];
  for (const [name, error, expected] of cases)
    it(name, () => {
      assert.equal(describeDeliveryFailure(error), expected);
    });
});

describe('readWebhookUrl', () => {
  const read = (value: string) => () => Promise.resolve(value);
  it('reads the URL, plain or as {"url": …}', async () => {
    const url = 'https://hooks.slack.com/services/T0/B0/x';
    assert.equal(await readWebhookUrl(read(` ${url}\n`), 'arn'), url);
    assert.equal(await readWebhookUrl(read(JSON.stringify({ url })), 'arn'), url);
  });
  const refused: [string, string][] = [
    ['http:', 'http://hooks.slack.com/services/T0/B0/x'],
    ['user info', 'https://u:p@hooks.slack.com/services/T0/B0/x'],
    ['not a URL', 'hooks.slack.com/services/T0/B0/x'],
    ['JSON without url', '{"webhook": "https://hooks.slack.com/x"}'],
  ];
  for (const [name, value] of refused)
    it(`refuses ${name}, without echoing it`, async () => {
      await assert.rejects(readWebhookUrl(read(value), 'arn'), (e: Error) => {
        assert.match(e.message, /does not hold an https URL/);
        assert.ok(!e.message.includes('hooks.slack.com'));
        return true;
      });
    });
  it('a secret that cannot be read names the AWS error only', async () => {
    const denied = () =>
      Promise.reject(
        Object.assign(new Error('User arn:… is not authorized'), { name: 'AccessDeniedException' }),
      );
    await assert.rejects(
      readWebhookUrl(denied, 'arn'),
      /^DeliveryError: cannot read the webhook secret: AccessDeniedException$/,
    );
  });
});

describe('sendTeamSummaries', () => {
  const report = (at: string, findings: Finding[]): AuditReport =>
    ({
      schemaVersion: 1,
      generatedAt: at,
      asOf: at,
      thresholdDays: 90,
      summary: { unused: findings.length },
      accounts: [{ accountId: '111122223333', status: 'ok' }],
      findings,
    }) as unknown as AuditReport;
  const older = report('2026-10-01T00:00:00Z', []);
  const latest = report('2026-10-02T00:00:00Z', [aFinding({ status: 'unused' })]);
  const now = report('2026-10-03T00:00:00Z', [aFinding({ status: 'unused' })]);
  const stored: Record<string, AuditReport> = {
    'runs/2026-10-01T00:00:00Z.json': older,
    'runs/2026-10-03T00:00:00Z.json': now,
  };
  const bucket = { reportAt: async (name: string) => stored[name] } as unknown as RunStateBucket;
  const run = { report: now, reportName: 'runs/2026-10-03T00:00:00Z.json', reportUri: 's3://b/runs/x.json' };

  it('state from before per-channel baselines: latest.json is every channel’s baseline', async () => {
    const sent: string[] = [];
    const out = await sendTeamSummaries(
      bucket,
      ['sns', 'webhook'],
      async (c) => void sent.push(c),
      run,
      { warned: {} },
      latest,
    );
    assert.deepEqual(sent, [], 'nothing changed since latest.json');
    assert.deepEqual(out.summarised, { sns: run.reportName, webhook: run.reportName });
  });

  it('each channel diffs from its own baseline; a failure keeps it, a success moves it', async () => {
    const sent: string[] = [];
    const out = await sendTeamSummaries(
      bucket,
      ['sns', 'webhook'],
      async (channel, summary) => {
        if (channel === 'webhook') throw new DeliveryError('HTTP 500');
        sent.push(summary.text);
      },
      run,
      { warned: {}, summarised: { sns: run.reportName, webhook: 'runs/2026-10-01T00:00:00Z.json' } },
      latest,
    );
    assert.deepEqual(sent, [], 'sns saw this run already');
    assert.deepEqual(out.outcomes, [
      { channel: 'sns', outcome: 'quiet' },
      { channel: 'webhook', outcome: 'failed', error: 'HTTP 500' },
    ]);
    assert.equal(out.summarised.webhook, 'runs/2026-10-01T00:00:00Z.json', 'retried from the same baseline');
  });

  it('a first summary that failed stays a first summary (null), and is not skipped', async () => {
    const fail = async () => {
      throw new DeliveryError('HTTP 404');
    };
    const first = await sendTeamSummaries(bucket, ['webhook'], fail, run, { warned: {} }, undefined);
    assert.equal(first.summarised.webhook, null);
    const texts: string[] = [];
    await sendTeamSummaries(
      bucket,
      ['webhook'],
      async (_c, s) => void texts.push(s.text),
      run,
      { warned: {}, summarised: first.summarised },
      latest,
    );
    assert.match(texts[0] ?? '', /first run/);
  });
});
