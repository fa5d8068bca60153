/**
 * One help style for every command (src/cli/help-style.ts): the walker reads every command's and
 * subcommand's --help and checks allowed values, defaults written one way, examples and exit codes;
 * the overview (printed without loading any command) matches the commands; one meaning per flag name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { buildProgram, OVERVIEW_COMMANDS } from '../../src/cli/program.ts';
import { capturingContext, runCredsweep } from '../helpers/cli.ts';

async function helpOf(argv: string[]): Promise<string> {
  const run = await runCredsweep([...argv, '--help']);
  assert.equal(run.code, 0, `${argv.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

describe('help: one style for every command', async () => {
  const { ctx } = capturingContext(0);
  const program = await buildProgram(ctx, () => {});
  const walk = (c: Command, path: string[]): string[][] => [
    path,
    ...c.commands.flatMap((s) => walk(s, [...path, s.name()])),
  ];
  const paths = program.commands.flatMap((c) => walk(c, [c.name()]));

  it('the overview lists every command with its own description', () => {
    assert.deepEqual(
      OVERVIEW_COMMANDS.map(([name, description]) => [name, description]),
      program.commands.map((c) => [c.name(), c.description()]),
    );
  });

  for (const path of paths) {
    it(`credsweep ${path.join(' ')} --help`, async () => {
      const help = await helpOf(path);
      assert.doesNotMatch(help, /\[default/, 'defaults are written (default: X)');
      assert.doesNotMatch(help, /\(default [^:]|\(default: "/, 'defaults are written (default: X), unquoted');
      assert.doesNotMatch(help, /\(default: \[\]\)/);
      const command = path.reduce<Command>((c, name) => c.commands.find((s) => s.name() === name)!, program);
      for (const option of command.options) {
        const described = `${option.description} ${
          (option as unknown as { defaultValueDescription?: string }).defaultValueDescription ?? ''
        }`;
        for (const [open, close] of [
          ['(', ')'],
          ['[', ']'],
        ] as const)
          assert.equal(
            described.split(open).length,
            described.split(close).length,
            `${option.flags}: every ${open} closed in ${JSON.stringify(described)}`,
          );
        const choices = (option as unknown as { parseArg?: { choices?: string[] } }).parseArg?.choices;
        if (choices && !option.hidden)
          assert.ok(
            help.replace(/\s+/g, ' ').includes(`one of: ${choices.join(', ')}`),
            `${option.flags} lists its values`,
          );
      }
      // every command, and every subcommand (export securityhub), as README.md promises
      const examples = (/\nExamples:\n((?: {2}credsweep .*\n(?: {4}.*\n)*)+)/.exec(help)?.[1] ?? '')
        .split('\n')
        .filter((l) => l.startsWith('  credsweep'));
      assert.ok(
        examples.length >= 2 && examples.length <= 4,
        `2-4 examples, got ${examples.length}:\n${help}`,
      );
      for (const e of examples) assert.match(e, new RegExp(`^ {2}credsweep ${path.join(' ')}\\b`));
      // the exit codes this command can return: 1 only where it has --fail-on
      const codes = [
        ...(/\nExit codes:\n((?: {2}.*\n)+)$/.exec(help)?.[1] ?? '').matchAll(/^ {2}(\d+) /gm),
      ].map((m) => Number(m[1]));
      const failOn = command.options.some((o) => o.long === '--fail-on');
      assert.deepEqual(
        codes,
        failOn ? [0, 1, 2, 3, 70] : path[0] === 'history' || path[0] === 'diff' ? [0, 2, 70] : [0, 2, 3, 70],
        help,
      );
      for (const line of help.split('\n'))
        assert.ok(line.length <= 80, `a line of ${line.length} columns off a terminal:\n${line}`);
    });
  }

  it("every option's shown default is what the user would type (it parses back to the default)", () => {
    for (const path of paths) {
      const command = path.reduce<Command>((c, name) => c.commands.find((s) => s.name() === name)!, program);
      for (const option of command.options) {
        const o = option as unknown as {
          defaultValueDescription?: string;
          parseArg?: (value: string, previous: unknown) => unknown;
        };
        if (option.hidden || option.negate || option.defaultValue === undefined) continue;
        if (Array.isArray(option.defaultValue)) continue; // lists: shown as "none" or the values
        const shown = o.defaultValueDescription;
        const what = `credsweep ${path.join(' ')} ${option.flags}: (default: ${shown})`;
        assert.ok(shown !== undefined, what);
        if (o.parseArg) assert.deepEqual(o.parseArg(shown, undefined), option.defaultValue, what);
        else assert.equal(shown, String(option.defaultValue), what);
      }
    }
  });

  it('a subcommand lists the global options in the words of the overview', async () => {
    const prune = await helpOf(['history', 'prune']);
    assert.match(prune, /^ {2}-V, --version +print the version$/m);
    assert.doesNotMatch(prune, /output the version number/);
  });

  it('apply --max-plan-age shows its default as a duration', async () => {
    assert.match(
      (await helpOf(['apply'])).replace(/\s+/g, ' '),
      /--max-plan-age <duration> .*\(default: 24h\)/,
    );
  });

  it('--access-analyzer says it is off unless given (auto is the bare flag), where auto is no default', async () => {
    for (const command of ['audit', 'permissions']) {
      const help = (await helpOf([command])).replace(/\s+/g, ' ');
      const described = /--access-analyzer \[arn\] (.*?) --/.exec(help)?.[1] ?? '';
      assert.doesNotMatch(described, /default/, `${command}: ${described}`);
      assert.match(described, /\(off unless given; given without an ARN: auto\b/, `${command}: ${described}`);
    }
  });

  it('one meaning per flag name: --concurrency is accounts at once wherever it is shown', async () => {
    const seen = new Map<string, string[]>();
    for (const path of paths) {
      const command = path.reduce<Command>((c, name) => c.commands.find((s) => s.name() === name)!, program);
      for (const o of command.options) {
        if (o.hidden || !o.long) continue;
        seen.set(o.long, [...(seen.get(o.long) ?? []), `${path.join(' ')}: ${o.description}`]);
      }
    }
    for (const d of seen.get('--concurrency') ?? []) assert.match(d, /accounts/, d);
    // shared options are described once (src/cli/options.ts), with a prefix where the command reads files too
    const unprefixed = (flag: string) =>
      new Set((seen.get(flag) ?? []).map((d) => d.replace(/^[^:]+: (live: )?/, '')));
    for (const flag of ['--profile', '--endpoint-url'])
      assert.equal(unprefixed(flag).size, 1, [...unprefixed(flag)].join('\n'));
    for (const d of seen.get('--config') ?? [])
      assert.match(d, /; flags win \(default: \.\/credsweep\.config\.json\|yaml\|yml\)$/, d);
    for (const d of [...seen.values()].flat())
      assert.doesNotMatch(d, /organisation|ACTIVE|Organization\b/, d);
    for (const flag of ['--include', '--exclude'])
      for (const d of seen.get(flag) ?? []) assert.match(d, /repeatable or comma-separated/, d);
    for (const d of seen.get('--format') ?? []) assert.match(d, /one of: /, d);
  });

  it('the overview fits 80 columns off a terminal and lists every exit code', async () => {
    const overview = await runCredsweep(['--help']);
    for (const line of overview.stdout.split('\n'))
      assert.ok(line.length <= 80, `a line of ${line.length} columns:\n${line}`);
    assert.match(
      overview.stdout,
      /\nExit codes:\n {2}0 +ok\n {2}1 +--fail-on matched \(audit, permissions\)\n {2}2 .*\n {2}3 .*\n {2}70 +internal error \(a bug\)\n$/,
    );
  });

  it('bare credsweep prints the overview (no "(outputHelp)"), exit 0; unknown options point to the command help', async () => {
    const bare = await runCredsweep([]);
    assert.equal(bare.code, 0);
    assert.match(bare.stdout, /^Usage: credsweep <command> \[options\]\n/);
    assert.doesNotMatch(bare.stdout + bare.stderr, /outputHelp/);
    const bogus = await runCredsweep(['audit', '--bogus']);
    assert.equal(bogus.code, 2);
    assert.equal(bogus.stderr, "credsweep: unknown option '--bogus' (see credsweep audit --help)\n");
    const typo = await runCredsweep(['adit']);
    assert.equal(
      typo.stderr,
      "credsweep: unknown command 'adit' (Did you mean audit?) (see credsweep --help)\n",
    );
    const from = await runCredsweep(['export', 'securityhub']);
    assert.equal(
      from.stderr,
      "credsweep: required option '--from <file>' not specified (see credsweep export securityhub --help)\n",
    );
    // a mistyped subcommand is an unknown command too, not "too many arguments for 'history'"
    const prune = await runCredsweep(['history', 'purne', '--db', 'x.db']);
    assert.equal(prune.code, 2);
    assert.equal(
      prune.stderr,
      "credsweep: unknown command 'purne' for 'history' (Did you mean prune?) (see credsweep history --help)\n",
    );
    const target = await runCredsweep(['export', 'securityhbu']);
    assert.equal(target.code, 2);
    assert.equal(
      target.stderr,
      "credsweep: unknown command 'securityhbu' for 'export' (Did you mean securityhub?) (see credsweep export --help)\n",
    );
    // a file without its flag: which flag takes it
    for (const [command, flag] of [
      ['audit', '--report'],
      ['plan', '--from'],
    ]) {
      const file = await runCredsweep([command!, 'report.csv']);
      assert.equal(file.code, 2);
      assert.equal(
        file.stderr,
        `credsweep: ${command} takes no argument, given 'report.csv' (a file is given as credsweep ${command} ${flag} report.csv; see credsweep ${command} --help)\n`,
      );
    }
    const old = await runCredsweep(['permissions', '--concurrency', '0']);
    assert.equal(old.code, 2, 'the old --concurrency of permissions is still parsed');
  });
});
