/**
 * The one place that reads the clock and the environment; everything below receives them.
 */
export interface CliContext {
  now: () => number;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
  /**
   * The width tables printed to stdout must fit: the terminal's columns; undefined in a pipe or a
   * file (every column at full width) and after `--wide` (program.ts clears it).
   */
  tableWidth?: number;
  /** `--quiet`: no notices on stderr (which configuration file was read); program.ts sets it. */
  quiet?: boolean;
}

export function processContext(): CliContext {
  return {
    now: () => Date.now(),
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    ...(process.stdout.isTTY && process.stdout.columns > 0 ? { tableWidth: process.stdout.columns } : {}),
  };
}

/** Colour only on a terminal, and never when NO_COLOR is set (FORCE_COLOR forces it). */
export function wantsColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

/** The width tables on stdout fit: `{ width }` on a terminal, `{}` in a pipe or with --wide. */
export function tableOptions(ctx: Pick<CliContext, 'tableWidth'>): { width?: number } {
  return ctx.tableWidth === undefined ? {} : { width: ctx.tableWidth };
}
