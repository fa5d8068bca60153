/** `credsweep history` and `credsweep diff`: the runs `audit --db` stored, and what changed between two. */
import { Command, Option } from 'commander';
import { InputError, UsageError } from '../../errors.ts';
import { diffRuns } from '../../history/diff-runs.ts';
import { renderDiffText } from '../../history/render-diff.ts';
import type { RunStore, RunSummary } from '../../history/run-store.ts';
import { openSqliteRunStore } from '../../history/sqlite-run-store.ts';
import { loadCliConfig, requireDbPath } from '../config-options.ts';
import type { CliContext } from '../context.ts';
import { oneOf } from '../options.ts';

interface HistoryFlags {
  db?: string;
  config?: string;
  format: 'table' | 'json';
}

async function openStore(flags: HistoryFlags): Promise<{ store: RunStore; path: string }> {
  const path = requireDbPath(flags.db, await loadCliConfig(flags.config));
  return { store: await openSqliteRunStore(path), path };
}

const commonOptions = (command: Command) =>
  command
    .option('--db <file>', 'the history database (SQLite) audit --db wrote')
    .option('--config <file>', 'configuration file (default: ./credsweep.config.json|yaml|yml)')
    .addOption(
      new Option('--format <format>', 'output format').default('table').argParser(oneOf(['table', 'json'])),
    );

function runLine(r: RunSummary): string {
  const accounts = r.accounts.length;
  const failed = r.accounts.filter((a) => a.status !== 'ok').length;
  return `${String(r.id).padStart(4)}  ${r.runAt}  unused ${String(r.summary.unused ?? 0).padStart(5)}  of ${String(r.findingCount).padStart(6)} credentials  ${accounts} account${accounts === 1 ? '' : 's'}${failed ? ` (${failed} failed)` : ''}`;
}

export function historyCommand(ctx: CliContext): Command {
  return commonOptions(
    new Command('history').description('list the audit runs stored with audit --db'),
  ).action(async (flags: HistoryFlags) => {
    const { store } = await openStore(flags);
    try {
      const runs = await store.listRuns();
      if (flags.format === 'json') ctx.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      else if (runs.length === 0) ctx.stdout.write('No runs stored yet (run credsweep audit --db FILE).\n');
      else ctx.stdout.write(`  id  run at                unused\n${runs.map(runLine).join('\n')}\n`);
    } finally {
      await store.close();
    }
  });
}

function parseRunId(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`'${text}' is not a run id (see credsweep history)`);
  return Number(text);
}

export function diffCommand(ctx: CliContext): Command {
  return commonOptions(
    new Command('diff')
      .description(
        'credentials newly unused, newly in use and removed between two runs (default: the last two)',
      )
      .argument('[runA]', 'the earlier run id (default: the one before runB)')
      .argument('[runB]', 'the later run id (default: the latest)'),
  ).action(async (runA: string | undefined, runB: string | undefined, flags: HistoryFlags) => {
    const { store, path } = await openStore(flags);
    try {
      const runs = await store.listRuns();
      const laterId = runB === undefined ? runs.at(-1)?.id : parseRunId(runB);
      const laterIndex = runs.findIndex((r) => r.id === laterId);
      const earlierId = runA === undefined ? runs[laterIndex - 1]?.id : parseRunId(runA);
      if (runs.length < 2 && runA === undefined) {
        throw new InputError(`needs two stored runs to compare, found ${runs.length}`, path);
      }
      const later = laterId === undefined ? undefined : await store.loadRun(laterId);
      const earlier = earlierId === undefined ? undefined : await store.loadRun(earlierId);
      if (!later)
        throw new InputError(`no run ${runB ?? ''} (see credsweep history)`.replace('  ', ' '), path);
      if (!earlier)
        throw new InputError(`no run ${runA ?? 'before run ' + later.id} (see credsweep history)`, path);
      const diff = diffRuns(earlier, later);
      if (flags.format === 'json') {
        ctx.stdout.write(`${JSON.stringify({ from: earlier.id, to: later.id, ...diff }, null, 2)}\n`);
      } else {
        ctx.stdout.write(`Run ${earlier.id} (${earlier.runAt}) → run ${later.id} (${later.runAt})\n`);
        ctx.stdout.write(renderDiffText(diff));
      }
    } finally {
      await store.close();
    }
  });
}
