/**
 * The fault proxy itself, between the real SDK v3 and a real moto_server: each fault kind reaches the
 * SDK as the error AWS would give, rates are seeded and reproducible, faults target one account, and
 * calls are counted per account (learned from the header, and from AssumeRole answers).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CreateUserCommand, GetUserCommand, IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { ListRootsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts';
import { inAccount, MOTO_DEFAULT_ACCOUNT, type MotoServer, startMoto } from './moto.ts';

const A = '111111111111';
const B = '222222222222';

let moto: MotoServer;
let proxy: FaultProxy;

before(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy({ target: moto.endpoint, seed: 42 });
});
after(async () => {
  await proxy?.close();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  proxy.configure({ rates: {}, accounts: {}, delayMs: 10_000, latencyMs: 0 });
  proxy.resetCounters();
});

/** A client through the proxy; `attempts` total tries, 5 ms between them so the tests stay fast. */
function iam(account: string, attempts = 1, requestTimeout?: number): IAMClient {
  return inAccount(
    new IAMClient({
      ...moto.clientConfig(),
      endpoint: proxy.url,
      maxAttempts: attempts,
      retryStrategy: new ConfiguredRetryStrategy(attempts, () => 5),
      // Since node-http-handler 4.x a request past requestTimeout only logs a warning unless told to throw.
      ...(requestTimeout ? { requestHandler: { requestTimeout, throwOnRequestTimeout: true } } : {}),
    }),
    account,
  );
}

async function failure(
  p: Promise<unknown>,
): Promise<
  Error & { $metadata?: { attempts?: number; httpStatusCode?: number }; code?: string; $fault?: string }
> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected the call to fail');
}

describe('fault proxy', () => {
  it('passes calls through untouched and counts them per account and operation', async () => {
    await iam(A).send(new CreateUserCommand({ UserName: 'alice' }));
    await iam(A).send(new ListUsersCommand({}));
    const users = await iam(B).send(new ListUsersCommand({}));
    assert.deepEqual(users.Users, [], 'account B is separate');
    assert.deepEqual(Object.fromEntries(proxy.callsByAccount()), { [A]: 2, [B]: 1 });
    assert.deepEqual(Object.fromEntries(proxy.callsByOperation().get(A)!), {
      'iam:CreateUser': 1,
      'iam:ListUsers': 1,
    });
    assert.equal(proxy.totalCalls(), 3);
  });

  it('attributes calls signed with an assumed-role key to the role account, learned from AssumeRole', async () => {
    const sts = new STSClient({ ...moto.clientConfig(), endpoint: proxy.url });
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${A}:role/OrganizationAccountAccessRole`,
        RoleSessionName: 't',
      }),
    );
    const c = assumed.Credentials!;
    const member = new IAMClient({
      ...moto.clientConfig({
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken!,
      }),
      endpoint: proxy.url,
    });
    await member.send(new ListUsersCommand({}));
    const who = await new STSClient({
      ...moto.clientConfig(),
      endpoint: proxy.url,
      credentials: member.config.credentials,
    }).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Account, A, 'moto ran it in the role account too');
    // AssumeRole counts for the account of the role it names; GetCallerIdentity ran in A as well.
    assert.deepEqual(Object.fromEntries(proxy.callsByAccount()), { [A]: 3 });
    await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(proxy.callsByAccount().get(MOTO_DEFAULT_ACCOUNT), 1);
  });

  it('throttling: IAM gets HTTP 400 Throttling (query XML), the SDK retries it and gives up after maxAttempts', async () => {
    proxy.configure({ rates: { throttle: 1 } });
    const e = await failure(iam(A, 3).send(new ListUsersCommand({})));
    assert.equal(e.name, 'Throttling');
    assert.equal(e.$metadata?.httpStatusCode, 400);
    assert.equal(e.$metadata?.attempts, 3);
    assert.equal(proxy.faultsByAccount().get(A)?.throttle, 3);
  });

  it('throttling: JSON-protocol services (Organizations) get TooManyRequestsException', async () => {
    proxy.configure({ rates: { throttle: 1 } });
    const org = new OrganizationsClient({ ...moto.clientConfig(), endpoint: proxy.url, maxAttempts: 1 });
    const e = await failure(org.send(new ListRootsCommand({})));
    assert.equal(e.name, 'TooManyRequestsException');
  });

  it('server errors: HTTP 500 or 503, a server fault', async () => {
    proxy.configure({ rates: { serverError: 1 } });
    const statuses = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const e = await failure(iam(A).send(new ListUsersCommand({})));
      assert.equal(e.$fault, 'server');
      statuses.add(e.$metadata?.httpStatusCode ?? 0);
    }
    assert.deepEqual([...statuses].sort(), [500, 503]);
  });

  it('connection reset before moto sees the call: ECONNRESET, nothing done', async () => {
    proxy.configure({ rates: { reset: 1 } });
    const e = await failure(iam(A).send(new CreateUserCommand({ UserName: 'bob' })));
    assert.equal(e.code ?? e.name, 'ECONNRESET');
    proxy.configure({ rates: {} });
    await failure(iam(A).send(new GetUserCommand({ UserName: 'bob' })));
  });

  it('connection reset after moto ran the call: the answer is lost but the effect happened', async () => {
    proxy.configure({ rates: { resetAfter: 1 } });
    const e = await failure(iam(A).send(new CreateUserCommand({ UserName: 'carol' })));
    assert.equal(e.code ?? e.name, 'ECONNRESET');
    proxy.configure({ rates: {} });
    const user = await iam(A).send(new GetUserCommand({ UserName: 'carol' }));
    assert.equal(user.User?.UserName, 'carol');
  });

  it('delay: an answer held past the SDK request timeout is a TimeoutError', async () => {
    proxy.configure({ rates: { delay: 1 }, delayMs: 3_000 });
    const e = await failure(iam(A, 1, 300).send(new ListUsersCommand({})));
    assert.equal(e.name, 'TimeoutError');
    await new Promise((ok) => setTimeout(ok, 3_100));
    assert.equal(proxy.abandonedDelays(), 1, 'the SDK hung up before the proxy answered');
  });

  it('truncated body: the SDK sees an error, never a half answer', async () => {
    await iam(A).send(new CreateUserCommand({ UserName: 'dave' }));
    proxy.configure({ rates: { truncate: 1 } });
    const e = await failure(iam(A).send(new ListUsersCommand({})));
    assert.ok(e instanceof Error, String(e));
  });

  it('targets one account: A fails every call, B is untouched', async () => {
    proxy.configure({ accounts: { [A]: { serverError: 1 } } });
    await failure(iam(A, 2).send(new ListUsersCommand({})));
    await iam(B).send(new ListUsersCommand({}));
    assert.equal(proxy.faultsByAccount().get(A)?.serverError, 2);
    assert.equal(proxy.faultsByAccount().get(B), undefined);
  });

  it('seeded rates: about the configured share is faulted, the same seed gives the same faults, retries absorb them', async () => {
    const run = async () => {
      const p = await startFaultProxy({
        target: moto.endpoint,
        seed: 7,
        rates: { throttle: 0.2, serverError: 0.05, reset: 0.02 },
      });
      try {
        const client = inAccount(
          new IAMClient({
            ...moto.clientConfig(),
            endpoint: p.url,
            retryStrategy: new ConfiguredRetryStrategy(10, () => 5),
          }),
          A,
        );
        for (let i = 0; i < 100; i++) await client.send(new ListUsersCommand({}));
        return { calls: p.callsByAccount().get(A)!, faults: p.faultsByAccount().get(A)! };
      } finally {
        await p.close();
      }
    };
    const first = await run();
    const second = await run();
    assert.deepEqual(first, second, 'same seed, same faults');
    const injected = first.faults.throttle + first.faults.serverError + first.faults.reset;
    assert.equal(first.calls, 100 + injected, 'every fault cost exactly one retry');
    const share = injected / first.calls;
    assert.ok(share > 0.15 && share < 0.4, `faulted share ${share}`);
    assert.ok(first.faults.throttle > first.faults.serverError, JSON.stringify(first.faults));
  });
});
