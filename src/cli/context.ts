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
  /** `--wide`: every column at full width, on standard error's terminal too; program.ts sets it. */
  wide?: boolean;
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

/**
 * The width a table on standard error fits (the steps a confirmation lists): that terminal's
 * columns, which may differ from standard output's (`apply plan.json | tee log` on an 80-column
 * terminal: standard output is a pipe); `{}` off a terminal or with --wide.
 */
export function stderrTableOptions(ctx: Pick<CliContext, 'stderr' | 'wide'>): { width?: number } {
  const { isTTY, columns } = ctx.stderr;
  return ctx.wide || !isTTY || !(columns > 0) ? {} : { width: columns };
}
