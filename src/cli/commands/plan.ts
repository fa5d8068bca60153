/**
 * `credsweep plan`: findings (from an audit JSON, or a live audit with the audit's flags) → the
 * principals' tags and the configuration's exemptions applied → a remediation plan, sealed with its
 * digest, printed as a table and written as JSON with --output. Reads AWS only for tags, key ids and
 * the caller's identity; changes nothing.
 */
import { Command, Option } from 'commander';
import { LIVE_SOURCES } from '../../audit/live-source.ts';
import { AUDIT_DEFAULTS } from '../../audit/settings.ts';
import { DEFAULT_DELETE_AFTER_DAYS } from '../../remediation/apply-thresholds.ts';
import type { CliContext } from '../context.ts';
import {
  asOfOption,
  configOption,
  exemptTagOption,
  noSshPublicKeysOption,
  oneOf,
  parseAccountIds,
  parseDays,
  parsePositiveInt,
  quietOption,
  wideOption,
} from '../options.ts';
import { refuseArgument } from '../stray-arguments.ts';
import {
  addConnectionOptions,
  PLAN_AUDIT_CONCURRENCY,
  planKeyFileOption,
  trustUnsignedJournalOption,
} from '../remediation-options.ts';
import type { PlanFlags } from '../run/plan.ts';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').filter(Boolean)];
}

export function planCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  const command = new Command('plan')
    .description('plan the remediation of unused credentials (changes nothing)')
    .option('--from <file>', 'the audit JSON (credsweep audit --format json); without it, audit live first')
    .option('--output <file>', 'write the plan (JSON) here; apply reads it')
    .addOption(wideOption())
    .addOption(quietOption())
    .addOption(
      new Option('--format <format>', 'what to print')
        .default('table')
        .argParser(oneOf(['table', 'json'] as const)),
    )
    .addOption(
      new Option(
        '--delete-after <days>',
        'delete access keys inactive (roles quarantined) by credsweep for this many days',
      )
        .default(DEFAULT_DELETE_AFTER_DAYS)
        .argParser(parseDays),
    )
    .option(
      '--include <pattern>',
      'plan only these principals (name, ARN or account id; * wildcard; case ignored; repeatable or comma-separated)',
      collect,
      [],
    )
    .option(
      '--exclude <pattern>',
      'never plan these principals (name, ARN or account id; * wildcard; case ignored; repeatable or comma-separated)',
      collect,
      [],
    )
    .option(
      '--allow-irreversible',
      'also plan irreversible steps: deleting access keys credsweep deactivated (--journal), unused console passwords, root keys',
    )
    .option(
      '--include-root',
      'delete unused root access keys of member accounts (sts:AssumeRoot; with --allow-irreversible)',
    )
    .option(
      '--roles',
      'quarantine unused roles (reversible); with --allow-irreversible delete roles credsweep quarantined --delete-after days ago (undo recreates them)',
    )
    .option('--include-service-roles', 'with --roles: also roles whose trust policy names an AWS service')
    .option(
      '--quarantine-users',
      'quarantine users none of whose credentials is in use (reversible; instead of deleting an unused console password)',
    )
    .option(
      '--permissions',
      "fence off users' and roles' unused services with a permissions boundary (restrict-permissions, reversible): from --from <permissions JSON> or a live permissions audit",
    )
    .addOption(
      new Option(
        '--granularity <level>',
        'with --permissions, live: service, or action (deny unused tracked actions too)',
      ).argParser(oneOf(['service', 'action'] as const)),
    )
    .option(
      '--access-analyzer <arn|auto>',
      'with --permissions, live: IAM Access Analyzer unused-permission findings too',
    )
    .addOption(planKeyFileOption())
    .option(
      '--journal <file>',
      'journals of earlier runs: when keys were deactivated (repeatable)',
      collect,
      [],
    )
    .addOption(trustUnsignedJournalOption('--journal files'))
    .addOption(asOfOption())
    .addOption(
      new Option('--days <n>', 'live audit: unused after this many days')
        .default(AUDIT_DEFAULTS.days)
        .argParser(parseDays),
    )
    .addOption(
      new Option('--source <source>', 'live audit: report or api')
        .default(AUDIT_DEFAULTS.source)
        .argParser(oneOf(LIVE_SOURCES)),
    )
    .option('--accounts <ids>', 'live audit: these accounts (comma-separated)', parseAccountIds)
    .option('--org', 'live audit: every active account of the organization (AWS Organizations)')
    .addOption(configOption('its exemptions apply to any audit, its settings to the live audit'))
    .addOption(
      exemptTagOption(
        'users and roles with this tag are never planned (as well as the default tag; recorded in the plan: apply honours it too)',
      ),
    )
    .addOption(
      new Option('--concurrency <n>', 'live audit: accounts at once')
        .default(PLAN_AUDIT_CONCURRENCY)
        .argParser(parsePositiveInt(64)),
    )
    .addOption(noSshPublicKeysOption('live audit: '));
  return addConnectionOptions(command)
    .allowExcessArguments()
    .action(async (flags: PlanFlags, self: Command) => {
      refuseArgument(self, '--from');
      const { runPlan } = await import('../run/plan.ts');
      setExit(await runPlan(ctx, flags, self));
    });
}
