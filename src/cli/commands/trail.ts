/**
 * `credsweep trail PATH... [--since] [--until] [--format table|json] [--include-temporary]`: what the
 * CloudTrail logs say about access keys, role assumptions and console sign-ins. PATH is a log tree,
 * a file, or s3://bucket/prefix; --athena / --lookup / --athena-ddl (../trail-remote.ts) read from AWS
 * instead. A bad file is reported and skipped; the scan goes on and exits 3 at the end.
 */
import { Command, Option } from 'commander';
import { s3ConnectionFrom } from '../../audit/resolve-connection.ts';
import { UsageError } from '../../errors.ts';
import type { TrailSummary } from '../../model/trail-summary.ts';
import { renderTrailTable } from '../../reporters/trail-table.ts';
import { DEFAULT_MAX_INFLATED_BYTES } from '../../sources/cloudtrail/read-object.ts';
import { scanCloudTrail } from '../../sources/cloudtrail/scan.ts';
import type { EpochMs } from '../../time.ts';
import type { CliContext } from '../context.ts';
import { oneOf, parseAsOfFlag, parsePositiveInt, wideOption } from '../options.ts';
import { writeOutput } from '../output.ts';
import { addRemoteTrailOptions, type RemoteTrailFlags, wantsRemoteTrail } from '../trail-remote-options.ts';
import { reportBadTrailFiles } from '../trail-files.ts';

export interface TrailFlags extends RemoteTrailFlags {
  since?: EpochMs;
  until?: EpochMs;
  format: 'table' | 'json';
  includeTemporary?: boolean;
  output?: string;
  workers?: number;
  inFlight?: number;
  maxInflatedMb?: number;
}

export function checkWindow(since: EpochMs | undefined, until: EpochMs | undefined): void {
  if (since !== undefined && until !== undefined && since >= until) {
    throw new UsageError('--since must be earlier than --until');
  }
}

export function trailCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  const command = new Command('trail')
    .description('what CloudTrail logs say about access keys, role assumptions and console sign-ins')
    .argument('[path...]', 'log directory tree, .json/.json.gz/.jsonl file, or s3://bucket/prefix')
    .addOption(
      new Option('--since <date>', 'only events at or after this time (YYYY-MM-DD or ISO-8601)').argParser(
        parseAsOfFlag,
      ),
    )
    .addOption(new Option('--until <date>', 'only events before this time').argParser(parseAsOfFlag))
    .addOption(
      new Option('--format <format>', 'output format')
        .default('table')
        .argParser(oneOf(['table', 'json'] as const)),
    )
    .option('--include-temporary', 'also report temporary (ASIA…) access keys')
    .option('--output <file>', 'write to this file instead of standard output')
    .addOption(wideOption())
    .addOption(
      new Option(
        '--max-inflated-mb <n>',
        `a .gz file inflating past this many MiB is reported bad and not read on (default ${DEFAULT_MAX_INFLATED_BYTES / 1024 / 1024})`,
      ).argParser(parsePositiveInt(1024 * 1024)),
    )
    .addOption(
      new Option('--workers <n>', 'worker threads (default: one per core)')
        .argParser(parsePositiveInt(64))
        .hideHelp(),
    )
    .addOption(
      new Option('--in-flight <n>', 'objects each worker reads at once (default 2 for files, 8 for S3)')
        .argParser(parsePositiveInt(64))
        .hideHelp(),
    );
  addRemoteTrailOptions(command);
  return command.action(async (paths: string[], flags: TrailFlags) => {
    checkWindow(flags.since, flags.until);
    const window = {
      since: flags.since,
      until: flags.until,
      includeTemporary: flags.includeTemporary ?? false,
    };
    let summary: TrailSummary | null;
    if (wantsRemoteTrail(flags)) {
      const { runRemoteTrail } = await import('../trail-remote.ts');
      summary = await runRemoteTrail(ctx, flags, window, paths);
      if (summary === null) return;
    } else {
      if (paths.length === 0) {
        throw new UsageError(
          'nothing to scan: give a PATH (directory, file or s3://bucket/prefix), --athena or --lookup',
        );
      }
      summary = await scanCloudTrail(paths, {
        ...window,
        workers: flags.workers,
        ...(flags.inFlight ? { inFlight: flags.inFlight } : {}),
        s3: s3ConnectionFrom({ ...flags, region: flags.region?.[0] }, ctx.env),
        ...(flags.maxInflatedMb ? { maxInflatedBytes: flags.maxInflatedMb * 1024 * 1024 } : {}),
      });
    }
    await writeOutput(
      flags.output,
      flags.format === 'json'
        ? `${JSON.stringify(summary, null, 2)}\n`
        : renderTrailTable(
            summary,
            flags.output === undefined || flags.output === '-' ? ctx.tableWidth : undefined,
          ),
      { stdout: ctx.stdout },
    );
    setExit(reportBadTrailFiles(ctx, summary));
  });
}
