/**
 * The scheduled Lambda, invoked in-process against a real moto_server (Organizations, IAM, STS, S3,
 * SNS, Secrets Manager) and a local HTTP server on 127.0.0.1 standing in for the Slack-compatible
 * webhook and for an owner's webhook. The URLs are real `https://hooks.slack.com/…` ones, checked by
 * the production rules; only the delivery is injected (createHandler({ postJson })): the production
 * fetch delivery, with a fetch that sends the request to the loopback server instead. SNS messages
 * are read back from moto's /moto-api/data.json (each topic's `sent_notifications`: id, message,
 * subject, attributes).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DeleteAccessKeyCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { createHandler, type RunResult } from '../../src/lambda/handler.ts';
import { postJsonWith } from '../../src/lambda/notify.ts';
import { inAccount, MOTO_DEFAULT_ACCOUNT, type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedUser } from '../helpers/seed-iam.ts';

interface Posted {
  path: string;
  body: { text: string };
}

let moto: MotoServer;
let webhook: Server;
let webhookBase: string;
const posted: Posted[] = [];
let topicArn: string;
let secretArn: string;
/** Every URL a notice was delivered to (before the test's fetch redirected it to the loopback server). */
const requested: string[] = [];
const SLACK = 'https://hooks.slack.com/services/T0123/';
const TEAM_URL = 'https://hooks.slack.com/services/TEAM/B0/team-channel';
const handler = createHandler({
  postJson: postJsonWith((input, init) => {
    const url = new URL(String(input));
    requested.push(url.href);
    return fetch(`${webhookBase}/${url.pathname.split('/').pop()}`, init);
  }),
  log: () => {},
});
let memberAccount: string;
let bobKeyId: string;
let aliceKeyId: string;
const BUCKET = 'credsweep-runs';
const savedEnv = { ...process.env };

async function snsMessages(): Promise<
  { message: string; subject: string; attributes: Record<string, { Value: string }> }[]
> {
  const data = (await (await fetch(`${moto.endpoint}/moto-api/data.json`)).json()) as {
    sns: {
      Topic: {
        arn: string;
        sent_notifications: [string, string, string, Record<string, { Value: string }>][];
      }[];
    };
  };
  const topic = data.sns.Topic.find((t) => t.arn === topicArn)!;
  return topic.sent_notifications.map(([, message, subject, attributes]) => ({
    message,
    subject,
    attributes,
  }));
}

function setEnv(prefix: string, config: object): void {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    CREDSWEEP_BUCKET: BUCKET,
    CREDSWEEP_PREFIX: prefix,
    CREDSWEEP_TOPIC_ARN: topicArn,
    CREDSWEEP_WEBHOOK_SECRET_ARN: secretArn,
    CREDSWEEP_CONFIG: JSON.stringify(config),
  });
  delete process.env.AWS_PROFILE;
}

const CONFIG = {
  days: 90,
  notifications: {
    ownerWarningDays: 7,
    ownerWebhookAllow: [SLACK],
    exemptionHowTo: 'open a ticket in SEC with principal, owner, reason and expiry',
  },
};

before(async () => {
  moto = await startMoto();
  webhook = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      posted.push({ path: req.url ?? '', body: JSON.parse(body) });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
  webhookBase = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}`;

  const config = moto.clientConfig();
  const org = new OrganizationsClient(config);
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const created = await org.send(
    new CreateAccountCommand({ AccountName: 'workloads', Email: 'w@example.com' }),
  );
  memberAccount = created.CreateAccountStatus!.AccountId!;
  org.destroy();

  const iam = new IAMClient(config);
  // alice: key created 85 days ago, never used → crosses 90 days in 5: within the 7-day notice.
  aliceKeyId = (
    await seedUser(moto, iam, {
      name: 'alice',
      createdDaysAgo: 85,
      keys: [{ createdDaysAgo: 85 }],
      tags: { owner: 'alice@example.com' },
    })
  ).keyIds[0]!;
  // bob: unused for 200 days; his owner tag names a webhook on an allowed host.
  bobKeyId = (
    await seedUser(moto, iam, {
      name: 'bob',
      createdDaysAgo: 200,
      keys: [{ createdDaysAgo: 200 }],
      tags: { owner: `${SLACK}owner-bob` },
    })
  ).keyIds[0]!;
  // mallory: her owner tag points anywhere; a tag is not trusted to choose where data goes.
  await seedUser(moto, iam, {
    name: 'mallory',
    createdDaysAgo: 300,
    keys: [{ createdDaysAgo: 300 }],
    tags: { owner: 'https://attacker.example/collect' },
  });
  // carol, in the member account (audited through CredsweepAudit, the function's default), no owner tag.
  const memberIam = inAccount(new IAMClient(config), memberAccount);
  await seedUser(moto, memberIam, { name: 'carol', createdDaysAgo: 150, keys: [{ createdDaysAgo: 150 }] });
  memberIam.destroy();
  iam.destroy();

  const s3 = new S3Client(moto.s3ClientConfig());
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  s3.destroy();
  const sns = new SNSClient(config);
  topicArn = (await sns.send(new CreateTopicCommand({ Name: 'credsweep' }))).TopicArn!;
  sns.destroy();
  const secrets = new SecretsManagerClient(config);
  secretArn = (
    await secrets.send(new CreateSecretCommand({ Name: 'credsweep/team-webhook', SecretString: TEAM_URL }))
  ).ARN!;
  secrets.destroy();
});

after(async () => {
  process.env = savedEnv;
  await new Promise((r) => webhook.close(r));
  await moto.stop();
});

const scheduled = async (event: object) => (await handler(event as never)) as RunResult;
const at = (iso: string) => ({ time: iso, 'detail-type': 'Scheduled Event', source: 'aws.events' });

describe('the scheduled Lambda', () => {
  it('first run: stores the report in S3, sends the summary to SNS and the webhook, warns owners', async () => {
    setEnv('org/', CONFIG);
    // The run's own time, not the clock when an assertion runs (a test across midnight UTC).
    const runAt = new Date();
    const result = await scheduled(at(runAt.toISOString()));
    assert.equal(result.notified, true);
    const inSeven = new Date(runAt.getTime() + 7 * 86_400_000).toISOString().slice(0, 10);

    const messages = await snsMessages();
    const summary = messages.find((m) => m.attributes.kind?.Value === 'summary')!;
    assert.match(summary.subject, /^credsweep: 3 unused credentials in 2 accounts$/);
    assert.match(summary.message, /first run/);
    assert.match(summary.message, /Newly unused \(3\):/);
    assert.match(
      summary.message,
      new RegExp(`${memberAccount} carol access_key_1 \\S+: new → unused, 150 days`),
    );
    assert.match(summary.message, /Full report: s3:\/\/credsweep-runs\/org\/runs\/.*\.json/);
    const team = posted.filter((p) => p.path === '/team-channel');
    assert.equal(team.length, 1);
    assert.equal(team[0]!.body.text, summary.message, 'the webhook gets the same short summary');

    // Owner warnings: alice by email (SNS, with the owner as a message attribute for filter policies).
    const aliceWarning = messages.find((m) => m.attributes.owner?.Value === 'alice@example.com')!;
    assert.equal(aliceWarning.attributes.kind?.Value, 'owner_warning');
    assert.match(
      aliceWarning.message,
      new RegExp(
        `Access key ${aliceKeyId} of user alice \\(account ${MOTO_DEFAULT_ACCOUNT}\\) has never been used\\.`,
      ),
    );
    assert.match(
      aliceWarning.message,
      /On \d{4}-\d{2}-\d{2}, the key will be deactivated \(not deleted; credsweep undo reactivates it\)\./,
    );
    assert.match(aliceWarning.message, /claim an exemption: open a ticket in SEC/);
    // It crosses the threshold in 5 days, but nobody loses a key with less than the 7-day notice.
    assert.ok(aliceWarning.message.includes(`On ${inSeven},`), aliceWarning.message);
    // bob: the webhook his owner tag names, with at least the notice period before deactivation.
    const bob = posted.filter((p) => p.path === '/owner-bob');
    assert.equal(bob.length, 1);
    assert.match(
      bob[0]!.body.text,
      new RegExp(`access key ${bobKeyId} of bob will be deactivated on ${inSeven}`),
    );
    // mallory's tag names a host that is not allowed: nothing is sent there, the run counts her unreachable.
    assert.ok(!posted.some((p) => p.path.includes('collect')));
    assert.deepEqual(
      requested.sort(),
      [TEAM_URL, `${SLACK}owner-bob`].sort(),
      'only allowed URLs are requested',
    );
    assert.equal(result.unreachableOwners, 2, 'mallory (host not allowed) and carol (no owner tag)');
    assert.equal(result.ownerWarnings, 2);

    const s3 = new S3Client(moto.s3ClientConfig());
    const latest = JSON.parse(
      await (
        await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'org/latest.json' }))
      ).Body!.transformToString(),
    );
    s3.destroy();
    assert.equal(latest.schemaVersion, 1);
    assert.deepEqual(
      latest.accounts.map((a: { accountId: string; status: string }) => a.status),
      ['ok', 'ok'],
    );
    assert.deepEqual(result.ownerNoticeFailures, []);
    const everything = JSON.stringify({ messages, posted, latest, result });
    assert.ok(!everything.includes(TEAM_URL), 'the team webhook URL (a secret) is in no output');
    assert.ok(
      !/testing|SecretAccessKey|SessionToken/i.test(everything.replace(/credsweep-runs|Scheduled/g, '')),
      'no secrets',
    );
  });

  it('a second run with no change sends nothing (no alert storm, no repeated owner warning)', async () => {
    const before = { sns: (await snsMessages()).length, posted: posted.length };
    const result = await scheduled(at(new Date(Date.now() + 3_600_000).toISOString()));
    assert.equal(result.notified, false);
    assert.deepEqual(result.sent, { sns: 0, webhook: 0 });
    assert.equal((await snsMessages()).length, before.sns);
    assert.equal(posted.length, before.posted);
  });

  it('a change sends only the change', async () => {
    const iam = new IAMClient(moto.clientConfig());
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'bob', AccessKeyId: bobKeyId }));
    iam.destroy();
    const before = (await snsMessages()).length;
    const result = await scheduled(at(new Date(Date.now() + 7_200_000).toISOString()));
    assert.equal(result.notified, true);
    const fresh = (await snsMessages()).slice(before);
    assert.equal(fresh.length, 1, 'one summary, no owner warning repeated');
    assert.match(
      fresh[0]!.message,
      /since the last run: 0 newly unused, 0 back in use, 0 resolved, 1 removed/,
    );
    assert.match(
      fresh[0]!.message,
      new RegExp(
        `Removed \\(1\\):\\n  ${MOTO_DEFAULT_ACCOUNT} bob access_key_1 ${bobKeyId}: unused → removed`,
      ),
    );
    assert.doesNotMatch(fresh[0]!.message, /carol|mallory/);
  });

  it('the Step Functions fan-out (list → one invocation per account → merge) gives the same report', async () => {
    setEnv('fanout/', CONFIG);
    const listed = (await handler({ action: 'list-accounts', time: new Date().toISOString() })) as {
      runId: string;
      bucket: string;
      accountsKey: string;
      count: number;
    };
    const s3 = new S3Client(moto.s3ClientConfig());
    const read = async (key: string) =>
      JSON.parse(
        await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString(),
      );
    assert.equal(listed.bucket, BUCKET);
    const accounts = (await read(listed.accountsKey)) as { accountId: string; assumeRole: boolean }[];
    assert.equal(listed.count, 2);
    assert.deepEqual(accounts.map((a) => a.accountId).sort(), [MOTO_DEFAULT_ACCOUNT, memberAccount].sort());
    for (const account of accounts) {
      const item = (await handler({ action: 'audit-account', runId: listed.runId, ...account })) as {
        status: string;
      };
      assert.equal(item.status, 'ok');
    }
    const merged = (await handler({ action: 'merge', runId: listed.runId })) as {
      summary: Record<string, number>;
    };
    const [whole, fanned] = [await read('org/latest.json'), await read('fanout/latest.json')];
    s3.destroy();
    const essence = (r: {
      findings: { accountId: string; principalName: string; credential: string; status: string }[];
    }) => r.findings.map((f) => `${f.accountId}/${f.principalName}/${f.credential}/${f.status}`).sort();
    assert.deepEqual(essence(fanned), essence(whole));
    assert.equal(merged.summary.unused, whole.summary.unused);
  });
});
