/**
 * An Organization scan against moto: 100 member accounts × 50 users (override with
 * CREDSWEEP_BENCH_ACCOUNTS / CREDSWEEP_BENCH_USERS), three paths: the report alone, the report with
 * key ids where they matter (what the Lambda and live plan use: one ListAccessKeys per user with an
 * inactive, unused or soon-unused key; every sixth user here has an inactive key), and the IAM API; wall time and
 * AWS calls per account (counted by the SDK middleware in src/aws/call-counter.ts), and the speed-up
 * of --concurrency 8 over --concurrency 1 measured in the same run.
 *
 * Two network conditions, both measured here: moto on loopback (~1 ms a call, moto's own CPU the
 * bottleneck), and the same moto behind a loopback proxy that holds each request for
 * CREDSWEEP_BENCH_RTT_MS (default 20 ms), closer to a real AWS round trip, where concurrency is what
 * hides latency. Every account's credential report is generated while seeding (as on AWS within its
 * 4-hour window), so the report path does not wait on moto's first "STARTED".
 */
import { createServer, request as httpRequest, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  GenerateCredentialReportCommand,
  IAMClient,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { LiveSource } from '../src/audit/audit-account.ts';
import { auditAccounts, resolveAccountTargets } from '../src/audit/audit-accounts.ts';
import { mapBounded } from '../src/audit/map-bounded.ts';
import { DEFAULT_ROLE_NAME } from '../src/aws/assume-role.ts';
import { AwsCallCounter } from '../src/aws/call-counter.ts';
import { createClients, destroyClients } from '../src/aws/clients.ts';
import { DEFAULT_EXEMPTION } from '../src/rules/index.ts';
import { inAccount, MOTO_TEST_CREDENTIALS, type MotoServer, startMoto } from '../test/helpers/moto.ts';
import { fmt } from './measure.ts';
import type { Benchmark } from './run.ts';

const ACCOUNTS = Number(process.env.CREDSWEEP_BENCH_ACCOUNTS ?? 100);
const USERS = Number(process.env.CREDSWEEP_BENCH_USERS ?? 50);
const RTT_MS = Number(process.env.CREDSWEEP_BENCH_RTT_MS ?? 20);

async function seedOrganization(moto: MotoServer): Promise<void> {
  const organizations = new OrganizationsClient(moto.clientConfig());
  await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const ids: string[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const { CreateAccountStatus } = await organizations.send(
      new CreateAccountCommand({ AccountName: `bench-${i}`, Email: `bench-${i}@example.com` }),
    );
    ids.push(CreateAccountStatus!.AccountId!);
  }
  organizations.destroy();
  await mapBounded(ids, 4, async (accountId) => {
    const iam = inAccount(new IAMClient(moto.clientConfig()), accountId);
    for (let u = 0; u < USERS; u++) {
      const UserName = `user-${String(u).padStart(3, '0')}`;
      await iam.send(new CreateUserCommand({ UserName }));
      // A realistic mix: most users have a key, a third a second key, a quarter a console password.
      if (u % 5 !== 0) {
        const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName }));
        // A key of every sixth user is inactive: the users whose key ids the report path resolves.
        if (u % 6 === 0) {
          await iam.send(
            new UpdateAccessKeyCommand({
              UserName,
              AccessKeyId: AccessKey!.AccessKeyId!,
              Status: 'Inactive',
            }),
          );
        }
      }
      if (u % 3 === 0) await iam.send(new CreateAccessKeyCommand({ UserName }));
      if (u % 4 === 0) {
        await iam.send(new CreateLoginProfileCommand({ UserName, Password: 'Bench-Password-1234' }));
      }
    }
    await iam.send(new GenerateCredentialReportCommand({}));
    iam.destroy();
  });
}

/** A loopback proxy that holds every request `delayMs` before passing it to moto. */
async function startLatencyProxy(
  target: string,
  delayMs: number,
): Promise<{ endpoint: string; close(): void }> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        const forward = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
            agent,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', () => res.destroy());
        forward.end(Buffer.concat(chunks));
      }, delayMs);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => {
      server.close();
      agent.destroy();
    },
  };
}

interface ScanResult {
  wallMs: number;
  callsPerAccount: number;
  failed: number;
  findings: number;
}

type ScanPath = LiveSource | 'report+ids';

async function scan(endpoint: string, path: ScanPath, concurrency: number): Promise<ScanResult> {
  const source: LiveSource = path === 'api' ? 'api' : 'report';
  const asOf = Date.now();
  const connection = {
    endpointUrl: endpoint,
    region: 'us-east-1',
    credentials: { ...MOTO_TEST_CREDENTIALS },
  };
  const clients = createClients(connection);
  const counters = new Map<string, AwsCallCounter>();
  const started = performance.now();
  try {
    const { targets } = await resolveAccountTargets(clients, { org: true });
    const result = await auditAccounts(connection, clients, targets, {
      source,
      asOf,
      thresholdDays: 90,
      ...(path === 'report+ids'
        ? { keyIds: { evaluation: { asOf, thresholdDays: 90 }, windowDays: 7 } }
        : {}),
      exemption: DEFAULT_EXEMPTION,
      principalConcurrency: 4,
      poll: { sleep: (ms) => new Promise((ok) => setTimeout(ok, ms)) },
      concurrency,
      roleName: DEFAULT_ROLE_NAME,
      counterFor: (accountId) => {
        const counter = new AwsCallCounter();
        counters.set(accountId, counter);
        return counter;
      },
    });
    const wallMs = performance.now() - started;
    const assumed = [...counters.values()];
    // + the AssumeRole made for each member with the caller's client.
    const calls = assumed.reduce((n, c) => n + c.total, 0) / assumed.length + 1;
    return {
      wallMs,
      callsPerAccount: calls,
      failed: result.accounts.filter((a) => a.status === 'failed').length,
      findings: result.findings.length,
    };
  } finally {
    destroyClients(clients);
  }
}

export const orgScanBench: Benchmark = {
  name: 'org-scan',
  description: `--org scan of ${ACCOUNTS} moto accounts × ${USERS} users: report, report + key ids, api; --concurrency 8 vs 1`,
  async run() {
    const moto = await startMoto();
    const proxy = await startLatencyProxy(moto.endpoint, RTT_MS);
    try {
      const seedStart = performance.now();
      await seedOrganization(moto);
      console.log(`seeded ${ACCOUNTS} accounts × ${USERS} users in ${fmt(performance.now() - seedStart)} ms`);
      const rows: Array<{ network: string; source: ScanPath; c1: ScanResult; c8: ScanResult }> = [];
      for (const [network, endpoint] of [
        ['loopback', moto.endpoint],
        [`+${RTT_MS} ms RTT`, proxy.endpoint],
      ] as const) {
        for (const source of ['report', 'report+ids', 'api'] as const) {
          const c8 = await scan(endpoint, source, 8);
          const c1 = await scan(endpoint, source, 1);
          for (const r of [c1, c8]) {
            if (r.failed > 0) throw new Error(`${r.failed} accounts failed in the ${source} scan`);
          }
          rows.push({ network, source, c1, c8 });
          console.log(
            `  measured ${network} ${source}: ${fmt(c1.wallMs)} ms at --concurrency 1, ${fmt(c8.wallMs)} ms at 8`,
          );
        }
      }
      console.log(
        '| network | source | calls/account | wall, --concurrency 1 | wall, --concurrency 8 | speed-up 8 vs 1 |',
      );
      console.log('|---|---|---|---|---|---|');
      for (const r of rows) {
        console.log(
          `| ${r.network} | ${r.source} | ${r.c8.callsPerAccount.toFixed(1)} | ${fmt(r.c1.wallMs)} ms | ${fmt(r.c8.wallMs)} ms | ${(r.c1.wallMs / r.c8.wallMs).toFixed(2)}× |`,
        );
      }
      for (const network of new Set(rows.map((r) => r.network))) {
        const report = rows.find((r) => r.network === network && r.source === 'report')!;
        const api = rows.find((r) => r.network === network && r.source === 'api')!;
        const ids = rows.find((r) => r.network === network && r.source === 'report+ids')!;
        // the users seeded with an inactive key (a key: u % 5 ≠ 0; inactive: u % 6 = 0)
        const model =
          4 + Array.from({ length: USERS }, (_, u) => u).filter((u) => u % 5 !== 0 && u % 6 === 0).length;
        console.log(
          `${network}: report + key ids ${ids.c8.callsPerAccount.toFixed(1)} calls/account (target ≤ 4 + users with such a key = ${model} + 1 AssumeRole: ${ids.c8.callsPerAccount <= model + 1 ? 'met' : 'NOT met'}), ${(ids.c8.wallMs / report.c8.wallMs).toFixed(2)}× the report path's wall time, api ${(api.c8.wallMs / ids.c8.wallMs).toFixed(2)}× report + key ids`,
        );
        console.log(
          `${network}: api path / report path at --concurrency 8: ${(api.c8.wallMs / report.c8.wallMs).toFixed(2)}× the wall time, ${(api.c8.callsPerAccount / report.c8.callsPerAccount).toFixed(1)}× the calls`,
        );
      }
    } finally {
      proxy.close();
      await moto.stop();
    }
  },
};
