/**
 * The `credsweep trail` sources that are not files: `--athena TABLE` (the aggregation as SQL in
 * Athena), `--lookup` (the LookupEvents API) and `--athena-ddl` (prints the CREATE TABLE for a trail
 * bucket). trail.ts adds these options with `addRemoteTrailOptions` and hands over with
 * `runRemoteTrail`; rendering the summary stays in trail.ts.
 */
import { type Command, Option } from 'commander';
import { createAthenaClient, createCloudTrailClient } from '../../aws/clients.ts';
import { UsageError } from '../../errors.ts';
import type { TrailSummary } from '../../model/trail-summary.ts';
import { type EpochMs, MS_PER_DAY, toIso } from '../../time.ts';
import { runAthenaTrailQuery } from '../../sources/cloudtrail/athena.ts';
import { athenaTrailDdl, checkRegionName, checkTableName } from '../../sources/cloudtrail/athena-sql.ts';
import { LOOKUP_EVENTS_DAYS, lookupTrailEvents } from '../../sources/cloudtrail/lookup-events.ts';
import type { CliContext } from '../context.ts';
import { connectionFromFlags } from '../live-audit.ts';
import { openPendingOutput } from '../output.ts';

export interface RemoteTrailFlags {
  athena?: string;
  athenaOutput?: string;
  athenaDatabase?: string;
  workgroup?: string;
  athenaDdl?: boolean;
  bucket?: string;
  prefix?: string;
  orgId?: string;
  accounts?: string[];
  regions?: string[];
  table?: string;
  lookup?: boolean;
  region?: string[];
  profile?: string;
  endpointUrl?: string;
  output?: string;
}

/** What trail.ts already parsed and passes on. */
export interface TrailWindow {
  since?: EpochMs;
  until?: EpochMs;
  includeTemporary?: boolean;
}

function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

export function addRemoteTrailOptions(command: Command): Command {
  return command
    .option('--athena <table>', 'run the aggregation in Athena over this CloudTrail table ([database.]table)')
    .option('--athena-output <s3uri>', 'with --athena: s3://bucket/prefix/ for the query results')
    .option('--athena-database <name>', 'with --athena: the database (default: the workgroup’s)')
    .option('--workgroup <name>', 'with --athena: the Athena workgroup')
    .option('--athena-ddl', 'print CREATE TABLE (partition projection) for a trail bucket, then exit')
    .option('--bucket <name>', 'with --athena-ddl: the trail bucket')
    .option('--prefix <prefix>', 'with --athena-ddl: the key prefix before AWSLogs/')
    .option('--org-id <o-id>', 'with --athena-ddl: organisation trail (AWSLogs/<org-id>/<account>/…)')
    .addOption(
      new Option(
        '--accounts <ids>',
        'with --athena-ddl: account ids in the bucket (comma-separated)',
      ).argParser(list),
    )
    .addOption(
      new Option(
        '--regions <names>',
        'with --athena-ddl: Regions to project (default: all commercial)',
      ).argParser(list),
    )
    .option('--table <name>', 'with --athena-ddl: the table name (default cloudtrail_logs)')
    .option('--lookup', 'read the last 90 days of management events with the LookupEvents API')
    .addOption(
      new Option(
        '--region <name>',
        'AWS Region (repeatable or comma-separated; --lookup queries each)',
      ).argParser(list),
    )
    .option('--profile <name>', 'AWS shared-config profile')
    .option('--endpoint-url <url>', 'send AWS calls to this endpoint (e.g. a local emulator)');
}

/** True when the flags ask for one of the sources here (then trail.ts takes no PATH). */
export function wantsRemoteTrail(flags: RemoteTrailFlags): boolean {
  return Boolean(flags.athena || flags.lookup || flags.athenaDdl);
}

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
    const out = await openPendingOutput(flags.output);
    await out.write(ddl);
    await out.commit();
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
