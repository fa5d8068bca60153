/**
 * Which files a `credsweep trail PATH...` reads: directory trees in the CloudTrail S3 layout (also
 * copied locally), single files, and the pruning of date folders outside --since/--until. The S3
 * listing (s3.ts) uses the same rules on key prefixes.
 *
 * Layout (docs/aws-behaviour.md §4.1):
 *   <prefix>/AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz
 *   <prefix>/AWSLogs/<o-orgid>/<acct>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz   (organisation trail)
 * `CloudTrail-Digest/` and `CloudTrail-Insight/` hold other kinds of file and are skipped.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../errors.ts';
import { type EpochMs, MS_PER_DAY, yearInRange } from '../../time.ts';
import type { TrailObject } from './read-object.ts';

export const SKIPPED_FOLDERS = new Set(['CloudTrail-Digest', 'CloudTrail-Insight']);
const TRAIL_FILE = /\.(json|jsonl|ndjson)(\.gz)?$/i;

export interface TrailWindow {
  since?: EpochMs;
  until?: EpochMs;
}

/** True for the names of files a directory walk picks up. */
export function isTrailFileName(name: string): boolean {
  return TRAIL_FILE.test(name);
}

/**
 * True when the date folder named by `segments` (a path split on '/') cannot hold records inside the
 * window, so it need not be read. The date in the path is the *delivery* day and a file holds records
 * from before its delivery (§4.1): a day before `since` can go, but a day after `until` can still
 * hold earlier records, so the upper end is widened by a day.
 */
export function isOutsideWindow(segments: readonly string[], window: TrailWindow): boolean {
  if (window.since === undefined && window.until === undefined) return false;
  const at = segments.lastIndexOf('CloudTrail');
  if (at < 0) return false;
  const [y, m, d] = segments.slice(at + 2, at + 5);
  if (y === undefined || !/^\d{4}$/.test(y)) return false;
  const year = Number(y);
  // A folder year credsweep cannot read (outside 1970–9999; Date.UTC makes 0050 into 1950) is not
  // pruned: its records are judged by their own eventTime.
  if (!yearInRange(year)) return false;
  let from: number;
  let to: number;
  if (m === undefined || !/^\d{2}$/.test(m)) {
    from = Date.UTC(year, 0, 1);
    to = Date.UTC(year + 1, 0, 1);
  } else if (d === undefined || !/^\d{2}$/.test(d)) {
    from = Date.UTC(year, Number(m) - 1, 1);
    to = Date.UTC(year, Number(m), 1);
  } else {
    from = Date.UTC(year, Number(m) - 1, Number(d));
    to = from + MS_PER_DAY;
  }
  if (window.since !== undefined && to <= window.since) return true;
  if (window.until !== undefined && from >= window.until + MS_PER_DAY) return true;
  return false;
}

/** The local files under the given paths (s3:// paths are listed by s3.ts), sorted within each. */
export async function locateLocalTrailFiles(path: string, window: TrailWindow): Promise<TrailObject[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such file or directory' : `cannot read (${code})`, path);
  }
  if (!info.isDirectory() && !info.isFile() && !info.isFIFO()) {
    // A FIFO (`<(zcat …)`) is streamed; a device such as /dev/zero would be read for ever.
    throw new InputError('is a device or socket, not a trail file or folder', path);
  }
  if (!info.isDirectory()) return [{ kind: 'file', path }];
  const found: TrailObject[] = [];
  await walk(path, path.split(/[\\/]+/), window, found);
  return found;
}

async function walk(
  dir: string,
  segments: string[],
  window: TrailWindow,
  found: TrailObject[],
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new InputError(`cannot read directory (${(e as NodeJS.ErrnoException).code})`, dir);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (SKIPPED_FOLDERS.has(entry.name)) continue;
      const next = [...segments, entry.name];
      if (isOutsideWindow(next, window)) continue;
      await walk(path, next, window, found);
    } else if ((entry.isFile() || entry.isSymbolicLink()) && isTrailFileName(entry.name)) {
      found.push({ kind: 'file', path });
    }
  }
}
