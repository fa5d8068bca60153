/**
 * An Organization scan against moto: 100 member accounts × 50 users (override with
 * CREDSWEEP_BENCH_ACCOUNTS / CREDSWEEP_BENCH_USERS), four paths: the credential report with the
 * account-wide listings of the kinds it lacks (service-specific credentials, unassigned MFA devices)
 * but no SSH keys and no key ids (`report`); the same with key ids where they matter (`report+ids`:
 * one ListAccessKeys per user with an inactive, unused or soon-unused key; every sixth user here has
 * an inactive key); the same with each user's SSH keys (`report+ids+ssh`: one ListSSHPublicKeys per
 * user, what the Lambda and live plan use by default); and the IAM API. Every tenth user has an SSH
 * key. Wall time and AWS calls per account (counted by the SDK middleware in
 * src/aws/call-counter.ts), and the speed-up of --concurrency 8 over --concurrency 1 in the same run.
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
  UploadSSHPublicKeyCommand,
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
/** A public key body (ssh-keygen -t ed25519) for UploadSSHPublicKey. */
const SSH_PUBLIC_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILHQ51krKibIkOa4ksuMlBg5Ia0nfKdy2E0+d1n/a9/T bench';

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
      if (u % 10 === 0) {
        await iam.send(new UploadSSHPublicKeyCommand({ UserName, SSHPublicKeyBody: SSH_PUBLIC_KEY }));
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

type ScanPath = LiveSource | 'report+ids' | 'report+ids+ssh';
const PATHS: readonly ScanPath[] = ['report', 'report+ids', 'report+ids+ssh', 'api'];

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
      ...(path.startsWith('report+ids')
        ? { keyIds: { evaluation: { asOf, thresholdDays: 90 }, windowDays: 7 } }
        : {}),
      sshPublicKeys: path === 'report+ids+ssh',
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
  description: `--org scan of ${ACCOUNTS} moto accounts × ${USERS} users: report, + key ids, + SSH keys (the default), api; --concurrency 8 vs 1`,
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
        for (const source of PATHS) {
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
      // the users seeded with an inactive key (a key: u % 5 ≠ 0; inactive: u % 6 = 0)
      const withIds = Array.from({ length: USERS }, (_, u) => u).filter(
        (u) => u % 5 !== 0 && u % 6 === 0,
      ).length;
      // the model (docs/scaling.md), + 1 AssumeRole; the report generated while seeding: 1 Generate
      const model: Record<string, number> = {
        report: 3 + 2 + 1,
        'report+ids': 3 + 2 + withIds + 1,
        'report+ids+ssh': 3 + 2 + USERS + withIds + 1,
      };
      for (const network of new Set(rows.map((r) => r.network))) {
        const at = (source: ScanPath) => rows.find((r) => r.network === network && r.source === source)!;
        for (const source of ['report', 'report+ids', 'report+ids+ssh'] as const) {
          const calls = at(source).c8.callsPerAccount;
          console.log(
            `${network}: ${source} ${calls.toFixed(1)} calls/account, model ${model[source]}: ${calls === model[source] ? 'exact' : 'NOT the model'}; ${(at(source).c8.wallMs / at('report').c8.wallMs).toFixed(2)}× the report path's wall time at --concurrency 8`,
          );
        }
        const api = at('api');
        const ssh = at('report+ids+ssh');
        console.log(
          `${network}: api ${api.c8.callsPerAccount.toFixed(1)} calls/account, ${(api.c8.callsPerAccount / ssh.c8.callsPerAccount).toFixed(1)}× the calls and ${(api.c8.wallMs / ssh.c8.wallMs).toFixed(2)}× the wall time of report+ids+ssh at --concurrency 8`,
        );
      }
    } finally {
      proxy.close();
      await moto.stop();
    }
  },
};
