/**
 * The options of the `credsweep trail` sources that are not files (`--athena`, `--lookup`,
 * `--athena-ddl`); running them is trail-remote.ts, loaded only when one is asked for (it brings the
 * Athena and CloudTrail SDK clients).
 */
import { type Command, Option } from 'commander';
import type { EpochMs } from '../time.ts';
import { endpointUrlOption, profileOption } from './options.ts';

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
    .option('--org-id <o-id>', 'with --athena-ddl: an organization trail (AWSLogs/<org-id>/<account>/…)')
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
    .option('--table <name>', 'with --athena-ddl: the table name (default: cloudtrail_logs)')
    .option('--lookup', 'read the last 90 days of management events with the LookupEvents API')
    .addOption(
      new Option(
        '--region <name>',
        'AWS Region (repeatable or comma-separated; --lookup queries each)',
      ).argParser(list),
    )
    .addOption(profileOption())
    .addOption(endpointUrlOption());
}

/** True when the flags ask for one of the sources here (then trail.ts takes no PATH). */
export function wantsRemoteTrail(flags: RemoteTrailFlags): boolean {
  return Boolean(flags.athena || flags.lookup || flags.athenaDdl);
}
