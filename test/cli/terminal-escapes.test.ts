/**
 * No byte that drives a terminal reaches one (issue 16, item 3): a hostile-name corpus (OSC 52
 * clipboard writes, OSC 8 links, ESC[2J, C1 CSI, BEL, U+202E) goes through every command, in process,
 * with standard output and standard error claiming to be terminals. Whatever the command, the format
 * or the error path, no ESC, BEL, C1 control or bidi/invisible format character comes out; the names
 * show up with those characters made visible (`\u001b`). Commands that would reach AWS point at a
 * closed loopback port.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { CliContext } from '../../src/cli/context.ts';
import { runCli } from '../../src/cli/program.ts';
import { CLI, DEMO_AS_OF, DEMO_REPORT, REPO_ROOT } from '../helpers/cli.ts';

const shellQuote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

export const HOSTILE_NAMES = [
  'evil\u001b]52;c;ZXZpbA==\u0007',
  'link\u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\',
  'wipe\u001b[2J\u001b[H\u009b31m\u202egpj.exe\u2066\u200b',
];

/** Anything a terminal would act on: C0 but newline and tab, DEL, C1, format characters, U+2028/9. */
const DRIVES_A_TERMINAL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/u;

/** runCli with stdout and stderr claiming to be terminals (no colour: NO_COLOR, as a user may set). */
async function onTerminal(argv: string[], env: NodeJS.ProcessEnv = { NO_COLOR: '1' }) {
  const captured = { stdout: '', stderr: '' };
  const stream = (name: 'stdout' | 'stderr') => {
    const s = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
    s.isTTY = true;
    s.columns = 200;
    s.setEncoding('utf8').on('data', (d: string) => {
      captured[name] += d;
    });
    return s;
  };
  const ctx: CliContext = {
    now: () => Date.parse(DEMO_AS_OF),
    stdout: stream('stdout'),
    stderr: stream('stderr'),
    stdin: new PassThrough() as unknown as NodeJS.ReadStream,
    env,
  };
  const code = await runCli(argv, ctx);
  return { code, ...captured };
}

function assertTerminalSafe(run: { stdout: string; stderr: string }, what: string): void {
  for (const [name, text] of [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
  ] as const) {
    const bad = DRIVES_A_TERMINAL.exec(text);
    assert.equal(
      bad,
      null,
      `${what}: ${name} holds U+${bad?.[0].codePointAt(0)?.toString(16)} at ${bad?.index}:\n${JSON.stringify(text.slice(Math.max(0, (bad?.index ?? 0) - 60), (bad?.index ?? 0) + 20))}`,
    );
  }
}

let dir: string;
let report: string;
let laterReport: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsweep-escapes-'));
  const demo = await readFile(join(REPO_ROOT, DEMO_REPORT), 'utf8');
  const renamed = (text: string) =>
    ['alice.nguyen', 'bob.martin', 'carol.diaz'].reduce(
      (t, n, i) => t.replaceAll(n, HOSTILE_NAMES[i]!),
      text,
    );
  report = join(dir, 'hostile.csv');
  await writeFile(report, renamed(demo));
  // A later report where the hostile users' keys were last used long ago: diff has something to say.
  laterReport = join(dir, 'hostile-later.csv');
  await writeFile(
    laterReport,
    renamed(demo).replaceAll('2026-11-01T08:00:00+00:00', '2025-01-01T08:00:00+00:00'),
  );
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hostile names never drive the terminal', () => {
  for (const format of ['table', 'csv', 'md', 'html', 'json', 'asff', 'ocsf']) {
    it(`audit --format ${format} on a terminal`, async () => {
      const run = await onTerminal(['audit', '--report', report, '--as-of', DEMO_AS_OF, '--format', format]);
      assert.equal(run.code, 0, run.stderr);
      assertTerminalSafe(run, format);
      if (format === 'table' || format === 'csv')
        assert.match(run.stdout, /evil\\u001b\]52;c;ZXZpbA==\\u0007/);
    });
  }

  // A real pseudo-terminal (`script`): a terminal named as --output gets the guard standard output
  // gets (before, --output /dev/tty or /dev/stdout on a terminal wrote the names' ESC and C1 raw).
  for (const target of ['/dev/tty', '/dev/stdout']) {
    it(`audit --output ${target} on a terminal`, async () => {
      const argv = [
        process.execPath,
        CLI,
        'audit',
        '--report',
        report,
        '--as-of',
        DEMO_AS_OF,
        '--format',
        'csv',
        '--output',
        target,
      ];
      const shown = spawnSync('script', ['-qec', argv.map(shellQuote).join(' '), '/dev/null'], {
        cwd: REPO_ROOT,
        env: { ...process.env, NO_COLOR: '1', TERM: 'xterm' },
        encoding: 'utf8',
      });
      assert.equal(shown.status, 0, shown.stderr);
      // the terminal's own line ends (onlcr: \r\n) are not the output's
      const text = shown.stdout.replaceAll('\r\n', '\n');
      assertTerminalSafe({ stdout: text, stderr: '' }, target);
      assert.match(text, /wipe\\u001b\[2J/);
    });
  }

  it('the coloured table keeps its colours and nothing else', async () => {
    const run = await onTerminal(['audit', '--report', report, '--as-of', DEMO_AS_OF], { FORCE_COLOR: '1' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\u001b\[\d+m/, 'colour is on');
    assertTerminalSafe({ stdout: run.stdout.replace(/\u001b\[[0-9;]*m/g, ''), stderr: run.stderr }, 'colour');
  });

  it('diff --db and history --db with OSC 52, OSC 8 and ESC[2J in user names', async () => {
    const db = join(dir, 'history.sqlite');
    for (const r of [report, laterReport]) {
      const stored = await onTerminal(['audit', '--report', r, '--as-of', DEMO_AS_OF, '--db', db]);
      assert.equal(stored.code, 0, stored.stderr);
      assertTerminalSafe(stored, 'audit --db');
    }
    const diff = await onTerminal(['diff', '--db', db]);
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /evil\\u001b/, 'the diff names the hostile user, made visible');
    assertTerminalSafe(diff, 'diff');
    assertTerminalSafe(await onTerminal(['history', '--db', db]), 'history');
  });

  it("undo's cannot-undo lines", async () => {
    const journal = join(dir, 'hostile.journal.jsonl');
    const lines = HOSTILE_NAMES.map((name, i) =>
      JSON.stringify({
        v: 2,
        at: '2026-11-01T00:00:00Z',
        runId: 'r',
        planDigest: 'a'.repeat(64),
        phase: 'apply',
        type: 'done',
        step: {
          id: `111122223333/delete-access-key/AKIA${name}`,
          action: 'delete-access-key',
          accountId: '111122223333',
          principalType: 'user',
          principalName: name,
          arn: `arn:aws:iam::111122223333:user/${name}`,
          credential: 'access_key_1',
          accessKeyId: `AKIA${i}${name}`,
          reversible: false,
          reason: name,
          expected: { status: 'Inactive', lastUsed: null },
        },
      }),
    );
    await writeFile(journal, `${lines.join('\n')}\n`);
    const run = await onTerminal(['undo', journal, '--endpoint-url', 'http://127.0.0.1:9'], {
      NO_COLOR: '1',
      AWS_MAX_ATTEMPTS: '1', // nothing listens there: one refused connection is enough
    });
    assertTerminalSafe(run, 'undo');
    assert.match(run.stdout + run.stderr, /wipe\\u001b\[2J/);
  });

  it('plan and apply failure lines (AWS unreachable) and bad plans', async () => {
    const findings = join(dir, 'findings.json');
    const audit = await onTerminal([
      'audit',
      '--report',
      report,
      '--as-of',
      DEMO_AS_OF,
      '--format',
      'json',
      '--output',
      findings,
    ]);
    assert.equal(audit.code, 0, audit.stderr);
    const plan = join(dir, 'plan.json');
    const closed = ['--endpoint-url', 'http://127.0.0.1:9', '--region', 'us-east-1'];
    const env = {
      NO_COLOR: '1',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_MAX_ATTEMPTS: '1',
    };
    assertTerminalSafe(
      await onTerminal(['plan', '--from', findings, '--output', plan, ...closed], env),
      'plan',
    );
    const forged = join(dir, 'forged-plan.json');
    await writeFile(
      forged,
      JSON.stringify({ schemaVersion: 1, steps: [{ principalName: HOSTILE_NAMES[0] }] }),
    );
    assertTerminalSafe(await onTerminal(['apply', forged, '--yes', ...closed], env), 'apply');
  });

  it('trail over a CloudTrail file naming hostile users', async () => {
    const trail = join(dir, 'trail.json');
    const name = HOSTILE_NAMES[2]!;
    await writeFile(
      trail,
      JSON.stringify({
        Records: [
          {
            eventVersion: '1.08',
            eventTime: '2026-10-01T00:00:00Z',
            eventSource: 'iam.amazonaws.com',
            eventName: 'ListUsers',
            awsRegion: 'us-east-1',
            sourceIPAddress: '203.0.113.1',
            userAgent: HOSTILE_NAMES[0],
            userIdentity: {
              type: 'IAMUser',
              arn: `arn:aws:iam::111122223333:user/${name}`,
              accountId: '111122223333',
              accessKeyId: 'AKIAEXAMPLE000000001',
              userName: name,
            },
          },
        ],
      }),
    );
    const run = await onTerminal(['trail', trail]);
    assert.equal(run.code, 0, run.stderr);
    assertTerminalSafe(run, 'trail');
  });

  it('errors and warnings that quote what they were given', async () => {
    const name = HOSTILE_NAMES[1]!;
    for (const argv of [
      [name],
      ['audit', '--report', join(dir, `${name}.csv`)],
      ['audit', '--report', report, '--config', join(dir, `${name}.yaml`)],
      ['audit', '--report', report, '--format', name],
      ['audit', '--report', report, '--as-of', name],
      ['plan', '--from', join(dir, name)],
      ['diff', '--db', join(dir, `${name}.sqlite`)],
    ]) {
      const run = await onTerminal(argv);
      assert.notEqual(run.code, 0);
      assert.notEqual(run.code, 70, run.stderr);
      assertTerminalSafe(run, argv.join(' '));
    }
  });
});

describe('an error or warning stays one line, whatever newline a path or a value holds', () => {
  it('a newline in a path given, in the --output path, in an exemption from the configuration file', async () => {
    const config = join(dir, 'newline.yaml');
    await writeFile(
      config,
      'exemptions:\n  - principal: "x\\ncredsweep: ok"\n    owner: "o\\nthere"\n    reason: r\n    expires: 2020-01-01\n',
    );
    for (const [argv, lines] of [
      [['audit', '--report', join(dir, 'a\nb.csv')], 1],
      [
        ['audit', '--report', report, '--as-of', DEMO_AS_OF, '--output', join(dir, 'no\nfolder', 'o.json')],
        1,
      ],
      // "using configuration file …" and the expired exemption's warning: one line each
      [
        [
          'audit',
          '--report',
          report,
          '--as-of',
          DEMO_AS_OF,
          '--config',
          config,
          '--output',
          join(dir, 'o.json'),
        ],
        2,
      ],
    ] as const) {
      const run = await onTerminal([...argv]);
      assert.equal(run.stderr.trimEnd().split('\n').length, lines, run.stderr);
      assert.match(run.stderr, /\\u000a/, 'the newline shown as its code');
      assert.doesNotMatch(run.stderr, /^credsweep: ok/m, 'no line forged');
    }
  });
});

describe('dates outside 1970–9999 through the CLI (issue 16, item 8)', () => {
  it('--as-of 0001-01-01 and +99:00 are exit 2, not 1901', async () => {
    for (const asOf of ['0001-01-01', '2026-11-01T00:00:00+99:00']) {
      const run = await onTerminal(['audit', '--report', report, '--as-of', asOf]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /--as-of/);
    }
  });

  it('a credential-report timestamp in year 0001 or with +99:00 is exit 2 at its line', async () => {
    const demo = await readFile(join(REPO_ROOT, DEMO_REPORT), 'utf8');
    for (const [from, to] of [
      ['2024-05-15T10:00:00+00:00', '0001-05-15T10:00:00+00:00'],
      ['2024-05-15T10:00:00+00:00', '2024-05-15T10:00:00+99:00'],
    ] as const) {
      const bad = join(dir, 'bad-date.csv');
      await writeFile(bad, demo.replace(from, to));
      const run = await onTerminal(['audit', '--report', bad, '--as-of', DEMO_AS_OF]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /bad-date\.csv:3: column user_creation_time: not an ISO-8601 date-time/);
    }
  });
});
