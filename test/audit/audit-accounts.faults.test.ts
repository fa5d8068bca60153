/**
 * The account fan-out (resolveAccountTargets + auditAccounts) against moto through the fault proxy,
 * for the faults the CLI-level test leaves out because they need a short SDK timeout: answers held
 * past the request timeout, bodies cut short, and connections reset after moto ran the call. The
 * findings must equal the fault-free run's exactly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditAccounts, type FanOutOptions, resolveAccountTargets } from '../../src/audit/audit-accounts.ts';
import { type AwsConnection, createClients, destroyClients } from '../../src/aws/clients.ts';
import type { Finding } from '../../src/model/finding.ts';
import { DEFAULT_EXEMPTION } from '../../src/rules/index.ts';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.ts';
import { MOTO_TEST_CREDENTIALS, type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedOrg, streamsByPlace } from '../helpers/seed-org.ts';

const AS_OF = Date.UTC(2027, 5, 1);
const AUDIT_ROLE = 'OrganizationAccountAccessRole';

let moto: MotoServer;
let proxy: FaultProxy;

before(async () => {
  moto = await startMoto();
  const org = await seedOrg(moto.clientConfig(), { members: 9, usersPerAccount: 4 });
  // The same faults in every run, whatever account IDs moto invents.
  proxy = await startFaultProxy({ target: moto.endpoint, seed: 99, streamOf: streamsByPlace(org) });
});
after(async () => {
  await proxy?.close();
  await moto?.stop();
});

async function auditOrgInProcess() {
  const connection: AwsConnection = {
    endpointUrl: proxy.url,
    credentials: { ...MOTO_TEST_CREDENTIALS },
    // Generous enough for a loaded moto; the held answers below wait far longer.
    requestTimeoutMs: 3_000,
  };
  const clients = createClients(connection);
  try {
    const { targets } = await resolveAccountTargets(clients, { org: true });
    const options: FanOutOptions = {
      source: 'api',
      asOf: AS_OF,
      thresholdDays: 90,
      exemption: DEFAULT_EXEMPTION,
      principalConcurrency: 4,
      poll: { sleep: (ms) => new Promise((ok) => setTimeout(ok, ms)) },
      concurrency: 4,
      roleName: AUDIT_ROLE,
    };
    return await auditAccounts(connection, clients, targets, options);
  } finally {
    destroyClients(clients);
  }
}

/** The audit role's last use is set by the audit's own calls (docs/aws-behaviour.md §7.1). */
function comparable(findings: Finding[]) {
  return findings.map((f) =>
    f.principalName === AUDIT_ROLE ? { ...f, lastUsed: null, lastActivity: null, ageDays: 0 } : f,
  );
}

describe('account fan-out under timeouts, truncated bodies and lost answers', () => {
  it('gives the fault-free findings exactly', async (t) => {
    proxy.configure({ rates: {} });
    const baseline = await auditOrgInProcess();
    assert.equal(baseline.accounts.length, 10);
    assert.deepEqual(
      baseline.accounts.filter((a) => a.status !== 'ok'),
      [],
    );

    proxy.resetCounters();
    proxy.configure({ rates: { delay: 0.05, truncate: 0.05, resetAfter: 0.03 }, delayMs: 8_000 });
    const faulty = await auditOrgInProcess();
    assert.deepEqual(
      faulty.accounts.map((a) => a.status),
      baseline.accounts.map(() => 'ok'),
      JSON.stringify(faulty.accounts.filter((a) => a.status !== 'ok')),
    );
    assert.deepEqual(comparable(faulty.findings), comparable(baseline.findings));
    const faults = [...proxy.faultsByAccount().values()].reduce(
      (n, f) => ({
        delay: n.delay + f.delay,
        truncate: n.truncate + f.truncate,
        resetAfter: n.resetAfter + f.resetAfter,
      }),
      { delay: 0, truncate: 0, resetAfter: 0 },
    );
    assert.ok(faults.delay > 0 && faults.truncate > 0 && faults.resetAfter > 0, JSON.stringify(faults));
    // Every held answer was given up on by the SDK (its request timeout), not waited out.
    await new Promise((ok) => setTimeout(ok, 8_100));
    assert.equal(proxy.abandonedDelays(), faults.delay);
    t.diagnostic(`injected ${JSON.stringify(faults)} in ${proxy.totalCalls()} calls`);
  });
});

describe("a call answered with a web page instead of AWS's answer", () => {
  it('fails that account alone, naming the call and what came back; the others are audited', async () => {
    // moto_server answers an operation it lacks with an HTML page and HTTP 500 (plain moto 5 does for
    // ListServiceSpecificCredentials); so do proxies and a wrong --endpoint-url. The SDK's own
    // message for it is about mismatched XML tags and a hidden field.
    const previous = process.env.AWS_MAX_ATTEMPTS;
    process.env.AWS_MAX_ATTEMPTS = '2'; // the page is an HTTP 500, which the SDK retries: not 8 times here
    try {
      proxy.configure({ rates: {}, accounts: {} });
      const baseline = await auditOrgInProcess();
      const member = baseline.accounts.map((a) => a.accountId).find((id) => id !== '123456789012')!;
      proxy.configure({
        accounts: { [member]: { webPage: 1 } },
        eligible: (call) => call.operation === 'iam:ListServiceSpecificCredentials',
      });
      const run = await auditOrgInProcess();
      const failed = run.accounts.filter((a) => a.status !== 'ok');
      assert.deepEqual(failed, [
        {
          accountId: member,
          status: 'failed',
          source: 'api',
          error: {
            code: 'UnexpectedResponse',
            message:
              "ListServiceSpecificCredentials: the endpoint's answer is not an AWS response (HTTP 500, text/html)",
          },
        },
      ]);
      const others = (findings: Finding[]) => comparable(findings.filter((f) => f.accountId !== member));
      assert.deepEqual(others(run.findings), others(baseline.findings));
      assert.equal(run.findings.filter((f) => f.accountId === member).length, 0);
    } finally {
      if (previous === undefined) delete process.env.AWS_MAX_ATTEMPTS;
      else process.env.AWS_MAX_ATTEMPTS = previous;
      proxy.configure({ rates: {}, accounts: {}, eligible: (call) => !call.path.startsWith('/moto-api') });
    }
  });
});
