/**
 * A real moto_server per test file, with a movable clock.
 *
 *   const moto = await startMoto();          // free loopback port, waits until it answers
 *   after(() => moto.stop());                // also killed on process exit
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
 * If moto_server (or a Python that can import moto) is missing, startMoto throws: tests never skip.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAUNCHER = fileURLToPath(new URL('./moto_clock_server.py', import.meta.url));
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

let cachedPython: string | undefined;

/** The Python that runs moto_server: $CREDSWEEP_MOTO_PYTHON, moto_server's shebang, python3, python. */
function findMotoPython(): string {
  if (cachedPython) return cachedPython;
  const which = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' });
  const motoServerPath = which.status === 0 ? which.stdout.trim() : '';
  if (!motoServerPath) {
    throw new Error(
      "moto_server is not on PATH: the AWS integration tests need it. Install it with: pip install 'moto[server]>=5,<6'",
    );
  }
  const candidates: string[] = [];
  if (process.env.CREDSWEEP_MOTO_PYTHON) candidates.push(process.env.CREDSWEEP_MOTO_PYTHON);
  try {
    const firstLine = readFileSync(motoServerPath, 'utf8').split('\n', 1)[0] ?? '';
    const shebang = /^#!\s*(\S*python[\d.]*)\s*$/.exec(firstLine);
    if (shebang?.[1]) candidates.push(shebang[1]);
  } catch {
    // a binary or unreadable launcher: fall through to python3
  }
  candidates.push('python3', 'python');
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import moto.server'], { stdio: 'ignore', timeout: 30_000 });
    if (probe.status === 0) {
      cachedPython = python;
      return python;
    }
  }
  throw new Error(
    `moto_server is at ${motoServerPath} but no Python that can import moto.server was found ` +
      `(tried ${candidates.join(', ')}); set CREDSWEEP_MOTO_PYTHON to moto's interpreter`,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(
  endpoint: string,
  child: ChildProcess,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `moto_server exited before answering (code ${child.exitCode}): ${output().slice(-2000)}`,
      );
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`moto_server did not answer at ${endpoint} within 30 s: ${output().slice(-2000)}`);
}

export async function startMoto(): Promise<MotoServer> {
  const python = findMotoPython();
  const dir = mkdtempSync(join(tmpdir(), 'credsweep-moto-'));
  const clockFile = join(dir, 'clock-offset-ms');
  writeFileSync(clockFile, '0');

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    // moto logs every request on stderr. It goes to a file, not a pipe to this process: a test that
    // blocks its event loop (spawnSync of the CLI) would stop draining a pipe, and once the pipe's
    // 64 KiB were full moto would hang in mid-request (it did: audit-live's terminal test on Node 24).
    const logFile = join(dir, `moto-${attempt}.log`);
    const logFd = openSync(logFile, 'a', 0o600);
    const child = spawn(python, [LAUNCHER, clockFile, '-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'ignore', logFd],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    closeSync(logFd);
    const output = () => {
      try {
        return readFileSync(logFile, 'utf8').slice(-20_000);
      } catch {
        return '';
      }
    };
    const killOnExit = () => child.kill('SIGKILL');
    process.on('exit', killOnExit);
    try {
      await waitUntilAnswering(endpoint, child, output);
    } catch (error) {
      process.off('exit', killOnExit);
      child.kill('SIGKILL');
      lastError = error;
      continue; // most likely the port was taken between freePort() and bind: try another
    }

    let offsetMs = 0;
    let enforcing = false;
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
      async stop() {
        process.off('exit', killOnExit);
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      },
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
  rmSync(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
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
