/**
 * `startProgress(ctx, total, what)`: a bar on stderr when it is a terminal, nothing otherwise (pipes
 * and CI logs stay clean): `accounts ███░░ 12/30 done, 1 failed`. Cleared when stopped.
 */
import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';
import type { CliContext } from './context.ts';
import { unguarded } from './terminal-guard.ts';

export interface Progress {
  tick(failed: boolean): void;
  stop(): void;
}

export function startProgress(ctx: CliContext, total: number, what: string): Progress {
  if (!ctx.stderr.isTTY) return { tick: () => {}, stop: () => {} };
  // Loaded only for a terminal (its 16 files are start-up every piped run would pay); CommonJS, so
  // a synchronous require keeps this function synchronous.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressModule;
  const bar = new cliProgress.SingleBar(
    {
      // cli-progress moves the cursor; the bar shows counts only, nothing from AWS.
      stream: unguarded(ctx.stderr),
      format: `${what} {bar} {value}/{total} done, {failed} failed`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let failed = 0;
  bar.start(total, 0, { failed });
  return {
    tick: (isFailure) => {
      if (isFailure) failed += 1;
      bar.increment(1, { failed });
    },
    stop: () => bar.stop(),
  };
}
