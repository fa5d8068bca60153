/**
 * `credsweep permissions`: unused services (and tracked actions) per user and role, from Access
 * Advisor (merged with IAM Access Analyzer's unused-permission findings with `--access-analyzer`), in
 * the audit's JSON envelope; `--suggest-policy` prints reduced policies for review.
 */
import { Command, Option } from 'commander';
import { AUDIT_DEFAULTS, PRINCIPAL_CONCURRENCY } from '../../audit/settings.ts';
import type { CliContext } from '../context.ts';
import {
  configOption,
  endpointUrlOption,
  oneOf,
  parseAccessAnalyzer,
  parseDays,
  parsePositiveInt,
  profileOption,
  withAccountTargetOptions,
} from '../options.ts';
import { withReportOutputOptions } from '../report-options.ts';
import type { PermissionsFlags } from '../run/permissions.ts';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').filter(Boolean)];
}

export function permissionsCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  return withReportOutputOptions(
    withAccountTargetOptions(
      new Command('permissions')
        .description(
          'find granted services (and tracked actions) that users and roles do not use (Access Advisor)',
        )
        .option(
          '--principal <arn>',
          'a user or role ARN (repeatable or comma-separated; default: every user and role)',
          collect,
        )
        .addOption(
          new Option('--days <n>', 'unused after this many days')
            .default(AUDIT_DEFAULTS.days)
            .argParser(parseDays),
        )
        .addOption(
          new Option('--granularity <level>', 'service, or action (tracked actions too)')
            .default('service')
            .argParser(oneOf(['service', 'action'] as const)),
        )
        .option('--suggest-policy', 'print a reduced policy per principal for review (never applied)')
        .addOption(
          new Option(
            '--access-analyzer [arn]',
            "merge an existing IAM Access Analyzer's unused-permission findings (its action-level details where Access Advisor has none), never creating one (off unless given; given without an ARN: auto, i.e. Security Hub's, the organization's or the account's)",
          ).argParser(parseAccessAnalyzer),
        )
        .addOption(
          new Option('--principal-concurrency <n>', 'principals evaluated at once (was --concurrency)')
            .default(PRINCIPAL_CONCURRENCY)
            .argParser(parsePositiveInt(64)),
        )
        // The old name: --concurrency means accounts in every other command; still accepted here.
        .addOption(new Option('--concurrency <n>').argParser(parsePositiveInt(64)).hideHelp()),
    )
      .addOption(
        new Option('--account-concurrency <n>', 'with --accounts/--org: accounts at once')
          .default(4)
          .argParser(parsePositiveInt(64)),
      )
      .addOption(profileOption())
      .option('--region <region>', 'AWS region for the IAM client (IAM is global)')
      .addOption(endpointUrlOption())
      .addOption(configOption('thresholds.permission, exemptions')),
    'permission',
  ).action(async (flags: PermissionsFlags, command: Command) => {
    const { runPermissions } = await import('../run/permissions.ts');
    await runPermissions(ctx, flags, command, setExit);
  });
}
