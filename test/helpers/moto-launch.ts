/**
 * Starting one moto_server process (through moto_clock_server.py, see moto.ts) and stopping it.
 *
 *   const launched = await launchMoto();   // free loopback port, waits until it answers
 *   launched.endpoint, launched.port, launched.clockFile   // the file holding the clock offset in ms
 *   await launched.stop();                 // SIGTERM (SIGKILL after 3 s); also killed on process exit
 *
 * moto.ts builds the test-facing MotoServer on top; moto-pool.ts starts a few for a whole `npm test`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAUNCHER = fileURLToPath(new URL('./moto_clock_server.py', import.meta.url));

export interface LaunchedMoto {
  endpoint: string;
  port: number;
  /** One integer: milliseconds added to the real clock; rewrite it by rename (a new inode). */
  clockFile: string;
  stop(): Promise<void>;
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

export async function launchMoto(): Promise<LaunchedMoto> {
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
    return {
      endpoint,
      port,
      clockFile,
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
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
