/**
 * How many runs a history database keeps: `--keep-runs N` / `--keep-days N` (`keepRuns` /
 * `keepDays` in the configuration file). Pure: the runs and "now" come in, the ids to remove go out.
 *
 *   runsPastRetention(runs, retention, now) → ids of whole runs to remove (never the newest)
 */
import { counted } from '../plural.ts';
import { type EpochMs, MS_PER_DAY } from '../time.ts';

export interface Retention {
  /** At most this many runs, the newest (the last stored) ones. */
  keepRuns?: number;
  /** No run that ran more than this many days before `now`. */
  keepDays?: number;
}

/** The most runs and days a retention may name (validated at the edges: flags and configuration). */
export const MAX_KEEP_RUNS = 1_000_000;
export const MAX_KEEP_DAYS = 36_500;

/**
 * A retention's limits each remove: a run is kept only while it is within every limit given, so the
 * two together bound the file however often the audit runs. The newest (last stored) run is always
 * kept, even when it is older than keepDays: a database is never emptied by its retention. A run
 * whose time cannot be read is kept by keepDays (its age is unknown, not old).
 */
export function runsPastRetention(
  runs: readonly { id: number; runAt: string }[],
  retention: Retention,
  now: EpochMs,
): number[] {
  const newestFirst = [...runs].sort((a, b) => b.id - a.id);
  const oldest = retention.keepDays === undefined ? undefined : now - retention.keepDays * MS_PER_DAY;
  return newestFirst
    .filter((run, index) => {
      if (index === 0) return false;
      if (retention.keepRuns !== undefined && index >= retention.keepRuns) return true;
      const at = Date.parse(run.runAt);
      return oldest !== undefined && at < oldest;
    })
    .map((run) => run.id)
    .sort((a, b) => a - b);
}

/** The retention the flags and the configuration file give, a flag winning over its key; undefined: none. */
export function resolveRetention(flags: Retention, config: Retention | undefined): Retention | undefined {
  const keepRuns = flags.keepRuns ?? config?.keepRuns;
  const keepDays = flags.keepDays ?? config?.keepDays;
  if (keepRuns === undefined && keepDays === undefined) return undefined;
  return { ...(keepRuns !== undefined ? { keepRuns } : {}), ...(keepDays !== undefined ? { keepDays } : {}) };
}

/** `at most 30 runs, none older than 90 days`: what a retention keeps, in words. */
export function describeRetention(retention: Retention): string {
  const parts = [
    ...(retention.keepRuns !== undefined ? [`at most ${counted(retention.keepRuns, 'run')}`] : []),
    ...(retention.keepDays !== undefined ? [`none older than ${counted(retention.keepDays, 'day')}`] : []),
  ];
  return parts.join(', ');
}

/** `1-3, 7`: run ids (ascending) as ranges, so ten thousand pruned nightly runs stay one short line. */
export function idRanges(ids: readonly number[]): string {
  const ranges: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
    ranges.push(j === i ? String(ids[i]) : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return ranges.join(', ');
}
