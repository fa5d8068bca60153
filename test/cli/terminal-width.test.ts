/**
 * Tables fit the terminal: each command runs in a pseudo-terminal (`script`, with `stty cols`) at 80
 * and 120 columns, and no line it prints on stdout is wider than the terminal. In a pipe the
 * same commands print every column whole (the other CLI tests read those). The plan comes from a real
 * moto_server: plan resolves key ids live even with --from.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IAMClient } from '@aws-sdk/client-iam';
import { displayWidth } from '../../src/reporters/text-width.ts';
import { CLI, REPO_ROOT, runCredsweep } from '../helpers/cli.ts';
import { MOTO_CLI_ENV, type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedUser } from '../helpers/seed-iam.ts';

const AS_OF = ['--as-of', '2026-11-01T18:00:00Z'];
const DEMO = ['--report', 'examples/demo/credential-report.csv', '--cloudtrail', 'examples/demo/cloudtrail'];
const shellQuote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** Runs the CLI with a terminal of `columns` columns as its stdout; resolves to the lines it drew. */
function inTerminal(args: string[], columns: number, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  // stderr stays out: its messages are one line each by contract (a file name can be longer than a terminal)
  const command = `stty cols ${columns} rows 60; exec ${[process.execPath, CLI, ...args].map(shellQuote).join(' ')} 2>/dev/null`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', TERM: 'xterm', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = out
        .replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')
        .split(/\r?\n/)
        .map((l) => l.replace(/\r/g, ''));
      // trail exits 3 on the samples' deliberately bad files; what matters here is what it drew
      if (code === null || code > 3) reject(new Error(`exit ${code}:\n${out}`));
      else resolve(lines);
    });
  });
}

function assertFits(lines: string[], columns: number, what: string): void {
  const widest = Math.max(...lines.map(displayWidth));
  assert.ok(
    widest <= columns,
    `${what}: a line of ${widest} columns in a ${columns}-column terminal:\n${lines.join('\n')}`,
  );
  assert.ok(lines.filter(Boolean).length > 2, `${what}: printed something:\n${lines.join('\n')}`);
}

describe('tables fit the terminal (80 and 120 columns)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'credsweep-tty-'));
  const db = join(dir, 'history.sqlite');
  let moto: MotoServer;
  let iam: IAMClient;
  const findings = join(dir, 'findings.json');

  before(async () => {
    for (const asOf of ['2026-10-01', '2026-11-01']) {
      const run = await runCredsweep([
        'audit',
        ...DEMO,
        '--as-of',
        asOf,
        '--db',
        db,
        '--output',
        join(dir, 'o.txt'),
      ]);
      assert.equal(run.code, 0, run.stderr);
    }
    moto = await startMoto();
    iam = new IAMClient(moto.clientConfig());
    await seedUser(moto, iam, {
      name: 'a-service-account-with-a-rather-long-name-for-the-nightly-warehouse-export',
      createdDaysAgo: 300,
      password: true,
      keys: [{ createdDaysAgo: 300, usedDaysAgo: 200 }, { createdDaysAgo: 250 }],
    });
    await seedUser(moto, iam, { name: 'bob', createdDaysAgo: 300, keys: [{ createdDaysAgo: 300 }] });
    const audit = await runCredsweep(['audit', '--source', 'api', '--format', 'json', '--output', findings], {
      env: { ...MOTO_CLI_ENV, AWS_ENDPOINT_URL: moto.endpoint },
    });
    assert.equal(audit.code, 0, audit.stderr);
  });
  after(async () => {
    iam?.destroy();
    await moto?.stop();
  });

  const commands: Array<[string, () => string[], NodeJS.ProcessEnv?]> = [
    ['audit of the demo', () => ['audit', ...DEMO, ...AS_OF]],
    ['trail on the real CloudTrail samples', () => ['trail', 'test/fixtures/cloudtrail']],
    ['history', () => ['history', '--db', db]],
    ['diff', () => ['diff', '--db', db]],
    ['plan --from an audit (moto)', () => ['plan', '--from', findings]],
    ['the overview help', () => ['--help']],
    ['audit --help', () => ['audit', '--help']],
    ['permissions --help', () => ['permissions', '--help']],
    ['export securityhub --help', () => ['export', 'securityhub', '--help']],
  ];
  for (const [what, args] of commands) {
    for (const columns of [80, 120]) {
      it(`${what} at ${columns} columns`, async () => {
        const env = what.includes('moto') ? { ...MOTO_CLI_ENV, AWS_ENDPOINT_URL: moto.endpoint } : {};
        assertFits(await inTerminal(args(), columns, env), columns, what);
      });
    }
  }

  it('help on a terminal: an example longer than a line is continued with a backslash', async () => {
    const lines = await inTerminal(['permissions', '--help'], 80);
    assert.match(lines.join('\n'), /^ {2}credsweep permissions --principal \S+ \\\n {4}--granularity/m);
  });

  it('help on a narrow terminal: an example keeps every word whole (it is pasted), never cut with …', async () => {
    const lines = await inTerminal(['permissions', '--help'], 30);
    const examples = lines.slice(lines.indexOf('Examples:'));
    assert.ok(
      examples.some((l) => l.includes('arn:aws:iam::111122223333:role/app')),
      lines.join('\n'),
    );
    assert.ok(!examples.some((l) => l.includes('…')), lines.join('\n'));
  });

  it('on a terminal: the account said once above the table, every principal whole, what gave way named', async () => {
    const lines = await inTerminal(['audit', ...DEMO, ...AS_OF], 80);
    const text = lines.join('\n');
    assert.ok(lines.includes('account 210987654321'), text);
    // (before: `monitor…eadonly`, `breakgl…condary`; the notes and last activity now give way first)
    assert.match(text, /^STATUS +SEVERITY +PRINCIPAL +CREDENTIAL +AGE$/m);
    for (const name of ['monitoring-readonly', 'breakglass-secondary', 'github-actions-oidc-fallback']) {
      assert.match(text, new RegExp(`^\\S+ +\\S+ +${name} +`, 'm'));
    }
    assert.match(
      text,
      /^\(LAST ACTIVITY, NOTES not shown to fit the terminal; --wide or --format json\nshows them\)$/m,
    );
    const wide = (await inTerminal(['audit', ...DEMO, ...AS_OF], 120)).join('\n');
    assert.match(wide, /^STATUS +SEVERITY +PRINCIPAL +CREDENTIAL +AGE +LAST ACTIVITY +NOTES$/m);
    assert.match(wide, /never used/);
    const plan = await inTerminal(['plan', '--from', findings], 80, {
      ...MOTO_CLI_ENV,
      AWS_ENDPOINT_URL: moto.endpoint,
    });
    // the 75-character name is under its steps, whole (before: `a-serv…export`)
    assert.match(
      plan.join('\n'),
      /^deactivate-access-key +access key 1 +AKIA[A-Z0-9]{16} +yes +access key 1 \S*\n {2}a-service-account-with-a-rather-long-name-for-the-nightly-warehouse-export$/m,
      plan.join('\n'),
    );
  });

  it('trail on a terminal: who used each key and from where, at 80 columns (under the key) and at 120 (in the row)', async () => {
    const narrow = (await inTerminal(['trail', 'examples/demo/cloudtrail'], 80)).join('\n');
    assert.match(
      narrow,
      /^AKIAZDEMOUPLOADER001 +2026-10-28 19:09:19 +14 +14: 103\.251\.167\.20, \S+…?\n {2}arn:aws:iam::210987654321:user\/s3-uploader$/m,
    );
    assert.match(
      narrow,
      /^\(SERVICES, FIRST SEEN, REGIONS, LAST EVENT not shown to fit the terminal; --wide\nor --format json shows them\)$/m,
    );
    const wide = (await inTerminal(['trail', 'examples/demo/cloudtrail'], 120)).join('\n');
    assert.match(
      wide,
      /^AKIAZDEMOUPLOADER001 +arn:aws:iam::210987654321:user\/s3-uploader +2026-10-28 19:09:19 +14 +14: 103\.251\.167\.20, /m,
    );
  });

  it('the IAM API audit shows a key id column (the credential report has no key ids, so no column)', async () => {
    const api = await runCredsweep(['audit', '--source', 'api'], {
      env: { ...MOTO_CLI_ENV, AWS_ENDPOINT_URL: moto.endpoint },
    });
    assert.equal(api.code, 0, api.stderr);
    assert.match(api.stdout, /^STATUS +SEVERITY +ACCOUNT +PRINCIPAL +CREDENTIAL +KEY ID +AGE/m);
    assert.match(api.stdout, /^unused +high +123456789012 +bob +access key 1 +AKIA[A-Z0-9]{16} /m);
  });

  it('--wide and a pipe: every column whole', async () => {
    const wide = await inTerminal(['audit', ...DEMO, ...AS_OF, '--wide'], 80);
    assert.match(
      wide.join('\n'),
      /^STATUS +SEVERITY +ACCOUNT +PRINCIPAL +CREDENTIAL +AGE +LAST ACTIVITY +NOTES$/m,
    );
    const piped = await runCredsweep(['audit', ...DEMO, ...AS_OF]);
    assert.match(
      piped.stdout,
      /^STATUS +SEVERITY +ACCOUNT +PRINCIPAL +CREDENTIAL +AGE +LAST ACTIVITY +NOTES$/m,
    );
    assert.match(
      piped.stdout,
      /^in_use +high +210987654321 +s3-uploader +access key 1 .*used from many IP addresses$/m,
    );
  });
});
