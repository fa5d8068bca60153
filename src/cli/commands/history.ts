/**
 * `credsweep history` and `credsweep diff`: the runs `audit --db` stored, and what changed between
 * two; `credsweep history prune`: the runs past a retention removed and the file compacted.
 */
import { access, constants } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { InputError, UsageError } from '../../errors.ts';
import { formatBytes } from '../../files/read-whole.ts';
import { diffRuns } from '../../history/diff-runs.ts';
import { renderDiffTable } from '../../history/render-diff.ts';
import {
  describeRetention,
  idRanges,
  type Retention,
  resolveRetention,
  runsPastRetention,
} from '../../history/retention.ts';
import { type Column, renderTable, WIDE_OR_JSON } from '../../reporters/fit-table.ts';
import { wrapText } from '../../reporters/text-width.ts';
import type { RunStore, RunSummary } from '../../history/run-store.ts';
import { openSqliteRunStore } from '../../history/sqlite-run-store.ts';
import { counted } from '../../plural.ts';
import { printable } from '../../reporters/printable.ts';
import { loadCliConfig, requireDbPath } from '../config-options.ts';
import type { CliContext } from '../context.ts';
import { configOption, keepDaysOption, keepRunsOption, oneOf, quietOption, wideOption } from '../options.ts';
import { writeOutput } from '../output.ts';
import { refuseUnknownSubcommand } from '../stray-arguments.ts';

interface HistoryFlags {
  db?: string;
  config?: string;
  format: 'table' | 'json';
}

/**
 * history, diff and prune: a database that does not exist is a mistake (a typo), not an empty history.
 * `loaded`: the configuration file, when the caller read it already.
 */
async function openStore(
  ctx: CliContext,
  flags: HistoryFlags,
  loaded?: Awaited<ReturnType<typeof loadCliConfig>>,
): Promise<{ store: RunStore; path: string }> {
  const path = requireDbPath(flags.db, loaded ?? (await loadCliConfig(flags.config, ctx)));
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

const commonOptions = (command: Command, fromConfig = 'its db') =>
  command
    .option('--db <file>', 'the history database (SQLite) audit --db wrote')
    .addOption(configOption(fromConfig))
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

/**
 * One row per run: when, judged as of when and with what threshold, from which source, how many
 * accounts. Its text is the database file's: made printable, as every table's cells are, before it
 * is measured (the terminal guard's `\u001b` after the layout was six columns the table had counted
 * as one) and in a pipe too.
 */
export function runRow(r: RunSummary): string[] {
  return runCells(r).map(printable);
}

function runCells(r: RunSummary): string[] {
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
    'its db (prune: and keepRuns, keepDays)',
  )
    .addCommand(pruneCommand(ctx))
    .allowExcessArguments()
    .action(async (flags: HistoryFlags, command: Command) => {
      refuseUnknownSubcommand(command);
      const { store } = await openStore(ctx, flags);
      try {
        const runs = await store.listRuns();
        const text =
          flags.format === 'json'
            ? `${JSON.stringify(runs, null, 2)}\n`
            : runs.length === 0
              ? 'No runs stored yet (run credsweep audit --db FILE).\n'
              : `${renderTable(RUN_COLUMNS, runs.map(runRow), ctx.tableWidth, WIDE_OR_JSON)}\n`;
        await writeOutput(undefined, text, { stdout: ctx.stdout });
      } finally {
        await store.close();
      }
    });
}

interface PruneFlags extends HistoryFlags, Retention {
  dryRun?: boolean;
}

/**
 * `history prune`: the runs past the retention removed (whole runs, never the newest) and the file
 * compacted, in one write. --db, --config, --format and --quiet are history's (given before or after
 * `prune`: commander reads them as the parent's, hence optsWithGlobals).
 */
function pruneCommand(ctx: CliContext): Command {
  return new Command('prune')
    .description('remove the runs past a retention from the history database, and shrink the file')
    .addOption(keepRunsOption(''))
    .addOption(keepDaysOption(''))
    .option('--dry-run', 'say which runs would be removed; change nothing')
    .configureHelp({ showGlobalOptions: true })
    .action(async (_flags: PruneFlags, command: Command) => {
      const flags = command.optsWithGlobals<PruneFlags>();
      const loaded = await loadCliConfig(flags.config, ctx);
      const retention = resolveRetention(flags, loaded?.config);
      if (!retention) {
        throw new UsageError(
          'history prune needs --keep-runs N or --keep-days N (or keepRuns/keepDays in the configuration file)',
        );
      }
      const { store, path } = await openStore(ctx, flags, loaded);
      const now = ctx.now();
      try {
        const text = flags.dryRun
          ? prunePreview(path, retention, await store.listRuns(), now, flags.format)
          : pruneReport(path, retention, await store.pruneRuns(retention, now), flags.format);
        await writeOutput(undefined, text, { stdout: ctx.stdout });
      } finally {
        await store.close();
      }
    });
}

function prunePreview(
  path: string,
  retention: Retention,
  runs: readonly RunSummary[],
  now: number,
  format: HistoryFlags['format'],
): string {
  const removed = runsPastRetention(runs, retention, now);
  const kept = runs.length - removed.length;
  if (format === 'json')
    return `${JSON.stringify({ dryRun: true, removed, kept }, null, 2)}
`;
  if (removed.length === 0) return nothingToRemove(path, retention, kept);
  return `Would remove ${counted(removed.length, 'run')} (${idRanges(removed)}) from ${printable(path)} (${describeRetention(retention)}) and keep ${kept}; nothing changed (--dry-run).
`;
}

function pruneReport(
  path: string,
  retention: Retention,
  outcome: Awaited<ReturnType<RunStore['pruneRuns']>>,
  format: HistoryFlags['format'],
): string {
  if (format === 'json')
    return `${JSON.stringify({ dryRun: false, ...outcome }, null, 2)}
`;
  const { removed, kept, bytesBefore, bytesAfter } = outcome;
  if (removed.length === 0) return nothingToRemove(path, retention, kept);
  return `Removed ${counted(removed.length, 'run')} (${idRanges(removed)}) from ${printable(path)} (${describeRetention(retention)}) and kept ${kept}; ${formatBytes(bytesBefore)} → ${formatBytes(bytesAfter)}.
`;
}

function nothingToRemove(path: string, retention: Retention, kept: number): string {
  return `Nothing to remove from ${printable(path)}: its ${counted(kept, 'run')} ${kept === 1 ? 'is' : 'are'} within the retention (${describeRetention(retention)}).
`;
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
          : `${wrapText(printable(`Run ${earlier.id} (${earlier.runAt}) → run ${later.id} (${later.runAt})`), ctx.tableWidth).join('\n')}\n${renderDiffTable(diff, ctx.tableWidth)}`;
      await writeOutput(undefined, text, { stdout: ctx.stdout });
    } finally {
      await store.close();
    }
  });
}
