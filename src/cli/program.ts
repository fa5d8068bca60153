/**
 * The command line: parse flags, build the context, call the library, set the exit code. Every
 * known error becomes one line on stderr and an exit code; only a bug prints more.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode, InputError, InternalError, isCredsweepError } from '../errors.ts';
import { applyCommand } from './commands/apply.ts';
import { auditCommand } from './commands/audit.ts';
import { exportCommand } from './commands/export.ts';
import { diffCommand, historyCommand } from './commands/history.ts';
import { permissionsCommand } from './commands/permissions.ts';
import { planCommand } from './commands/plan.ts';
import { trailCommand } from './commands/trail.ts';
import { undoCommand } from './commands/undo.ts';
import type { CliContext } from './context.ts';

export const VERSION = '0.1.0';

export function buildProgram(ctx: CliContext, setExit: (code: number) => void): Command {
  const program = new Command('credsweep')
    .description('Find unused AWS IAM credentials and remove them safely')
    .version(VERSION)
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      outputError: () => {},
    })
    .exitOverride();
  program.addCommand(auditCommand(ctx, setExit));
  program.addCommand(permissionsCommand(ctx, setExit));
  program.addCommand(trailCommand(ctx, setExit));
  program.addCommand(planCommand(ctx, setExit));
  program.addCommand(applyCommand(ctx, setExit));
  program.addCommand(undoCommand(ctx, setExit));
  program.addCommand(historyCommand(ctx));
  program.addCommand(diffCommand(ctx));
  program.addCommand(exportCommand(ctx, setExit));
  for (const command of program.commands) {
    command.exitOverride().configureOutput({ outputError: () => {} });
  }
  return program;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(ctx, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    return reportError(e, ctx);
  }
}

export function reportError(e: unknown, ctx: CliContext): number {
  // The reader of our output went away (`credsweep audit … | head`): that is its choice, not an error.
  if ((e as NodeJS.ErrnoException)?.code === 'EPIPE') return ExitCode.ok;
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) {
      return ExitCode.ok;
    }
    const message = e.message.replace(/^error: /, '');
    ctx.stderr.write(`credsweep: ${message} (see credsweep --help)\n`);
    return ExitCode.usage;
  }
  if (isCredsweepError(e)) {
    const where = e instanceof InputError ? `${e.location}: ` : '';
    const hint = e.hint ? ` (${e.hint})` : '';
    ctx.stderr.write(`credsweep: ${where}${e.message}${hint}\n`);
    if (e instanceof InternalError) ctx.stderr.write(`${e.stack}\n`);
    return e.exitCode;
  }
  const err = e as Error;
  ctx.stderr.write(
    `credsweep: internal error: ${err?.message ?? String(e)}\nThis is a bug in credsweep; please report it with the command you ran.\n${err?.stack ?? ''}\n`,
  );
  return ExitCode.internal;
}
