#!/usr/bin/env node
// `npm test`: sets up what the tests need (the build, moto_server, Chromium), then runs every test
// with Node's test runner. With CI=true a missing tool is a failure, never a skip.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, constants, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { tsImport } from 'tsx/esm/api';

const root = new URL('..', import.meta.url).pathname;

const args = process.argv.slice(2);
/**
 * Test files run at once, each in its own process: one more than the cores, because a file spends
 * much of its time waiting (on moto, on the SDK's retry backoff, on the CLI processes it spawns),
 * and with one per core a 2-core machine sat ~30% idle through the suite. At most 8: each file may
 * hold a moto_server (~100 MB), and the pool starts one more than this.
 */
const CONCURRENCY = concurrency();

/** One more than the cores, at most 8; CREDSWEEP_TEST_CONCURRENCY=N (1-8) for N (.ci/run: two suites at once). */
function concurrency() {
  const given = process.env.CREDSWEEP_TEST_CONCURRENCY;
  if (given === undefined || given === '') return Math.min(availableParallelism() + 1, 8);
  if (!/^[1-8]$/.test(given))
    stop(`CREDSWEEP_TEST_CONCURRENCY must be a whole number from 1 to 8, not ${given}`);
  return Number(given);
}

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function stop(message) {
  console.error(`npm test: ${message}`);
  process.exit(1);
}

// 0. One temporary folder for the whole run, removed when it ends: every test file, CLI process and
// moto_server gets it as TMPDIR. The tests write ~350 MB of scratch files per run (big reports,
// 100 MB inputs) and not every file removes its own; under the shared /tmp a developer's disk
// filled up after a few dozen runs.
const runTmp = mkdtempSync(join(tmpdir(), 'credsweep-test-'));
process.env.TMPDIR = runTmp;
process.on('exit', () => {
  try {
    rmSync(runTmp, { recursive: true, force: true });
  } catch {
    // (never in the way of the other exit handlers: the moto_servers' SIGKILL)
  }
});
/** The test runner's process, while it runs; and the exit status a signal asked for. */
let testRun;
let signalled;
// A signal (Ctrl-C, a CI job cancelled) is passed on to the test runner, whose end then ends this run
// with 128 + the signal's number; before the tests start, it ends this run at once. Either way the
// exit handlers stop the moto_servers and remove the run's TMPDIR.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    signalled = 128 + constants.signals[signal];
    if (testRun && testRun.exitCode === null && testRun.signalCode === null) testRun.kill(signal);
    else process.exit(signalled);
  });
}

// 1. moto_server: the AWS emulator every integration test talks to.
if (!have('moto_server')) {
  stop("moto_server is not on PATH. Install it with: pip install 'moto[server]>=5,<6'");
}

// 2. Chromium for the HTML report's browser test.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  if (process.getuid?.() === 0 && have('apt-get')) {
    console.error('npm test: installing Chromium (apt-get install chromium) for the browser tests…');
    execFileSync(
      'sh',
      [
        '-c',
        'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null',
      ],
      {
        stdio: 'inherit',
      },
    );
  } else {
    stop(
      `Chromium is missing at ${chromium}. Install it with: sudo apt-get install chromium (or set CHROMIUM_PATH)`,
    );
  }
}

// 3. Every *.test.ts under test/ (or the files/folders given).
function collect(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : collect(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}
const targets = args.length > 0 ? args : ['test'];
const files = targets
  .flatMap((t) => (statSync(join(root, t)).isDirectory() ? collect(join(root, t)) : [join(root, t)]))
  .map((f) => relative(root, f))
  .sort()
  // The end-to-end files are the longest (up to two minutes each): started first, so that the run
  // does not end with one of them alone on a core.
  .sort((a, b) => Number(b.startsWith('test/e2e/')) - Number(a.startsWith('test/e2e/')));
if (files.length === 0) stop('no test files found');

// 4. moto_servers for the whole run, started while the build runs: a test file leases one instead
// of starting its own (~3 s each; test/helpers/moto-pool.ts). One more than the files run at once,
// as a few files hold two.
const motoFiles = files.filter((f) => readFileSync(join(root, f), 'utf8').includes('startMoto('));
const { MOTO_POOL_ENV, startMotoPool } = await tsImport('../test/helpers/moto-pool.ts', import.meta.url);
const motoPool =
  motoFiles.length > 1 ? startMotoPool(Math.min(motoFiles.length, CONCURRENCY + 1)) : undefined;
motoPool?.catch(() => {}); // awaited after the build

// 5. The CLI tests spawn the real binary, so build it. With CREDSWEEP_TEST_BUILT=1 the dist/ already
// there is used as it is: .ci/run builds once (npm pack) and runs the Node 20 and Node 24 suites at
// the same time, and a second build would rewrite dist/ under the other run's CLI processes.
const useBuilt = process.env.CREDSWEEP_TEST_BUILT === '1';
if (useBuilt && !existsSync(join(root, 'dist/cli/main.js'))) {
  stop('CREDSWEEP_TEST_BUILT=1 but dist/cli/main.js is missing: run `npm run build` first');
}
const built = await new Promise((resolve) => {
  if (useBuilt) {
    resolve(true);
    return;
  }
  const tsc = spawn(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  tsc.on('close', (code) => resolve(code === 0));
});
const pool = await motoPool?.catch((e) => stop(`could not start moto_server: ${e.message}`));
if (!built) {
  await pool?.stop();
  stop('the build (tsc -p tsconfig.build.json) failed');
}

// Tests talk to moto only: never let the SDK's credential chain probe the EC2 metadata address.
const env = {
  ...process.env,
  CREDSWEEP_CHROMIUM: chromium,
  NO_COLOR: '1',
  AWS_EC2_METADATA_DISABLED: 'true',
  ...(pool ? { [MOTO_POOL_ENV]: pool.dir } : {}),
};
delete env.FORCE_COLOR;
// Spawned, not spawnSync: this process must stay able to take a signal and pass it on.
testRun = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${CONCURRENCY}`, '--test-timeout=300000', ...files],
  { cwd: root, stdio: 'inherit', env },
);
const status = await new Promise((resolve) => {
  testRun.on('error', () => resolve(1));
  testRun.on('close', (code, signal) => resolve(code ?? (signal ? 128 + constants.signals[signal] : 1)));
});
await pool?.stop();
process.exit(signalled ?? status);
