/**
 * A failed notice never stops a scheduled run (issue 16 item 1). The handler runs in-process against
 * a real moto_server (IAM, STS, S3, SNS, Secrets Manager) and a loopback webhook server whose paths
 * answer 404, 500, 200 or never (the hanging one is cut by the config's webhookTimeoutMs, 300 ms
 * here). Owner tags and the team webhook are real `https://hooks.slack.com/…` URLs checked by the
 * production rules; only the delivery is injected: the production fetch delivery (postJsonWith)
 * with a fetch that sends each request to the loopback server, and for one owner a DNS failure
 * (getaddrinfo ENOTFOUND) as fetch reports it, since a test must not depend on a resolver.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DeleteAccessKeyCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { createHandler, type RunResult } from '../../src/lambda/handler.ts';
import { postJsonWith } from '../../src/lambda/notify.ts';
import { type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedUser } from '../helpers/seed-iam.ts';

const SLACK = 'https://hooks.slack.com/services/T0123/';
const TEAM_URL = 'https://hooks.slack.com/services/TEAM/B0/team';
const BUCKET = 'credsweep-notices';
const savedEnv = { ...process.env };

/** What each loopback path answers; changed by the tests. */
const answers: Record<string, number | 'never'> = {
  team: 200,
  ok: 200,
  gone: 404,
  broken: 500,
  hang: 'never',
};
const received: string[] = [];
const logged: object[] = [];
let moto: MotoServer;
let server: Server;
let base: string;
let bobKeyId: string;

const handler = createHandler({
  postJson: postJsonWith(async (input, init) => {
    const name = new URL(String(input)).pathname.split('/').pop()!;
    if (name === 'nxdomain')
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('getaddrinfo ENOTFOUND hooks.slack.com'), { code: 'ENOTFOUND' }),
      });
    return fetch(`${base}/${name}`, init);
  }),
  log: (entry) => logged.push(entry),
});

async function readJson(key: string) {
  const s3 = new S3Client(moto.s3ClientConfig());
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return JSON.parse(await out.Body!.transformToString());
  } finally {
    s3.destroy();
  }
}

let runNumber = 0;
/** One scheduled run, an hour after the last (the run's "now" is the event's time). */
async function run(): Promise<RunResult> {
  runNumber += 1;
  received.length = 0;
  logged.length = 0;
  const time = new Date(Date.UTC(2026, 10, 1, runNumber)).toISOString();
  return (await handler({ time } as never)) as RunResult;
}

const count = (path: string) => received.filter((r) => r === path).length;

before(async () => {
  moto = await startMoto();
  server = createServer((req, res) => {
    const name = (req.url ?? '').slice(1);
    req.resume().on('end', () => {
      received.push(name);
      const answer = answers[name] ?? 404;
      if (answer !== 'never') res.writeHead(answer).end(answer === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const config = moto.clientConfig();
  const iam = new IAMClient(config);
  const owners: [string, string][] = [
    ['ann', `${SLACK}B1/ok`],
    ['dan', `${SLACK}B2/gone`],
    ['eve', `${SLACK}B3/broken`],
    ['fay', `${SLACK}B4/hang`],
    ['gus', `${SLACK}B5/nxdomain`],
    ['hal', 'hal@example.com'],
  ];
  for (const [name, owner] of owners)
    await seedUser(moto, iam, {
      name,
      createdDaysAgo: 200,
      keys: [{ createdDaysAgo: 200 }],
      tags: { owner },
    });
  bobKeyId = (
    await seedUser(moto, iam, { name: 'bob', createdDaysAgo: 300, keys: [{ createdDaysAgo: 300 }] })
  ).keyIds[0]!;
  iam.destroy();

  const s3 = new S3Client(moto.s3ClientConfig());
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  s3.destroy();
  const sns = new SNSClient(config);
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'credsweep-notices' }))).TopicArn!;
  sns.destroy();
  const secrets = new SecretsManagerClient(config);
  const secretArn = (
    await secrets.send(
      new CreateSecretCommand({ Name: 'credsweep/team', SecretString: JSON.stringify({ url: TEAM_URL }) }),
    )
  ).ARN!;
  secrets.destroy();

  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    CREDSWEEP_BUCKET: BUCKET,
    CREDSWEEP_PREFIX: 'n/',
    CREDSWEEP_TOPIC_ARN: topicArn,
    CREDSWEEP_WEBHOOK_SECRET_ARN: secretArn,
    CREDSWEEP_CONFIG: JSON.stringify({
      days: 90,
      notifications: { ownerWebhookAllow: [SLACK], webhookTimeoutMs: 300 },
    }),
  });
  delete process.env.AWS_PROFILE;
  delete process.env.CREDSWEEP_WEBHOOK_URL;
});

after(async () => {
  process.env = savedEnv;
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await moto.stop();
});

describe('a failed notice never stops the run', () => {
  it('404, 500, no answer and a DNS failure are counted per owner; report, state and baseline are written', async () => {
    const result = await run();
    assert.deepEqual(result.ownerNoticeFailures.map((f) => `${f.failed} ${f.error}`).sort(), [
      '1 HTTP 404',
      '1 HTTP 500',
      '1 network error ENOTFOUND',
      '1 timeout',
    ]);
    for (const f of result.ownerNoticeFailures)
      assert.match(f.owner, /^https:\/\/hooks\.slack\.com\/services\/T0123\/…#[0-9a-f]{8}$/);
    const byError = Object.fromEntries(result.ownerNoticeFailures.map((f) => [f.error, f]));
    assert.deepEqual(Object.keys(byError).sort(), [
      'HTTP 404',
      'HTTP 500',
      'network error ENOTFOUND',
      'timeout',
    ]);
    assert.match(byError['HTTP 404']!.principals[0]!, /:user\/dan$/);
    assert.match(byError.timeout!.principals[0]!, /:user\/fay$/);
    assert.equal(new Set(result.ownerNoticeFailures.map((f) => f.owner)).size, 4, 'each owner counted apart');
    assert.equal(result.ownerWarnings, 2, 'ann (webhook) and hal (email) were told');
    assert.deepEqual(result.summaries, [
      { channel: 'sns', outcome: 'sent' },
      { channel: 'webhook', outcome: 'sent' },
    ]);
    assert.equal(count('team'), 1);

    const latest = await readJson('n/latest.json');
    assert.equal(latest.generatedAt, '2026-11-01T01:00:00Z', 'this run became the baseline');
    assert.equal((await readJson('n/runs/2026-11-01T01:00:00Z.json')).generatedAt, latest.generatedAt);
    const state = await readJson('n/state.json');
    const warnedUsers = Object.keys(state.warned).map((id) => /:user\/(\w+)/.exec(id)![1]);
    assert.deepEqual(warnedUsers.sort(), ['ann', 'hal'], 'failed notices are not recorded as sent');
    assert.deepEqual(state.summarised, {
      sns: 'runs/2026-11-01T01:00:00Z.json',
      webhook: 'runs/2026-11-01T01:00:00Z.json',
    });
    assert.equal(logged.length, 4, 'each failure is logged (a scheduled result goes nowhere)');
    const everything = JSON.stringify({ result, logged, state });
    assert.ok(!everything.includes('/B2/gone') && !everything.includes(TEAM_URL), 'no webhook URL leaks');
  });

  it('the next run retries only the failed notices and sends no second summary', async () => {
    const result = await run();
    assert.deepEqual(result.summaries, [
      { channel: 'sns', outcome: 'quiet' },
      { channel: 'webhook', outcome: 'quiet' },
    ]);
    assert.equal(result.notified, false);
    assert.equal(count('team'), 0, 'not the same "first run" summary again');
    assert.equal(count('ok'), 0, 'ann was told already');
    assert.deepEqual([count('gone'), count('broken'), count('hang')], [1, 1, 1], 'each failed owner retried');
    assert.equal(result.ownerNoticeFailures.length, 4);
    assert.equal(result.sent.sns, 0, 'hal was told already');
  });

  it('a repaired owner webhook is told on the next run, and then counted as told', async () => {
    answers.gone = 200;
    const result = await run();
    assert.equal(count('gone'), 1);
    assert.equal(result.ownerWarnings, 1);
    assert.equal(result.ownerNoticeFailures.length, 3);
    const warnedUsers = Object.keys((await readJson('n/state.json')).warned).map(
      (id) => /:user\/(\w+)/.exec(id)![1],
    );
    assert.deepEqual(warnedUsers.sort(), ['ann', 'dan', 'hal']);
    await run();
    assert.equal(count('gone'), 0, 'told once');
  });

  it('a failed team summary is retried on that channel only, with the changes it missed', async () => {
    const iam = new IAMClient(moto.clientConfig());
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'bob', AccessKeyId: bobKeyId }));
    iam.destroy();
    answers.team = 500;
    const failed = await run();
    assert.deepEqual(failed.summaries, [
      { channel: 'sns', outcome: 'sent' },
      { channel: 'webhook', outcome: 'failed', error: 'HTTP 500' },
    ]);
    assert.equal(failed.notified, true);
    assert.equal((await readJson('n/latest.json')).generatedAt, '2026-11-01T05:00:00Z', 'baseline moved');

    answers.team = 200;
    let teamText = '';
    const probe = server.listeners('request')[0] as (...a: unknown[]) => void;
    server.removeAllListeners('request');
    server.on('request', (req, res) => {
      if (req.url === '/team') {
        let body = '';
        req.setEncoding('utf8').on('data', (d) => {
          body += d;
        });
        req.on('end', () => {
          received.push('team');
          teamText = (JSON.parse(body) as { text: string }).text;
          res.writeHead(200).end('ok');
        });
      } else probe(req, res);
    });
    const retried = await run();
    assert.deepEqual(retried.summaries, [
      { channel: 'sns', outcome: 'quiet' },
      { channel: 'webhook', outcome: 'sent' },
    ]);
    assert.equal(count('team'), 1);
    assert.match(teamText, /Removed \(1\):\n {2}\d{12} bob access_key_1 /, 'the change the team missed');
    const again = await run();
    assert.equal(count('team'), 0, 'and only once');
    assert.equal(again.notified, false);
  });

  it('the team webhook URL is never read from a plain environment variable', async () => {
    process.env.CREDSWEEP_WEBHOOK_URL = TEAM_URL;
    try {
      await assert.rejects(run(), /CREDSWEEP_WEBHOOK_URL is no longer read .*Secrets Manager/);
    } finally {
      delete process.env.CREDSWEEP_WEBHOOK_URL;
    }
  });
});
