/**
 * The `credsweep trail` sources that are not files: `--athena TABLE` (the aggregation as SQL in
 * Athena), `--lookup` (the LookupEvents API) and `--athena-ddl` (prints the CREATE TABLE for a trail
 * bucket). commands/trail.ts adds these options with `addRemoteTrailOptions` (trail-remote-options.ts) and
 * hands over with `runRemoteTrail`; rendering the summary stays in commands/trail.ts.
 */
import { createAthenaClient, createCloudTrailClient } from '../aws/trail-clients.ts';
import { UsageError } from '../errors.ts';
import type { TrailSummary } from '../model/trail-summary.ts';
import { MS_PER_DAY, toIso } from '../time.ts';
import { runAthenaTrailQuery } from '../sources/cloudtrail/athena.ts';
import { athenaTrailDdl, checkRegionName, checkTableName } from '../sources/cloudtrail/athena-sql.ts';
import { LOOKUP_EVENTS_DAYS, lookupTrailEvents } from '../sources/cloudtrail/lookup-events.ts';
import type { CliContext } from './context.ts';
import { connectionFromFlags } from '../audit/resolve-connection.ts';
import { writeOutput } from './output.ts';
import type { RemoteTrailFlags, TrailWindow } from './trail-remote-options.ts';

const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

/**
 * Runs the requested remote source. Returns the summary to render, or null when it printed DDL
 * (nothing else to do). `paths` are trail.ts's positional arguments: they cannot be mixed with these.
 */
export async function runRemoteTrail(
  ctx: CliContext,
  flags: RemoteTrailFlags,
  window: TrailWindow,
  paths: readonly string[] = [],
): Promise<TrailSummary | null> {
  const chosen = [
    flags.athena && '--athena',
    flags.lookup && '--lookup',
    flags.athenaDdl && '--athena-ddl',
  ].filter(Boolean);
  if (chosen.length > 1) throw new UsageError(`${chosen.join(' and ')} cannot be combined`);
  if (paths.length > 0) throw new UsageError(`${chosen[0]} reads from AWS: give no PATH`);
  for (const r of flags.region ?? []) checkRegionName(r);
  const connection = connectionFromFlags(
    { profile: flags.profile, region: flags.region?.[0], endpointUrl: flags.endpointUrl },
    ctx.env,
  );
  const region = connection.region ?? 'us-east-1';
  if (flags.athenaDdl) {
    if (!flags.bucket) throw new UsageError('--athena-ddl needs --bucket NAME');
    const ddl = athenaTrailDdl({
      bucket: flags.bucket,
      prefix: flags.prefix,
      orgId: flags.orgId,
      accounts: flags.accounts ?? [],
      regions: flags.regions,
      table: flags.table,
      since: window.since,
    });
    await writeOutput(flags.output, ddl, { stdout: ctx.stdout });
    return null;
  }
  if (flags.athena) {
    checkTableName(flags.athena);
    if (!flags.athenaOutput) throw new UsageError('--athena needs --athena-output s3://bucket/prefix/');
    const athena = createAthenaClient({ ...connection, region });
    try {
      return await runAthenaTrailQuery(athena, {
        table: flags.athena,
        outputLocation: flags.athenaOutput,
        database: flags.athenaDatabase,
        workgroup: flags.workgroup,
        includeTemporary: window.includeTemporary,
        since: window.since,
        until: window.until,
        sleep,
      });
    } finally {
      athena.destroy();
    }
  }
  const regions = flags.region && flags.region.length > 0 ? flags.region : [region];
  const earliest = ctx.now() - LOOKUP_EVENTS_DAYS * MS_PER_DAY;
  if (window.since !== undefined && window.since < earliest) {
    ctx.stderr.write(
      `credsweep: note: LookupEvents keeps ${LOOKUP_EVENTS_DAYS} days; reading from ${toIso(earliest)}, not --since\n`,
    );
  }
  const clients = new Map(regions.map((r) => [r, createCloudTrailClient({ ...connection, region: r })]));
  try {
    return await lookupTrailEvents({
      regions,
      clientFor: (r) => clients.get(r)!,
      asOf: ctx.now(),
      since: window.since,
      until: window.until,
      includeTemporary: window.includeTemporary,
      now: ctx.now,
      sleep,
    });
  } finally {
    for (const c of clients.values()) c.destroy();
  }
}
