/**
 * Runs the built CLI (dist/cli/main.js) as a user would: a real process, real exit code. And, for the
 * tests that must run it in process (to mock an SDK client moto lacks), a CliContext that captures.
 */
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CliContext } from '../../src/cli/context.ts';

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
