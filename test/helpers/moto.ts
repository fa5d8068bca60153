/**
 * A real moto_server per test file, with a movable clock.
 *
 *   const moto = await startMoto();          // this file's alone, reset; answering on loopback
 *   after(() => moto.stop());                // kills it, or gives a pooled one back; also on exit
 *   beforeEach(() => moto.reset());          // POST /moto-api/reset (also puts the clock back)
 *   new IAMClient(moto.clientConfig());      // region us-east-1, static test credentials, endpoint
 *   new S3Client(moto.s3ClientConfig());     // + forcePathStyle
 *   await moto.setClockOffsetDays(-300);     // moto now thinks it is 300 days ago
 *   await moto.setClock(new Date('2026-01-01T00:00:00Z'));
 *   inAccount(client, '111111111111');       // every request of this client runs in that moto account
 *   await moto.setIamEnforcement(true);      // real signature + policy checks (AccessDenied), off on reset
 *
 * moto_server is started through test/helpers/moto_clock_server.py, which patches moto's clock
 * (`moto.core.utils.utcnow`, see docs/aws-behaviour.md §7.1) to "real now + offset", the offset
 * being read from a file this helper rewrites. Creation dates, key last-used and role last-used then
 * land at the shifted time; moto's credential report GeneratedTime stays hard-coded (§7.2).
 *
 * Under `npm test` the server is leased from a pool the run started once (moto-pool.ts: a server
 * costs ~3 s to start), reset before the file gets it; otherwise startMoto spawns one (moto-launch.ts).
 *
 * If moto_server (or a Python that can import moto) is missing, startMoto throws: tests never skip.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { launchMoto } from './moto-launch.ts';
import { leasePooledMoto, type PooledMoto } from './moto-pool.ts';

const DAY_MS = 86_400_000;

export const MOTO_REGION = 'us-east-1';
/** moto accepts any credentials; unknown keys run in the default account 123456789012 (§7.5). */
export const MOTO_TEST_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
export const MOTO_DEFAULT_ACCOUNT = '123456789012';
/**
 * What a credsweep process needs in its environment to reach moto as the test identity, and nothing
 * from the machine's own AWS set-up (no session token, no profile, no instance metadata probe).
 */
export const MOTO_CLI_ENV = {
  AWS_ACCESS_KEY_ID: MOTO_TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: MOTO_TEST_CREDENTIALS.secretAccessKey,
  AWS_SESSION_TOKEN: '',
  AWS_PROFILE: '',
  AWS_REGION: MOTO_REGION,
  AWS_EC2_METADATA_DISABLED: 'true',
} as const;

/**
 * Puts MOTO_CLI_ENV into this process's environment, for a CLI run in process whose SDK clients read
 * it; returns what puts the environment back as it was.
 */
export function setMotoCliEnv(): () => void {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(MOTO_CLI_ENV)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

export interface MotoClientConfig {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts: number;
}

export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  /** Clears all moto state, puts the clock back to real time and turns IAM enforcement off. */
  reset(): Promise<void>;
  /**
   * Turns moto's IAM enforcement on or off (POST /moto-api/reset-auth, §7.3): when on, every request
   * must be signed by a known key and be allowed by the caller's policies, so AccessDenied is real.
   */
  setIamEnforcement(on: boolean): Promise<void>;
  stop(): Promise<void>;
  /** moto's "now" becomes `at` (and then runs on in real time from there). */
  setClock(at: Date | number): Promise<void>;
  /** moto's "now" becomes real now + days (negative = the past). */
  setClockOffsetDays(days: number): Promise<void>;
  clientConfig(credentials?: MotoClientConfig['credentials']): MotoClientConfig;
  s3ClientConfig(credentials?: MotoClientConfig['credentials']): MotoClientConfig & { forcePathStyle: true };
}

/**
 * A moto_server for this test file alone: one leased from the run's pool (moto-pool.ts, started by
 * scripts/test.mjs) after a full reset, or else a new process.
 */
export async function startMoto(): Promise<MotoServer> {
  const lease = leasePooledMoto();
  if (lease) {
    // Whatever the last holder left: a moved clock, IAM enforcement on, resources in any account.
    const server = motoServer(lease, async () => lease.release(), { dirty: true });
    try {
      await server.reset();
      return server;
    } catch {
      // The pooled server is gone (its lease stays taken, so nobody else tries it): start our own.
    }
  }
  const launched = await launchMoto();
  return motoServer(launched, launched.stop, { dirty: false });
}

function motoServer(
  { endpoint, port, clockFile }: PooledMoto,
  stop: () => Promise<void>,
  { dirty }: { dirty: boolean },
): MotoServer {
  let offsetMs = dirty ? Number.NaN : 0;
  let enforcing = dirty;
  const setIamEnforcement = async (on: boolean) => {
    const response = await fetch(`${endpoint}/moto-api/reset-auth`, {
      method: 'POST',
      body: on ? '0' : 'inf',
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`moto reset-auth failed: HTTP ${response.status}`);
    enforcing = on;
  };
  const writeOffset = (ms: number) => {
    offsetMs = Math.round(ms);
    const tmp = `${clockFile}.${process.pid}.tmp`;
    writeFileSync(tmp, String(offsetMs));
    renameSync(tmp, clockFile); // a new inode: the launcher notices and re-reads
  };
  const config = (credentials: MotoClientConfig['credentials'] = { ...MOTO_TEST_CREDENTIALS }) => ({
    region: MOTO_REGION,
    endpoint,
    credentials,
    maxAttempts: 2,
  });
  return {
    endpoint,
    port,
    async reset() {
      if (offsetMs !== 0) writeOffset(0);
      if (enforcing) await setIamEnforcement(false);
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
    },
    setIamEnforcement,
    stop,
    async setClock(at) {
      writeOffset((typeof at === 'number' ? at : at.getTime()) - Date.now());
    },
    async setClockOffsetDays(days) {
      writeOffset(days * DAY_MS);
    },
    clientConfig: config,
    s3ClientConfig: (credentials) => ({ ...config(credentials), forcePathStyle: true as const }),
  };
}

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: { request: unknown }) => Promise<unknown>,
      ) => (args: { request: unknown }) => Promise<unknown>,
      options: { step: 'build'; name: string; override?: boolean },
    ): void;
  };
}

/**
 * Makes every request of `client` run in moto account `accountId` (header `x-moto-account-id`,
 * §7.5), for seeding member accounts without AssumeRole. Returns the client.
 */
export function inAccount<C>(client: C, accountId: string): C {
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-moto-account-id'] = accountId;
      return next(args);
    },
    { step: 'build', name: 'motoAccountId', override: true },
  );
  return client;
}
