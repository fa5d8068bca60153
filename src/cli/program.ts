/**
 * The command line: parse flags, build the context, call the library, set the exit code. Every
 * known error becomes one line on stderr and an exit code; only a bug prints more.
 */
import type { Command } from 'commander';
import { classifyAwsError } from '../aws/classify-error.ts';
import { credentialsHint } from '../aws/credentials-hint.ts';
import { failedAwsCall } from '../aws/failed-call.ts';
import { ExitCode, InternalError, isCredsweepError, locatedMessage } from '../errors.ts';
import { assertProfileExists } from './aws-profile.ts';
import type { CliContext } from './context.ts';
import {
  applyHelpStyle,
  exitCodesSection,
  helpWidth,
  OVERVIEW_EXIT_CODES,
  wrapHelpText,
} from './help-style.ts';
import { redactSecrets } from '../redact.ts';
import { printable } from '../reporters/printable.ts';
import { writeOutput } from './output.ts';
import { guardTerminal } from './terminal-guard.ts';

export const VERSION = '0.1.0';

type SetExit = (code: number) => void;

/**
 * commander, loaded by the first program built: `--version` and the overview answer without it
 * (its 8 files are ~40 ms of CPU). A CommanderError can only come from a program built after that.
 */
let commander: typeof import('commander') | undefined;
type CommandLoader = () => Promise<(ctx: CliContext, setExit: SetExit) => Command>;

/**
 * Every command, in help order, loaded on demand: a run loads only the module of the command it
 * names (the SDK clients, vega, sql.js… of the others cost hundreds of milliseconds of start-up),
 * and `--help` or an unknown command loads them all.
 */
const COMMANDS: ReadonlyArray<[string, CommandLoader]> = [
  ['audit', async () => (await import('./commands/audit.ts')).auditCommand],
  ['permissions', async () => (await import('./commands/permissions.ts')).permissionsCommand],
  ['trail', async () => (await import('./commands/trail.ts')).trailCommand],
  ['plan', async () => (await import('./commands/plan.ts')).planCommand],
  ['apply', async () => (await import('./commands/apply.ts')).applyCommand],
  ['undo', async () => (await import('./commands/undo.ts')).undoCommand],
  ['history', async () => (await import('./commands/history.ts')).historyCommand],
  ['diff', async () => (await import('./commands/history.ts')).diffCommand],
  ['export', async () => (await import('./commands/export.ts')).exportCommand],
];

/**
 * The program with the command `argv` names, or with every command when it names none (the program
 * takes no option with a value, so the first word that is not an option is the command).
 */
export async function buildProgram(
  ctx: CliContext,
  setExit: SetExit,
  argv?: readonly string[],
  /** Where commander's own output (help, version) goes; default: standard output as it comes. */
  print: (text: string) => void = (text) => ctx.stdout.write(text),
): Promise<Command> {
  commander ??= await import('commander');
  const output = {
    writeOut: print,
    writeErr: (s: string) => ctx.stderr.write(s),
    outputError: () => {},
    getOutHelpWidth: () => helpWidth(ctx.stdout),
  };
  const program = new commander.Command('credsweep')
    .description('Find unused AWS IAM credentials and remove them safely')
    // worded as the overview words it: `history prune --help` lists it under Global Options
    .version(VERSION, '-V, --version', 'print the version')
    .showSuggestionAfterError()
    .configureOutput(output)
    .exitOverride()
    .hook('preAction', (_program, action) => {
      // (with the parent's: `history prune --quiet` gives history's --quiet)
      const opts = action.optsWithGlobals();
      // `--wide`: every column at full width, even on a terminal
      if (opts.wide) {
        delete ctx.tableWidth;
        ctx.wide = true;
      }
      if (opts.quiet) ctx.quiet = true;
      // a mistyped --profile: exit 2 before any AWS call (./aws-profile.ts)
      if (typeof opts.profile === 'string') assertProfileExists(opts.profile, ctx.env);
    });
  const named = argv?.find((a) => !a.startsWith('-'));
  const wanted = COMMANDS.some(([name]) => name === named)
    ? COMMANDS.filter(([name]) => name === named)
    : COMMANDS;
  const factories = await Promise.all(wanted.map(([, load]) => load()));
  for (const factory of factories) program.addCommand(factory(ctx, setExit));
  // every command and subcommand (export securityhub): its help too goes through the context
  const configure = (command: Command) => {
    command.exitOverride().configureOutput(output);
    for (const sub of command.commands) configure(sub);
  };
  for (const command of program.commands) {
    configure(command);
    applyHelpStyle(command);
  }
  return program;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function runCli(argv: string[], given: CliContext): Promise<number> {
  // Every write to a terminal passes the one sanitiser (./terminal-guard.ts).
  const ctx = guardTerminal(given);
  let exitCode: number = ExitCode.ok;
  // What commander prints (a command's --help, the version), written out once it is done, checked
  // as every output is: a standard output that refuses it is one line and exit 2, not exit 0.
  let printed = '';
  try {
    // --version and the overview need no command module: answered before any is loaded.
    if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
      await writeOutput(undefined, `${VERSION}\n`, { stdout: ctx.stdout });
      return ExitCode.ok;
    }
    if (argv.length === 0 || (argv.length === 1 && ['--help', '-h', 'help'].includes(argv[0]!))) {
      await writeOutput(undefined, overviewHelp(helpWidth(ctx.stdout)), { stdout: ctx.stdout });
      return ExitCode.ok;
    }
    const program = await buildProgram(
      ctx,
      (code) => {
        exitCode = code;
      },
      argv,
      (text) => {
        printed += text;
      },
    );
    try {
      await program.parseAsync(argv, { from: 'user' });
    } finally {
      if (printed !== '') await writeOutput(undefined, printed, { stdout: ctx.stdout });
    }
    return exitCode;
  } catch (e) {
    return reportError(e, ctx, commandNamed(argv));
  }
}

/** Commands with subcommands, which have options (and help) of their own. */
const SUBCOMMANDS: Readonly<Record<string, readonly string[]>> = {
  export: ['securityhub'],
  history: ['prune'],
};

/** The command `argv` runs, if it names one (for pointing to that command's help): `export securityhub`. */
function commandNamed(argv: readonly string[]): string | undefined {
  const at = argv.findIndex((a) => !a.startsWith('-'));
  const named = argv[at];
  if (!OVERVIEW_COMMANDS.some(([name]) => name === named)) return undefined;
  const sub = argv.slice(at + 1).find((a) => SUBCOMMANDS[named!]?.includes(a));
  return sub ? `${named} ${sub}` : named;
}

/**
 * What `credsweep`, `credsweep --help` and `credsweep help` print, without loading any command
 * module (start-up: docs/performance.md). test/cli/help.test.ts keeps it in step with the commands.
 */
export const OVERVIEW_COMMANDS: ReadonlyArray<readonly [string, string]> = [
  ['audit', 'find unused credentials: live from AWS (default), or in a credential report CSV (--report)'],
  [
    'permissions',
    'find granted services (and tracked actions) that users and roles do not use (Access Advisor)',
  ],
  ['trail', 'what CloudTrail logs say about access keys, role assumptions and console sign-ins'],
  ['plan', 'plan the remediation of unused credentials (changes nothing)'],
  ['apply', 'carry out a remediation plan (journalled; asks first unless --yes)'],
  ['undo', 'reverse what an apply journal says was done, where AWS allows it'],
  ['history', 'list the audit runs stored with audit --db'],
  ['diff', 'credentials newly unused, newly in use and removed between two runs (default: the last two)'],
  ['export', 'send findings to security tooling'],
];

/** The overview, wrapped to `columns` (standard output's terminal, else 80). */
export function overviewHelp(columns = 80): string {
  const width = Math.max(...OVERVIEW_COMMANDS.map(([name]) => name.length));
  return [
    'Usage: credsweep <command> [options]',
    '',
    'Find unused AWS IAM credentials and remove them safely.',
    '',
    'Commands:',
    ...OVERVIEW_COMMANDS.flatMap(([name, description]) =>
      wrapHelpText(description, columns, `  ${name.padEnd(width)}  `, ' '.repeat(width + 4)),
    ),
    '',
    'Options:',
    '  -V, --version  print the version',
    '  -h, --help     print this overview; credsweep <command> --help for one command',
    '',
    'Examples:',
    '  credsweep audit --report credential-report.csv',
    '  credsweep audit --format html --output report.html',
    '  credsweep plan --from findings.json --output plan.json',
    '',
    ...exitCodesSection(OVERVIEW_EXIT_CODES, columns),
    '',
  ].join('\n');
}

function credentialsMissing(e: unknown): boolean {
  const err = e as { name?: string; code?: string; message?: string };
  return (
    err?.name === 'CredentialsProviderError' ||
    err?.code === 'CredentialsProviderError' ||
    /CredentialsProviderError|Could not load credentials from any providers/.test(String(err?.message ?? ''))
  );
}

export function reportError(e: unknown, ctx: CliContext, command?: string): number {
  if (commander && e instanceof commander.CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) {
      return ExitCode.ok;
    }
    // commander puts its suggestion on a line of its own: one line here
    const message = e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
    const help =
      command && e.code !== 'commander.unknownCommand' ? `credsweep ${command} --help` : 'credsweep --help';
    ctx.stderr.write(`credsweep: ${printable(message)} (see ${help})\n`);
    return ExitCode.usage;
  }
  if (!isCredsweepError(e) && credentialsMissing(e)) {
    const message = (e as Error).message;
    ctx.stderr.write(`credsweep: no AWS credentials: ${printable(message)} (${credentialsHint(message)})\n`);
    return ExitCode.awsFailure;
  }
  if (isCredsweepError(e)) {
    // Every command that calls AWS says the same when it finds no credentials.
    const hint = e.hint ? ` (${e.hint})` : credentialsMissing(e) ? ` (${credentialsHint(e.message)})` : '';
    // One line, whatever a path or a value it quotes holds (a newline in a file name): printable.
    ctx.stderr.write(`credsweep: ${printable(`${locatedMessage(e)}${hint}`)}\n`);
    if (e instanceof InternalError) ctx.stderr.write(`${e.stack}\n`);
    return e.exitCode;
  }
  // An AWS call's failure that no command turned into its own error (src/aws/failed-call.ts names it):
  // one line and exit 3, as for every other AWS failure, never a stack trace.
  const operation = failedAwsCall(e);
  if (operation !== undefined) {
    const { code, message } = classifyAwsError(e, { callNamed: true });
    ctx.stderr.write(redactSecrets(`credsweep: ${operation} failed: ${code}: ${printable(message)}\n`));
    return ExitCode.awsFailure;
  }
  const err = e as Error;
  // An unexpected SDK error may echo its request: the same redaction as every AWS error (src/redact.ts).
  ctx.stderr.write(
    redactSecrets(
      `credsweep: internal error: ${err?.message ?? String(e)}\nThis is a bug in credsweep; please report it with the command you ran.\n${err?.stack ?? ''}\n`,
    ),
  );
  return ExitCode.internal;
}
