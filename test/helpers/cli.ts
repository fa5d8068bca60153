/**
 * Runs the built CLI (dist/cli/main.js) as a user would: a real process, real exit code. And, for the
 * tests that must run it in process (to mock an SDK client moto lacks), a CliContext that captures,
 * and cliOnMoto: the in-process CLI against a moto_server of the test file's own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, afterEach, before, beforeEach } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { CliContext } from '../../src/cli/context.ts';
import { MOTO_CLI_ENV, type MotoServer, setMotoCliEnv, startMoto } from './moto.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCredsweep(
  args: string[],
  options: { stdin?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NO_COLOR: '1', ...options.env };
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const leak = secretIn(env, stdout + stderr);
      if (leak) reject(new Error(`credsweep printed the ${leak} it was given (never print secrets)`));
      else resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
  });
}

/**
 * Every CLI run of the suite checks that no secret it was given comes back out (issue 7). Short
 * placeholder secrets such as moto's `testing` are too common a word to search for.
 */
function secretIn(env: NodeJS.ProcessEnv, output: string): string | undefined {
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    const secret = env[name];
    if (secret && secret.length >= 16 && output.includes(secret)) return name;
  }
  return undefined;
}

/** A CliContext for runCli in process: the clock at `now`, no environment, stdout and stderr captured. */
export function capturingContext(now = 0): { ctx: CliContext; stdout: () => string; stderr: () => string } {
  const captured = { stdout: '', stderr: '' };
  const stream = (name: 'stdout' | 'stderr') => {
    const s = new PassThrough();
    s.setEncoding('utf8').on('data', (d: string) => {
      captured[name] += d;
    });
    return s as unknown as NodeJS.WriteStream;
  };
  const ctx: CliContext = {
    now: () => now,
    stdout: stream('stdout'),
    stderr: stream('stderr'),
    stdin: new PassThrough() as unknown as NodeJS.ReadStream,
    env: {},
  };
  return { ctx, stdout: () => captured.stdout, stderr: () => captured.stderr };
}

/** `argv` run in process (capturingContext, the clock now, `env`): its exit code and what it wrote. */
export async function capturedCli(
  runCli: (argv: string[], ctx: CliContext) => Promise<number>,
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = capturingContext(Date.now());
  run.ctx.env = { ...env };
  const code = await runCli(argv, run.ctx);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** The bundled demo report and the fixed moment `npm start` judges it at. */
export const DEMO_REPORT = 'examples/demo/credential-report.csv';
export const DEMO_AS_OF = '2026-11-01T18:00:00Z';

/** `credsweep audit --report DEMO_REPORT --as-of DEMO_AS_OF --format FORMAT`, from the repository root. */
export function auditDemo(format: string, options: { env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return runCredsweep(['audit', '--report', DEMO_REPORT, '--as-of', DEMO_AS_OF, '--format', format], {
    cwd: REPO_ROOT,
    ...options,
  });
}

/**
 * A CliContext for runCli in process whose standard input and error are a terminal (`isTTY`), as a
 * user at a prompt has them: the test types on `stdin`; what is written is captured in `out`.
 */
export function terminalContext(env: NodeJS.ProcessEnv = {}): {
  ctx: CliContext;
  stdin: PassThrough;
  out: { stdout: string; stderr: string };
} {
  const stdin = new PassThrough();
  (stdin as { isTTY?: boolean }).isTTY = true;
  const out = { stdout: '', stderr: '' };
  const stream = (name: 'stdout' | 'stderr') => {
    const s = new PassThrough();
    s.setEncoding('utf8').on('data', (d: string) => {
      out[name] += d;
    });
    return s as unknown as NodeJS.WriteStream;
  };
  const ctx: CliContext = {
    now: Date.now,
    stdout: stream('stdout'),
    stderr: stream('stderr'),
    stdin: stdin as unknown as NodeJS.ReadStream,
    env,
  };
  (ctx.stderr as { isTTY?: boolean }).isTTY = true;
  return { ctx, stdin, out };
}

/**
 * Starts `argv` in process on a terminal (terminalContext) and resolves once it asks `Proceed?`;
 * `answer` then types the answer and resolves with the exit code and what was written.
 */
export async function promptedCli(
  runCli: (argv: string[], ctx: CliContext) => Promise<number>,
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{
  asked: string;
  answer(text: string): Promise<{ code: number; stdout: string; stderr: string }>;
}> {
  const { ctx, stdin, out } = terminalContext(env);
  let finished: number | undefined;
  const done = runCli(argv, ctx).then((code) => {
    finished = code;
    return code;
  });
  for (let i = 0; i < 600 && finished === undefined && !out.stderr.includes('Proceed?'); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  if (!out.stderr.includes('Proceed?')) {
    throw new Error(`it did not ask (exit ${finished}): ${out.stdout}${out.stderr}`);
  }
  return {
    asked: out.stderr,
    async answer(text: string) {
      stdin.write(`${text}\n`);
      const code = await done;
      return { code, ...out };
    },
  };
}

type RunCli = (argv: string[], ctx: CliContext) => Promise<number>;

/** What cliOnMoto sets up; `moto`, `iam` and `dir` are there from its `before` (or `beforeEach`) on. */
export interface CliOnMoto {
  readonly moto: MotoServer;
  /** An IAM client on moto's default account, as the test identity. */
  readonly iam: IAMClient;
  /** A scratch folder of this file's (of this test's, with `fresh: 'each test'`). */
  readonly dir: string;
  /** `args --endpoint-url <moto>` in process (capturedCli) with MOTO_CLI_ENV and `env`. */
  cli(args: string[]): Promise<CliRun>;
  /** The same on a terminal, resolving once it asks `Proceed?` (promptedCli). */
  prompted(args: string[]): ReturnType<typeof promptedCli>;
}

/**
 * The in-process CLI against moto, set up by node:test hooks of the calling describe block:
 *
 *   const aws = cliOnMoto({ runCli, dir: 'credsweep-x-', fresh: 'once', seed: async ({ moto, iam }) => … });
 *
 * - before the file's tests: startMoto (a fresh, reset server) and MOTO_CLI_ENV into process.env
 *   (setMotoCliEnv), for the SDK clients of the CLI run in process;
 * - `fresh: 'once'`: then the IAM client, the scratch folder (`dir` is its name's prefix) and `seed`,
 *   once, all tests sharing that state; `fresh: 'each test'`: before each test moto is reset, and a new
 *   IAM client, scratch folder and `seed`; the client destroyed and the folder removed after it;
 * - after the file's tests: the environment put back, the client destroyed, moto stopped, the folder removed.
 */
export function cliOnMoto(options: {
  /** src/cli/program.ts's runCli (the test file imports it, so this helper loads no CLI). */
  runCli: RunCli;
  /** The scratch folder's name prefix, in TMPDIR. */
  dir: string;
  fresh: 'once' | 'each test';
  /** What each CLI run gets on top of MOTO_CLI_ENV (a plan key, say). */
  env?: NodeJS.ProcessEnv;
  /** The account the tests start from, made after the rest of the set-up. */
  seed?: (aws: CliOnMoto) => Promise<unknown>;
}): CliOnMoto {
  const { runCli, env = {}, seed } = options;
  let moto: MotoServer | undefined;
  let iam: IAMClient | undefined;
  let dir: string | undefined;
  let restoreEnv = () => {};
  const ready = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`cliOnMoto: ${name} is set up in a before hook, not yet`);
    return value;
  };
  const aws: CliOnMoto = {
    get moto() {
      return ready(moto, 'moto');
    },
    get iam() {
      return ready(iam, 'iam');
    },
    get dir() {
      return ready(dir, 'dir');
    },
    cli: (args) =>
      capturedCli(runCli, [...args, '--endpoint-url', aws.moto.endpoint], { ...MOTO_CLI_ENV, ...env }),
    prompted: (args) =>
      promptedCli(runCli, [...args, '--endpoint-url', aws.moto.endpoint], { ...MOTO_CLI_ENV, ...env }),
  };
  const setUp = async () => {
    // (loaded here, not at the top: the many tests that import this file without it need no IAM SDK)
    const { IAMClient } = await import('@aws-sdk/client-iam');
    iam = new IAMClient(aws.moto.clientConfig());
    dir = mkdtempSync(join(tmpdir(), options.dir));
    await seed?.(aws);
  };
  const tearDown = () => {
    iam?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
    iam = undefined;
    dir = undefined;
  };
  before(async () => {
    moto = await startMoto();
    restoreEnv = setMotoCliEnv();
    if (options.fresh === 'once') await setUp();
  });
  after(async () => {
    restoreEnv();
    tearDown();
    await moto?.stop();
  });
  if (options.fresh === 'each test') {
    beforeEach(async () => {
      await aws.moto.reset();
      await setUp();
    });
    afterEach(tearDown);
  }
  return aws;
}
