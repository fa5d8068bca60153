/**
 * Issue 16 item 9, through the built CLI against moto: a lock per plan (its digest) as well as per
 * journal. An apply stopped mid-plan (SIGSTOP right after its first intent) holds the plan; a second
 * apply of the same plan with another --journal is refused (exit 2, one line naming the pid) and
 * changes nothing; once the first is killed, its lock is taken over and the plan resumes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { readJournal } from '../../src/remediation/journal.ts';
import { CLI, runCredsweep } from '../helpers/cli.ts';
import { MOTO_CLI_ENV, type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedUser } from '../helpers/seed-iam.ts';

describe('one apply of a plan at a time (moto)', () => {
  let moto: MotoServer;
  let iam: IAMClient;
  let dir: string;

  before(async () => {
    moto = await startMoto();
    iam = new IAMClient(moto.clientConfig());
    dir = mkdtempSync(join(tmpdir(), 'credsweep-lock-'));
    for (const name of ['alice', 'erin']) {
      await seedUser(moto, iam, { name, createdDaysAgo: 300, keys: [{ createdDaysAgo: 300 }] });
    }
  });
  after(async () => {
    iam.destroy();
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({ ...MOTO_CLI_ENV, AWS_ENDPOINT_URL: moto.endpoint });
  const cli = (args: string[]) => runCredsweep(args, { env: env() });
  async function keyStatus(user: string): Promise<string[]> {
    const ks = (await iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata ?? [];
    return ks.map((k) => k.Status!);
  }

  it('a second apply of the same plan is refused while one runs, whatever its --journal', async () => {
    const findings = join(dir, 'findings.json');
    const plan = join(dir, 'plan.json');
    assert.equal((await cli(['audit', '--format', 'json', '--output', findings])).code, 0);
    const planned = await cli(['plan', '--from', findings, '--output', plan]);
    assert.equal(planned.code, 0, planned.stderr);
    const journalFile = `${plan}.journal.jsonl`;
    // The first apply stops itself (SIGSTOP) right after its first intent: it is running, mid-plan.
    const first = spawn(process.execPath, [CLI, 'apply', plan, '--yes'], {
      env: { ...process.env, NO_COLOR: '1', ...env(), CREDSWEEP_TEST_KILL_AT: 'after-intent:1:SIGSTOP' },
      stdio: 'ignore',
    });
    try {
      const stopped = () =>
        existsSync(journalFile) &&
        readJournal(journalFile).some((e) => e.type === 'intent') &&
        /^\d+ \(.*\) T/.test(readFileSync(`/proc/${first.pid}/stat`, 'utf8'));
      for (let i = 0; i < 600 && !stopped(); i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(stopped(), 'the first apply is stopped after its first intent');
      const other = join(dir, 'other.jsonl');
      const second = await cli(['apply', plan, '--yes', '--journal', other]);
      assert.equal(second.code, 2, second.stdout);
      assert.match(
        second.stderr,
        new RegExp(`^credsweep: plan .*plan\\.json is in use by another credsweep \\(pid ${first.pid}\\)`),
      );
      assert.equal(second.stderr.trim().split('\n').length, 1);
      assert.equal(existsSync(other), false, 'the second apply wrote nothing');
      assert.deepEqual(await keyStatus('erin'), ['Active'], 'and changed nothing');
    } finally {
      first.kill('SIGKILL');
      await new Promise((r) => first.once('close', r));
    }
    // The killed run's locks are taken over: resuming works.
    const resumed = await cli(['apply', plan, '--yes']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual([...(await keyStatus('alice')), ...(await keyStatus('erin'))], ['Inactive', 'Inactive']);
  });
});
