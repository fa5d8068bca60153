/**
 * The scheduled Lambda warns owners before the role, user and permission steps of the scheduled plan
 * (notifications.plannedSteps) and counts them, invoked in-process: IAM, STS, S3 and SNS are a real
 * moto_server (roles and users at shifted dates, a role tagged as quarantined by credsweep); IAM
 * Access Analyzer is aws-sdk-client-mock, because moto 5.2.1 has no Access Analyzer v2
 * (docs/aws-behaviour.md §7.4), answering in the API model's shapes
 * (test/sources/access-analyzer/api-examples.ts).
 *
 * Shown: a role's notice goes to its `owner` tag; a quarantined role is announced for deletion; a user
 * none of whose credentials is used is announced for quarantine instead of its password's removal;
 * with CREDSWEEP_ACCESS_ANALYZER the unused permissions come from the analyzer's one read (no Access
 * Advisor job for any principal) and are announced as restrict-permissions; the run's result and
 * the team summary count the upcoming steps; an old SSH key (listed on the report path) is announced
 * by its id; a fan-out item asks the analyzer for its own account's findings only (filter
 * resourceOwnerAccount), not the whole organization's; a second run repeats nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AccessAnalyzerClient,
  GetFindingV2Command,
  ListAnalyzersCommand,
  ListFindingsV2Command,
} from '@aws-sdk/client-accessanalyzer';
import { IAMClient, TagUserCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler, type RunResult } from '../../src/lambda/handler.ts';
import { postJsonWith } from '../../src/lambda/notify.ts';
import { MOTO_DEFAULT_ACCOUNT, type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedCredentialKinds } from '../helpers/seed-credential-kinds.ts';
import { seedRole, seedUser } from '../helpers/seed-iam.ts';
import {
  aFindingV2,
  aSummaryV2,
  SECURITY_HUB_ANALYZER,
  SECURITY_HUB_ANALYZER_ARN,
} from '../sources/access-analyzer/api-examples.ts';

const DAY = 86_400_000;
const ACCOUNT = MOTO_DEFAULT_ACCOUNT;
const SLACK = 'https://hooks.slack.com/services/T0123/';
const BUCKET = 'credsweep-steps';
const analyzerMock = mockClient(AccessAnalyzerClient);
const posted: { url: string; text: string }[] = [];
const logged: object[] = [];
const handler = createHandler({
  postJson: postJsonWith(async (input, init) => {
    posted.push({ url: String(input), text: JSON.parse(String(init?.body)).text });
    return new Response('ok', { status: 200 });
  }),
  log: (entry) => logged.push(entry),
});
/** Every IAM operation any client sent (the function's own and its assumed-role clients). */
const iamOperations: string[] = [];
const originalSend = IAMClient.prototype.send;
let moto: MotoServer;
let topicArn: string;
let oldSshKey: string;
const savedEnv = { ...process.env };

async function snsMessages() {
  const data = (await (await fetch(`${moto.endpoint}/moto-api/data.json`)).json()) as {
    sns: {
      Topic: {
        arn: string;
        sent_notifications: [string, string, string, Record<string, { Value: string }>][];
      }[];
    };
  };
  return data.sns.Topic.find((t) => t.arn === topicArn)!.sent_notifications.map(
    ([, message, subject, attributes]) => ({ message, subject, attributes }),
  );
}

before(async () => {
  moto = await startMoto();
  const config = moto.clientConfig();
  const iam = new IAMClient(config);
  // batch-runner: never used since created 200 days ago → quarantine-role, to its owner by email.
  await seedRole(moto, iam, {
    name: 'batch-runner',
    createdDaysAgo: 200,
    tags: { owner: 'team-a@example.com' },
  });
  // old-worker: quarantined by credsweep 40 days ago (its tag) → delete-role after 30 days.
  await seedRole(moto, iam, {
    name: 'old-worker',
    createdDaysAgo: 400,
    tags: {
      owner: 'team-b@example.com',
      'credsweep:quarantined-at': new Date(Date.now() - 40 * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
  });
  // api: in use (5 days ago), but Access Analyzer says it never used sqs → restrict-permissions.
  await seedRole(moto, iam, {
    name: 'api',
    createdDaysAgo: 300,
    usedDaysAgo: 5,
    tags: { owner: 'team-c@example.com' },
  });
  // A service-linked role is never quarantined, whatever its tags say.
  await seedRole(moto, iam, {
    name: 'AWSServiceRoleForSupport',
    path: '/aws-service-role/support.amazonaws.com/',
    createdDaysAgo: 300,
    tags: { owner: 'team-a@example.com' },
  });
  // dave: password and key, neither ever used in 200 days → quarantine-user (not the password's removal).
  await seedUser(moto, iam, {
    name: 'dave',
    createdDaysAgo: 200,
    password: true,
    keys: [{ createdDaysAgo: 200 }],
    tags: { owner: `${SLACK}owner-dave` },
  });
  // dev (the new kinds, listed on the report path too): SSH keys uploaded 200 days ago (active → its
  // deactivation announced), 10 days ago (active, so dev is not quarantined) and 200 (inactive).
  oldSshKey = (await seedCredentialKinds(moto, iam)).oldKey;
  await iam.send(new TagUserCommand({ UserName: 'dev', Tags: [{ Key: 'owner', Value: 'dev@example.com' }] }));
  iam.destroy();
  const s3 = new S3Client(moto.s3ClientConfig());
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  s3.destroy();
  const sns = new SNSClient(config);
  topicArn = (await sns.send(new CreateTopicCommand({ Name: 'credsweep-steps' }))).TopicArn!;
  sns.destroy();

  const api = `arn:aws:iam::${ACCOUNT}:role/api`;
  analyzerMock
    .on(ListAnalyzersCommand, { type: 'ACCOUNT_UNUSED_ACCESS' })
    .resolves({ analyzers: [SECURITY_HUB_ANALYZER] })
    .on(ListAnalyzersCommand, { type: 'ORGANIZATION_UNUSED_ACCESS' })
    .resolves({ analyzers: [] })
    .on(ListFindingsV2Command, { analyzerArn: SECURITY_HUB_ANALYZER_ARN })
    .resolves({ findings: [aSummaryV2('f-perm', api, 'UnusedPermission')] })
    .on(GetFindingV2Command, { id: 'f-perm' })
    .resolves(
      aFindingV2('f-perm', api, 'UnusedPermission', [
        { unusedPermissionDetails: { serviceNamespace: 'sqs' } },
        {
          unusedPermissionDetails: {
            serviceNamespace: 's3',
            lastAccessed: new Date(Date.now() - 2 * DAY),
            actions: [
              { action: 's3:DeleteBucket' },
              { action: 's3:GetObject', lastAccessed: new Date(Date.now() - DAY) },
            ],
          },
        },
      ]),
    );
  IAMClient.prototype.send = function (
    this: IAMClient,
    command: { constructor: { name: string } },
    ...rest: never[]
  ) {
    iamOperations.push(command.constructor.name.replace(/Command$/, ''));
    return (originalSend as (...args: unknown[]) => unknown).call(this, command, ...rest);
  } as typeof IAMClient.prototype.send;

  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    CREDSWEEP_BUCKET: BUCKET,
    CREDSWEEP_TOPIC_ARN: topicArn,
    CREDSWEEP_ACCESS_ANALYZER: 'auto',
    CREDSWEEP_CONFIG: JSON.stringify({
      days: 90,
      accounts: [ACCOUNT],
      notifications: {
        ownerWarningDays: 7,
        ownerWebhookAllow: [SLACK],
        plannedSteps: { roles: true, deleteRolesAfterDays: 30, quarantineUsers: true, permissions: true },
      },
    }),
  });
  delete process.env.AWS_PROFILE;
  delete process.env.CREDSWEEP_WEBHOOK_SECRET_ARN;
});

after(async () => {
  IAMClient.prototype.send = originalSend;
  analyzerMock.restore();
  process.env = savedEnv;
  await moto.stop();
});

describe('the scheduled Lambda before role, user and permission steps', () => {
  it('warns each owner before its step, counts the steps, and reads Access Analyzer instead of Access Advisor', async () => {
    const runAt = Date.now();
    const inSeven = new Date(runAt + 7 * DAY).toISOString().slice(0, 10);
    const result = (await handler({ time: new Date(runAt).toISOString() } as never)) as RunResult;

    const messages = await snsMessages();
    const to = (owner: string) => messages.filter((m) => m.attributes.owner?.Value === owner);
    assert.deepEqual(
      to('team-a@example.com').map((m) => m.subject),
      [`credsweep: role batch-runner will be quarantined on ${inSeven}`],
      'the service-linked role with the same owner gets nothing',
    );
    assert.match(to('team-a@example.com')[0]!.message, /deny-all inline policy \(CredsweepQuarantine\)/);
    assert.deepEqual(
      to('team-b@example.com').map((m) => m.subject),
      [`credsweep: role old-worker (quarantined) will be deleted on ${inSeven}`],
    );
    assert.match(to('team-b@example.com')[0]!.message, /recreates it, with a new RoleId/);
    const [restrict] = to('team-c@example.com');
    assert.equal(restrict?.subject, `credsweep: permissions of api will be restricted on ${inSeven}`);
    assert.match(
      restrict!.message,
      /holds 1 granted service it has not used: sqs; and 1 action of services in use: s3:DeleteBucket \(IAM Access Analyzer, threshold 90 days\)/,
    );
    const dave = posted.filter((p) => p.url === `${SLACK}owner-dave`).map((p) => p.text.split('\n')[0]);
    assert.equal(dave.length, 2, dave.join('\n'));
    assert.match(
      dave.find((t) => /quarantined/.test(t!)) ?? '',
      new RegExp(`user dave will be quarantined on ${inSeven}`),
    );
    assert.match(
      dave.find((t) => /access key/.test(t!)) ?? '',
      /access key AKIA\w+ of dave will be deactivated/,
    );
    assert.ok(
      !posted.some((p) => /password may be removed/.test(p.text)),
      'the quarantine replaces the password removal',
    );

    // The new kinds: the old SSH key's owner is told, by the key's id; no quarantine for dev (a recent key).
    assert.deepEqual(
      to('dev@example.com').map((m) => m.subject),
      [`credsweep: SSH public key ${oldSshKey} of dev will be deactivated on ${inSeven}`],
    );
    assert.match(to('dev@example.com')[0]!.message, /was uploaded on .* \(AWS records no use of it\)/);

    assert.deepEqual(result.upcoming, {
      'deactivate-access-key': 1,
      'deactivate-ssh-public-key': 1,
      'quarantine-role': 1,
      'delete-role': 1,
      'quarantine-user': 1,
      'restrict-permissions': 1,
    });
    assert.equal(result.ownerWarnings, 6);
    const summary = messages.find((m) => m.attributes.kind?.Value === 'summary')!;
    assert.match(
      summary.message,
      /Due within the owners' notice period: 1 access key deactivation, 1 SSH key deactivation, 1 role quarantine, 1 role deletion, 1 user quarantine, 1 permissions restriction\./,
    );

    // The unused permissions came from the analyzer's one read with the function's role …
    assert.equal(analyzerMock.commandCalls(ListFindingsV2Command).length, 1);
    assert.equal(analyzerMock.commandCalls(GetFindingV2Command).length, 1);
    // … its verdicts are evidence in the stored report (the analyzer's tracking period as a caveat) …
    const s3 = new S3Client(moto.s3ClientConfig());
    const stored = JSON.parse(
      await (
        await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'credsweep/latest.json' }))
      ).Body!.transformToString(),
    ) as { findings: { principalName: string; caveats: string[] }[] };
    s3.destroy();
    assert.ok(
      stored.findings.find((f) => f.principalName === 'api')?.caveats.includes('access_analyzer_90_days'),
      'the api role was judged with the analyzer',
    );
    // … and no principal got an Access Advisor job.
    assert.ok(iamOperations.includes('GetAccountAuthorizationDetails'), 'the spy sees the audit');
    assert.deepEqual(
      iamOperations.filter((op) => /ServiceLastAccessed/.test(op)),
      [],
      'no GenerateServiceLastAccessedDetails / GetServiceLastAccessedDetails',
    );
    assert.deepEqual(logged, []);
  });

  it("the whole run read every account's findings; a fan-out item reads only its account's", async () => {
    const [whole] = analyzerMock.commandCalls(ListFindingsV2Command);
    assert.equal(whole!.args[0].input.filter?.resourceOwnerAccount, undefined);
    analyzerMock.resetHistory();
    const runId = new Date(Date.now() + 1_800_000).toISOString();
    const item = (await handler({
      action: 'audit-account',
      runId,
      accountId: ACCOUNT,
      assumeRole: false,
    } as never)) as {
      status: string;
    };
    assert.equal(item.status, 'ok');
    const calls = analyzerMock.commandCalls(ListFindingsV2Command);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0]!.args[0].input.filter?.resourceOwnerAccount, { eq: [ACCOUNT] });
  });

  it('a second run repeats no notice and still counts the steps', async () => {
    const before = { sns: (await snsMessages()).length, posted: posted.length };
    const result = (await handler({
      time: new Date(Date.now() + 3_600_000).toISOString(),
    } as never)) as RunResult;
    assert.equal(result.ownerWarnings, 0);
    assert.equal((await snsMessages()).length, before.sns);
    assert.equal(posted.length, before.posted);
    assert.equal(result.upcoming['quarantine-role'], 1);
    assert.equal(result.upcoming['restrict-permissions'], 1);
  });
});
