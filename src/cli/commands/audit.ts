/**
 * `credsweep audit`: flags and the configuration file → resolveSettings → runAudit (the library's
 * one audit use case, src/audit/run-audit.ts) → the chosen reporter; exit code from the outcome.
 */
import { Command, Option } from 'commander';
import { LIVE_SOURCES, type LiveSource } from '../../audit/live-source.ts';
import { describeAccessAnalyzerOutcome } from '../../audit/describe-access-analyzer.ts';
import { DEFAULT_MANY_IPS } from '../../audit/fold-trail-evidence.ts';
import { runAudit } from '../../audit/run-audit.ts';
import { AUDIT_DEFAULTS, MAX_JOBS, resolveSettings } from '../../audit/settings.ts';
import { exemptionWarnings } from '../../config/exemptions.ts';
import { ExitCode } from '../../errors.ts';
import type { ExemptionPolicy } from '../../rules/index.ts';
import { auditHistory } from '../audit-history.ts';
import { givenFlag, loadCliConfig } from '../config-options.ts';
import type { CliContext } from '../context.ts';
import { emitAudit } from '../emit-audit.ts';
import { type FailOn, failOnExit } from '../fail-on.ts';
import {
  configOption,
  endpointUrlOption,
  exemptTagOption,
  keepDaysOption,
  keepRunsOption,
  noSshPublicKeysOption,
  oneOf,
  parseAccessAnalyzer,
  parseDays,
  parsePositiveInt,
  profileOption,
  withAccountTargetOptions,
} from '../options.ts';
import { refuseArgument } from '../stray-arguments.ts';
import { startProgress } from '../progress.ts';
import { withReportOutputOptions } from '../report-options.ts';
import { reportBadTrailFiles } from '../trail-files.ts';

export interface AuditFlags {
  report?: string;
  days: number;
  asOf?: number;
  format: string;
  output?: string;
  failOn?: FailOn;
  source?: LiveSource;
  exemptTag?: ExemptionPolicy;
  accounts?: string[];
  org?: boolean;
  roleName?: string;
  externalId?: string;
  concurrency?: number;
  profile?: string;
  region?: string;
  endpointUrl?: string;
  cloudtrail?: string[];
  /** true: the flag without a value (commander does not call the parser then), i.e. `auto`. */
  accessAnalyzer?: string | true;
  manyIps?: number;
  /** false: --no-ssh-public-keys given. */
  sshPublicKeys?: boolean;
  config?: string;
  db?: string;
  keepRuns?: number;
  keepDays?: number;
  jobs?: number;
}

function collectPaths(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function auditCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  return withReportOutputOptions(
    withAccountTargetOptions(
      new Command('audit')
        .description(
          'find unused credentials: live from AWS (default), or in a credential report CSV (--report)',
        )
        .option(
          '--report <file>',
          'credential report CSV to audit (- for standard input) instead of asking AWS',
        )
        .addOption(
          new Option(
            '--source <source>',
            `live: credential report, or the IAM API (knows key ids) [default: ${AUDIT_DEFAULTS.source}]`,
          ).argParser(oneOf(LIVE_SOURCES)),
        ),
      'live: ',
    )
      .addOption(
        new Option(
          '--concurrency <n>',
          `live: accounts audited at once [default: ${AUDIT_DEFAULTS.concurrency}]`,
        ).argParser(parsePositiveInt(64)),
      )
      .addOption(exemptTagOption())
      .addOption(
        new Option(
          '--jobs <n>',
          'with --report FILE and json or csv output: threads auditing it (N: this one and N-1 workers) [default: CREDSWEEP_JOBS, else one per core (at most 4) for a file of 16 MiB or more]',
        ).argParser(parsePositiveInt(MAX_JOBS)),
      )
      .addOption(noSshPublicKeysOption('live: '))
      .addOption(profileOption('live: '))
      .option('--region <region>', 'live: AWS region for the clients (IAM is global)')
      .addOption(endpointUrlOption('live: '))
      .addOption(configOption())
      .option('--db <file>', 'store this run in a history database (SQLite), for credsweep history/diff')
      .addOption(keepRunsOption('with --db: '))
      .addOption(keepDaysOption('with --db: '))
      .option(
        '--cloudtrail <path>',
        'merge CloudTrail evidence (log tree, file or s3://bucket/prefix; repeatable)',
        collectPaths,
      )
      .addOption(
        new Option(
          '--access-analyzer [arn]',
          "live: fold in an existing IAM Access Analyzer's unused-access findings, never creating one (off unless given; given without an ARN: auto, i.e. Security Hub's, the organization's or the account's)",
        ).argParser(parseAccessAnalyzer),
      )
      .addOption(
        new Option(
          '--many-ips <n>',
          `with --cloudtrail: more source IPs than this flag a key [default: ${DEFAULT_MANY_IPS}]`,
        ).argParser(parsePositiveInt(1_000_000)),
      )
      .addOption(
        new Option('--days <n>', 'unused after this many days')
          .default(AUDIT_DEFAULTS.days)
          .argParser(parseDays),
      ),
    'credential',
  )
    .allowExcessArguments()
    .action(async (flags: AuditFlags, command: Command) => {
      refuseArgument(command, '--report');
      const configFile = await loadCliConfig(flags.config, ctx);
      const settings = resolveSettings(
        {
          ...flags,
          days: givenFlag(command, 'days', flags.days),
          sshPublicKeys: givenFlag(command, 'sshPublicKeys', flags.sshPublicKeys),
          accessAnalyzer: flags.accessAnalyzer === true ? 'auto' : flags.accessAnalyzer,
        },
        ctx.env,
        configFile,
        { now: ctx.now() },
      );
      const history = settings.dbPath ? auditHistory(ctx, settings.dbPath, settings.retention) : undefined;
      await history?.check();
      const run = await runAudit(settings, {
        stdin: ctx.stdin,
        progress: (accounts) => startProgress(ctx, accounts, 'accounts'),
      });
      const badTrail = run.trail ? reportBadTrailFiles(ctx, run.trail) : ExitCode.ok;
      if (run.accessAnalyzer)
        ctx.stderr.write(`credsweep: ${describeAccessAnalyzerOutcome(run.accessAnalyzer)}\n`);
      const badAnalyzer = run.accessAnalyzer !== undefined && 'error' in run.accessAnalyzer;
      const failed = run.accounts().filter((a) => a.status === 'failed');
      for (const a of failed) {
        ctx.stderr.write(
          `credsweep: account ${a.accountId}: ${a.error?.code ?? 'Error'}: ${a.error?.message ?? 'failed'}\n`,
        );
      }
      const extras = () => {
        const exemptions = run.exemptions();
        return exemptions ? { exemptions } : {};
      };
      const tally = await emitAudit(ctx, {
        format: flags.format,
        output: flags.output,
        meta: run.meta,
        // The history keeps Finding objects; json and csv can take findings rendered on worker threads.
        findingBatches: history
          ? history.keep(run.findingBatches)
          : (run.streamFor(flags.format) ?? run.findingBatches),
        accounts: run.accounts,
        extras,
        ...(history ? { trend: history.trend } : {}),
      });
      const outcome = run.exemptions();
      if (outcome && settings.configFile) {
        for (const line of exemptionWarnings(outcome, settings.configFile)) ctx.stderr.write(`${line}\n`);
      }
      // The report is written whatever the history does: a run it could not take is exit 2 after it,
      // unless AWS failed too (3 says the report itself is incomplete).
      const stored = (await history?.store(run.meta, tally, extras())) ?? true;
      if (failed.length > 0 || badTrail || badAnalyzer) return setExit(ExitCode.awsFailure);
      if (!stored) return setExit(ExitCode.usage);
      setExit(failOnExit(flags.failOn, tally));
    });
}
