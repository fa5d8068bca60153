/** `credsweep history` and `credsweep diff`: the runs `audit --db` stored, and what changed between two. */
import { access, constants } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { InputError, UsageError } from '../../errors.ts';
import { diffRuns } from '../../history/diff-runs.ts';
import { renderDiffTable } from '../../history/render-diff.ts';
import { type Column, renderTable } from '../../reporters/fit-table.ts';
import { wrapText } from '../../reporters/text-width.ts';
import type { RunStore, RunSummary } from '../../history/run-store.ts';
import { openSqliteRunStore } from '../../history/sqlite-run-store.ts';
import { loadCliConfig, requireDbPath } from '../config-options.ts';
import type { CliContext } from '../context.ts';
import { configOption, oneOf, quietOption, wideOption } from '../options.ts';
import { writeOutput } from '../output.ts';

interface HistoryFlags {
  db?: string;
  config?: string;
  format: 'table' | 'json';
}

/** history and diff only read: a database that does not exist is a mistake (a typo), not an empty history. */
async function openStore(ctx: CliContext, flags: HistoryFlags): Promise<{ store: RunStore; path: string }> {
  const path = requireDbPath(flags.db, await loadCliConfig(flags.config, ctx));
  try {
    await access(path, constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT' ? 'no such history database' : `cannot read the history database (${code})`,
      path,
      undefined,
      code === 'ENOENT' ? '`credsweep audit --db FILE` creates it' : undefined,
    );
  }
  return { store: await openSqliteRunStore(path), path };
}

const commonOptions = (command: Command) =>
  command
    .option('--db <file>', 'the history database (SQLite) audit --db wrote')
    .addOption(configOption('its db'))
    .addOption(
      new Option('--format <format>', 'output format').default('table').argParser(oneOf(['table', 'json'])),
    )
    .addOption(wideOption())
    .addOption(quietOption());

const RUN_COLUMNS: readonly Column[] = [
  { header: 'RUN', align: 'right', shorten: 'none' },
  { header: 'RUN AT (UTC)', shorten: 'none' },
  { header: 'AS OF', shorten: 'none', constantLabel: 'as of' },
  { header: 'THRESHOLD', align: 'right', shorten: 'none', constantLabel: 'threshold' },
  { header: 'SOURCE', constantLabel: 'source', optional: 1 },
  { header: 'ACCOUNTS', align: 'right', shorten: 'none', constantLabel: 'accounts' },
  { header: 'UNUSED', align: 'right', shorten: 'none' },
  { header: 'CREDENTIALS', align: 'right', shorten: 'none' },
];

/** One row per run: when, judged as of when and with what threshold, from which source, how many accounts. */
export function runRow(r: RunSummary): string[] {
  const failed = r.accounts.filter((a) => a.status !== 'ok').length;
  const sources = [...new Set(r.accounts.map((a) => a.source).filter(Boolean))].sort();
  return [
    String(r.id),
    r.runAt.replace('T', ' ').slice(0, 16),
    r.asOf.slice(0, 10),
    `${r.thresholdDays} days`,
    sources.length > 0 ? sources.join(', ') : 'credential report file',
    `${r.accounts.length}${failed ? ` (${failed} failed)` : ''}`,
    String(r.summary.unused ?? 0),
    String(r.findingCount),
  ];
}

export function historyCommand(ctx: CliContext): Command {
  return commonOptions(
    new Command('history').description('list the audit runs stored with audit --db'),
  ).action(async (flags: HistoryFlags) => {
    const { store } = await openStore(ctx, flags);
    try {
      const runs = await store.listRuns();
      const text =
        flags.format === 'json'
          ? `${JSON.stringify(runs, null, 2)}\n`
          : runs.length === 0
            ? 'No runs stored yet (run credsweep audit --db FILE).\n'
            : `${renderTable(RUN_COLUMNS, runs.map(runRow), ctx.tableWidth, '--wide or --format json')}\n`;
      await writeOutput(undefined, text, { stdout: ctx.stdout });
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
    const { store, path } = await openStore(ctx, flags);
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
      const text =
        flags.format === 'json'
          ? `${JSON.stringify({ from: earlier.id, to: later.id, ...diff }, null, 2)}\n`
          : `${wrapText(`Run ${earlier.id} (${earlier.runAt}) → run ${later.id} (${later.runAt})`, ctx.tableWidth).join('\n')}\n${renderDiffTable(diff, ctx.tableWidth)}`;
      await writeOutput(undefined, text, { stdout: ctx.stdout });
    } finally {
      await store.close();
    }
  });
}
