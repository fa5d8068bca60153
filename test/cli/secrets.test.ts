/**
 * AWS secret keys and session tokens never appear in any output, log or error message. Every
 * command the CLI has runs (successes and error paths) with distinctive secret values in the
 * environment and in a shared credentials file; stdout, stderr and every file left in the working
 * directory and HOME are then searched for the secrets (verbatim, URL-encoded, base64, and their
 * first 16 characters). Commands this file does not know yet still run with no arguments and with a
 * bad flag, so a new command is covered from the day it lands.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { CLI, REPO_ROOT, runCredsweep } from '../helpers/cli.ts';
import { type MotoServer, startMoto } from '../helpers/moto.ts';

// Shaped like real AWS values (40-character secret; long session token) but unmistakable.
export const LEAK_SECRET = 'cswSECRETdoNotPrint/0123456789+abcdefGHIJ';
export const LEAK_TOKEN = `cswTOKENdoNotPrint${'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ'.repeat(6)}`;
const PROFILE_SECRET = 'cswPROFILEsecretDoNotPrint/9876543210+zyxw';
const PROFILE_TOKEN = `cswPROFILEtokenDoNotPrint${'FwoGZXIvYXdzEBYaDHVzZWFzdC0xIkcwRQIhAL'.repeat(5)}`;
const SECRETS = [LEAK_SECRET, LEAK_TOKEN, PROFILE_SECRET, PROFILE_TOKEN];

/** Every way a secret could be spelled in output. */
function leakForms(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    Buffer.from(secret).toString('base64').slice(0, 24),
    JSON.stringify(secret).slice(1, -1),
    secret.slice(0, 16),
  ];
}

function assertNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) {
    for (const form of leakForms(secret)) {
      assert.ok(
        !text.includes(form),
        `${where} contains a secret (${form.slice(0, 12)}…):\n${text.slice(0, 2000)}`,
      );
    }
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

let moto: MotoServer;
let work: string;
let home: string;
let credentialsFile: string;
let runs = 0;

before(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'credsweep-secrets-'));
  home = join(work, 'home');
  await mkdir(join(home, '.aws'), { recursive: true });
  credentialsFile = join(home, '.aws', 'credentials');
  await writeFile(
    credentialsFile,
    [
      '[default]',
      'aws_access_key_id = AKIACSWDEFAULT000001',
      `aws_secret_access_key = ${LEAK_SECRET}`,
      `aws_session_token = ${LEAK_TOKEN}`,
      '[leaky]',
      'aws_access_key_id = AKIACSWPROFILE000002',
      `aws_secret_access_key = ${PROFILE_SECRET}`,
      `aws_session_token = ${PROFILE_TOKEN}`,
      '[broken]',
      `aws_secret_access_key ${PROFILE_SECRET}`,
      '',
    ].join('\n'),
  );
  await writeFile(
    join(home, '.aws', 'config'),
    '[default]\nregion = us-east-1\n[profile leaky]\nregion = us-east-1\n',
  );
});
after(async () => {
  await moto?.stop();
  if (work) {
    // The credentials file itself holds the secrets; everything else in the tree must not.
    for (const file of await filesUnder(work)) {
      if (file.startsWith(join(home, '.aws'))) continue;
      assertNoSecret(file, await readFile(file, 'latin1'));
    }
    await rm(work, { recursive: true, force: true });
  }
});

/** Env with the secrets, a private HOME, and the proxy/endpoint variables pointing at moto. */
function secretEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    HOME: home,
    AWS_ACCESS_KEY_ID: 'AKIACSWENV0000000003',
    AWS_SECRET_ACCESS_KEY: LEAK_SECRET,
    AWS_SESSION_TOKEN: LEAK_TOKEN,
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    AWS_CONFIG_FILE: join(home, '.aws', 'config'),
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    // Loopback only: a command run without --endpoint-url (e.g. `audit` with no arguments) talks
    // to moto, never to AWS.
    AWS_ENDPOINT_URL: moto.endpoint,
    ...extra,
  };
}

async function runAndScan(args: string[], env: NodeJS.ProcessEnv = secretEnv()) {
  const cwd = join(work, `run-${runs++}`);
  await mkdir(cwd, { recursive: true });
  const run = await runCredsweep(args, { env, cwd, timeoutMs: 150_000 });
  const label = `credsweep ${args.join(' ')}`;
  assertNoSecret(`stdout of ${label}`, run.stdout);
  assertNoSecret(`stderr of ${label}`, run.stderr);
  for (const file of await filesUnder(cwd))
    assertNoSecret(`${file} written by ${label}`, await readFile(file, 'latin1'));
  assert.doesNotMatch(run.stderr, /\n\s+at .*\.js:\d+/, `no stack trace from ${label}:\n${run.stderr}`);
  return run;
}

const REPORT = join(REPO_ROOT, 'test/fixtures/hostile/formula-injection.csv');
const BROKEN = join(REPO_ROOT, 'test/fixtures/hostile/unclosed-quote.csv');

describe('secrets never reach output, logs or error messages', () => {
  it('moto accepts these credentials (the runs below really sign with them)', async () => {
    const client = new IAMClient({
      ...moto.clientConfig({
        accessKeyId: 'AKIACSWENV0000000003',
        secretAccessKey: LEAK_SECRET,
        sessionToken: LEAK_TOKEN,
      }),
      maxAttempts: 1,
    });
    await client.send(new ListUsersCommand({}));
  });

  it('audit of a report file, every format, to stdout and to --output; and a broken report', async () => {
    for (const format of ['table', 'json', 'csv']) {
      const ok = await runAndScan([
        'audit',
        '--report',
        REPORT,
        '--format',
        format,
        '--output',
        `out.${format}`,
      ]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal((await runAndScan(['audit', '--report', REPORT, '--format', format])).code, 0);
    }
    const bad = await runAndScan(['audit', '--report', BROKEN, '--output', 'out.json']);
    assert.equal(bad.code, 2);
  });

  it('usage errors: unknown flags and commands, and every command with no arguments or a bad flag', async () => {
    const help = await runAndScan(['--help']);
    const commands = [...help.stdout.matchAll(/^ {2}([a-z][\w-]*)\b/gm)]
      .map((m) => m[1]!)
      .filter((c) => c !== 'help');
    assert.ok(commands.includes('audit'), `commands parsed from --help: ${commands}`);
    for (const command of commands) {
      await runAndScan([command]);
      await runAndScan([command, '--no-such-flag', LEAK_SECRET.slice(0, 4)]);
    }
    await runAndScan(['no-such-command']);
  });

  it('permissions against moto with env credentials, a profile, a missing and a broken profile', async () => {
    const endpoint = ['--endpoint-url', moto.endpoint, '--as-of', '2026-11-01'];
    const env = await runAndScan(['permissions', ...endpoint, '--format', 'json', '--output', 'p.json']);
    assert.ok([0, 3].includes(env.code), `exit ${env.code}: ${env.stderr}`);
    const profile = await runAndScan(['permissions', ...endpoint, '--profile', 'leaky']);
    assert.ok([0, 3].includes(profile.code), `exit ${profile.code}: ${profile.stderr}`);
    const missing = await runAndScan(['permissions', ...endpoint, '--profile', 'no-such-profile']);
    assert.notEqual(missing.code, 0);
    const broken = await runAndScan(['permissions', ...endpoint, '--profile', 'broken']);
    assert.notEqual(broken.code, 0);
  });

  it('live audit (one account, --accounts via AssumeRole, --org), plan, apply, undo and trail with the secrets', async () => {
    const endpoint = ['--endpoint-url', moto.endpoint];
    const single = await runAndScan(['audit', ...endpoint, '--format', 'json', '--output', 'live.json']);
    assert.equal(single.code, 0, single.stderr);
    const viaProfile = await runAndScan(['audit', ...endpoint, '--profile', 'leaky', '--source', 'api']);
    assert.equal(viaProfile.code, 0, viaProfile.stderr);
    const accounts = await runAndScan(['audit', ...endpoint, '--accounts', '111111111111,222222222222']);
    assert.equal(accounts.code, 0, accounts.stderr);
    await runAndScan(['audit', ...endpoint, '--org']);
    const cwd = join(work, `run-${runs}`);
    const plan = await runAndScan(['plan', ...endpoint, '--output', 'plan.json']);
    assert.equal(plan.code, 0, plan.stderr);
    const apply = await runAndScan(
      ['apply', join(cwd, 'plan.json'), '--yes'],
      secretEnv({ AWS_ENDPOINT_URL: moto.endpoint }),
    );
    assert.ok([0, 3].includes(apply.code), apply.stdout + apply.stderr);
    await runAndScan(
      ['undo', join(cwd, 'plan.json.journal.jsonl'), '--yes', '--trust-unsigned-journal'],
      secretEnv({ AWS_ENDPOINT_URL: moto.endpoint }),
    );
    await runAndScan(['trail', join(REPO_ROOT, 'test/fixtures/hostile')]);
    await runAndScan(['trail', 's3://no-such-bucket/AWSLogs/', ...endpoint]);
  });

  it('AWS failures: endpoint refusing connections, moto enforcing signatures (AccessDenied / bad signature)', async () => {
    // One attempt: a refused connection is the same failure the eighth time.
    const refused = await runAndScan(
      ['permissions', '--endpoint-url', 'http://127.0.0.1:1', '--as-of', '2026-11-01'],
      secretEnv({ AWS_MAX_ATTEMPTS: '1' }),
    );
    assert.equal(refused.code, 3, refused.stderr);
    await moto.setIamEnforcement(true);
    try {
      const denied = await runAndScan([
        'permissions',
        '--endpoint-url',
        moto.endpoint,
        '--as-of',
        '2026-11-01',
      ]);
      assert.equal(denied.code, 3, denied.stderr);
      assert.match(denied.stderr, /credsweep: /);
    } finally {
      await moto.setIamEnforcement(false);
    }
  });

  it('the guards find a secret when one is printed (here: echoed back as a file name)', async () => {
    assert.throws(() => assertNoSecret('probe', `error: bad key ${encodeURIComponent(LEAK_SECRET)}`));
    // runCredsweep (used by every CLI test of the suite) rejects a run that prints its own secrets.
    await assert.rejects(
      runCredsweep(['audit', '--report', LEAK_SECRET], { env: secretEnv(), cwd: work }),
      /printed the AWS_SECRET_ACCESS_KEY/,
    );
    assert.ok(CLI.endsWith('main.js'));
  });
});
