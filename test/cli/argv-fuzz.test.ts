/**
 * argv fuzzing (issue 16): random flags, values and files for every command never give an internal
 * error (exit 70) or a stack trace. The vocabulary comes from the program itself (every command's
 * options as commander declares them), so a new flag is fuzzed the day it is added. In process for
 * speed; fast-check with a fixed seed and a bounded number of runs. AWS is a closed loopback port
 * (connection refused at once) and the SDK makes one attempt; files are written only in a temp dir.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { CliContext } from '../../src/cli/context.ts';
import { buildProgram, runCli } from '../../src/cli/program.ts';
import { DEMO_AS_OF, DEMO_REPORT, REPO_ROOT } from '../helpers/cli.ts';

const CLOSED = 'http://127.0.0.1:9';
const saved = { cwd: process.cwd(), env: { ...process.env } };
let dir: string;

interface Flag {
  name: string;
  takesValue: boolean;
}
let vocabulary: Map<string, Flag[]>;

function context(): { ctx: CliContext; out: () => string } {
  let text = '';
  const stream = () => {
    const s = new PassThrough();
    s.setEncoding('utf8').on('data', (d: string) => {
      text += d;
    });
    return s as unknown as NodeJS.WriteStream;
  };
  const stdin = new PassThrough();
  stdin.end();
  return {
    ctx: {
      now: () => Date.parse(DEMO_AS_OF),
      stdout: stream(),
      stderr: stream(),
      stdin: stdin as unknown as NodeJS.ReadStream,
      env: { ...process.env },
    },
    out: () => text,
  };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsweep-fuzz-'));
  await copyFile(join(REPO_ROOT, DEMO_REPORT), join(dir, 'report.csv'));
  await writeFile(join(dir, 'empty'), '');
  await writeFile(join(dir, 'garbage.bin'), Buffer.from([0, 255, 1, 254, 27, 91, 50, 74, 10]));
  await writeFile(join(dir, 'plan.json'), '{"schemaVersion":1,"steps":[{}]}');
  await writeFile(join(dir, 'config.yaml'), 'days: [1, 2\n');
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (const [name, prev] of ['ba', 'cb', 'dc', 'ed', 'fe'])
    bomb.push(`${name}: &${name} [${`*${prev}, `.repeat(8)}*${prev}]`);
  await writeFile(join(dir, 'bomb.yaml'), `${bomb.join('\n')}\n`);
  await writeFile(join(dir, 'journal.jsonl'), '{"v":1}\nnot json\n');
  await mkdir(join(dir, 'folder'));
  process.chdir(dir);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: CLOSED,
    AWS_ACCESS_KEY_ID: 'AKIAFUZZFUZZFUZZFUZZ',
    AWS_SECRET_ACCESS_KEY: 'fuzz',
    AWS_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
  });
  delete process.env.AWS_PROFILE;
  // The whole program, every command, as commander declares it.
  const program = await buildProgram(context().ctx, () => {});
  vocabulary = new Map(
    program.commands.map((c) => [
      c.name(),
      c.options.map((o) => ({ name: o.long ?? o.short ?? '', takesValue: o.required || o.optional })),
    ]),
  );
});
after(async () => {
  process.chdir(saved.cwd);
  process.env = saved.env;
  await rm(dir, { recursive: true, force: true });
});

const VALUES = [
  '',
  '-',
  '0',
  '-1',
  '1',
  '65',
  '99999999999999999999',
  'abc',
  'json',
  'csv',
  'table',
  'html',
  'md',
  'asff',
  '111122223333',
  '111122223333,x',
  '2026-11-01',
  '0001-01-01',
  '2026-11-01T00:00:00+99:00',
  'report.csv',
  'empty',
  'garbage.bin',
  'plan.json',
  'config.yaml',
  'bomb.yaml',
  'journal.jsonl',
  'folder',
  'missing-folder/out.json',
  'out.json',
  '/dev/null',
  's3://bucket/prefix/',
  's3://',
  CLOSED,
  'ftp://x',
  'arn:aws:iam::*:user/*a*a*a*a*a*a*a*a*a*a*Z',
  '*',
  '%s%n',
  '\u001b[2J',
  'a'.repeat(300),
  'severity:high',
  'unused',
];

describe('argv fuzz (fast-check, seed 42)', () => {
  it('no command, flag or value combination is an internal error or prints a stack trace', async () => {
    const commands = [...vocabulary.keys()];
    assert.ok(commands.length >= 9, `every command is fuzzed (${commands.join(', ')})`);
    const argvArb = fc
      .constantFrom(...commands)
      .chain((command) =>
        fc.tuple(
          fc.constant(command),
          fc.array(
            fc.constantFrom<Flag>(...vocabulary.get(command)!, { name: '--no-such-flag', takesValue: false }),
            { maxLength: 5 },
          ),
          fc.array(fc.constantFrom(...VALUES), { minLength: 6, maxLength: 6 }),
          fc.array(fc.constantFrom(...VALUES), { maxLength: 2 }),
        ),
      )
      .map(([command, flags, values, positional]) => [
        command,
        ...positional,
        ...flags.flatMap((f, i) => (f.takesValue ? [f.name, values[i]!] : [f.name])),
      ]);
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(argvArb, async (argv) => {
        const { ctx, out } = context();
        const code = await runCli(argv, ctx);
        seen.add(code);
        const text = out();
        assert.notEqual(code, 70, `internal error for ${JSON.stringify(argv)}:\n${text}`);
        assert.doesNotMatch(text, /\n\s+at .*\(?.*:\d+:\d+\)?/, `stack trace for ${JSON.stringify(argv)}`);
        assert.doesNotMatch(text, /internal error/i, JSON.stringify(argv));
        assert.ok([0, 1, 2, 3].includes(code), `exit ${code} for ${JSON.stringify(argv)}`);
      }),
      {
        seed: 42,
        numRuns: 200,
        // Known past failures run first on every seed (each was exit 70 with a stack trace).
        examples: [
          [['audit', '--report', 'report.csv', '--output', 'folder']],
          [['audit', '--report', 'report.csv', '--output', 'missing-folder/out.json']],
          [['audit', '--report', 'report.csv', '--config', 'bomb.yaml']],
          [['trail', 'report.csv', '--output', 'folder']],
          [['apply', 'plan.json', '--yes', '--journal', 'missing-folder/j.jsonl']],
        ],
      },
    );
    assert.ok(seen.has(2), 'usage errors were reached');
  });
});
