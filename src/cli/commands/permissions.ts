/**
 * `credsweep permissions`: unused services (and tracked actions) per user and role, from Access
 * Advisor, in the audit's JSON envelope; `--suggest-policy` prints reduced policies for review.
 */
import { Command, Option } from 'commander';
import { resolveAccountTargets } from '../../audit/audit-accounts.ts';
import { auditPermissions, auditPermissionsInAccounts } from '../../audit/audit-permissions.ts';
import { suggestReducedPolicies } from '../../audit/suggest-policy.ts';
import { DEFAULT_ROLE_NAME } from '../../aws/default-role.ts';
import { type AwsConnection, createClients, createIamClient, destroyClients } from '../../aws/clients.ts';
import { ExitCode, UsageError } from '../../errors.ts';
import type { AccountResult, Finding } from '../../model/finding.ts';
import { realSleep } from '../../sources/access-advisor/last-accessed.ts';
import { validatePrincipalArns } from '../../sources/access-advisor/principals.ts';
import type { AccessAdvisorGranularity } from '../../sources/access-advisor/service-access.ts';
import type { CliContext } from '../context.ts';
import { emitAudit } from '../emit-audit.ts';
import { countFindings, type FailOn, failOnExit } from '../fail-on.ts';
import { connectionFromFlags } from '../live-audit.ts';
import { oneOf, parseDays, parsePositiveInt, withAccountTargetOptions } from '../options.ts';
import { withReportOutputOptions } from '../report-options.ts';
import { openPendingOutput } from '../output.ts';

export interface PermissionsFlags {
  principal?: string[];
  days: number;
  granularity: AccessAdvisorGranularity;
  suggestPolicy?: boolean;
  asOf?: number;
  format: string;
  output?: string;
  failOn?: FailOn;
  concurrency: number;
  accounts?: string[];
  org?: boolean;
  roleName?: string;
  externalId?: string;
  accountConcurrency: number;
  profile?: string;
  region?: string;
  endpointUrl?: string;
}

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
        .addOption(new Option('--days <n>', 'unused after this many days').default(90).argParser(parseDays))
        .addOption(
          new Option('--granularity <level>', 'service, or action (tracked actions too)')
            .default('service')
            .argParser(oneOf(['service', 'action'] as const)),
        )
        .option('--suggest-policy', 'print a reduced policy per principal for review (never applied)')
        .addOption(
          new Option('--concurrency <n>', 'principals evaluated at once')
            .default(4)
            .argParser(parsePositiveInt(64)),
        ),
    )
      .addOption(
        new Option('--account-concurrency <n>', 'with --accounts/--org: accounts at once')
          .default(4)
          .argParser(parsePositiveInt(64)),
      )
      .option('--profile <name>', 'AWS shared-config profile')
      .option('--region <region>', 'AWS region for the IAM client (IAM is global)')
      .option('--endpoint-url <url>', 'send AWS calls to this endpoint (e.g. a local emulator)'),
    'permission',
  ).action(async (flags: PermissionsFlags) => {
    validatePrincipalArns(flags.principal ?? []);
    const fanOut = Boolean(flags.org || flags.accounts?.length);
    if (flags.org && flags.accounts?.length) throw new UsageError('--org and --accounts cannot be combined');
    if (fanOut && flags.principal?.length) {
      throw new UsageError('--principal names principals of this account: give it without --accounts/--org');
    }
    const generatedAt = ctx.now();
    const meta = { generatedAt, asOf: flags.asOf ?? generatedAt, thresholdDays: flags.days };
    const options = {
      asOf: meta.asOf,
      thresholdDays: meta.thresholdDays,
      granularity: flags.granularity,
      concurrency: flags.concurrency,
      poll: { sleep: realSleep },
    };
    const connection = connectionFromFlags(flags, ctx.env);
    let findings: Finding[];
    let accounts: AccountResult[];
    if (fanOut) {
      ({ findings, accounts } = await inAccounts(connection, flags, options));
    } else {
      // one account: the envelope lists it only when it failed, as before --accounts/--org existed
      const iam = createIamClient(connection);
      ({ findings, failures: accounts } = await auditPermissions(iam, {
        ...options,
        principals: flags.principal,
      }).finally(() => iam.destroy()));
    }
    const failures = accounts.filter((a) => a.status === 'failed');
    for (const f of failures) {
      ctx.stderr.write(`credsweep: account ${f.accountId}: ${f.error?.message ?? 'failed'}\n`);
    }
    if (flags.suggestPolicy) {
      const out = await openPendingOutput(flags.output);
      try {
        await out.write(`${JSON.stringify(suggestReducedPolicies(findings), null, 2)}\n`);
        await out.commit();
      } catch (e) {
        await out.abort();
        throw e;
      }
    } else {
      await emitAudit(ctx, {
        format: flags.format,
        output: flags.output,
        meta,
        findings: (async function* () {
          yield* findings;
        })(),
        accounts: () => accounts,
      });
    }
    setExit(failures.length > 0 ? ExitCode.awsFailure : failOnExit(flags.failOn, countFindings(findings)));
  });
}

/** `--accounts` / `--org`: the same audit in every target account (audit-permissions.ts). */
async function inAccounts(
  connection: AwsConnection,
  flags: PermissionsFlags,
  options: Omit<Parameters<typeof auditPermissionsInAccounts>[3], 'accountConcurrency' | 'roleName'>,
): Promise<{ findings: Finding[]; accounts: AccountResult[] }> {
  const clients = createClients(connection);
  try {
    const { targets, partition } = await resolveAccountTargets(clients, {
      org: flags.org,
      ...(flags.accounts ? { accounts: flags.accounts } : {}),
    });
    return await auditPermissionsInAccounts(connection, clients, targets, {
      ...options,
      accountConcurrency: flags.accountConcurrency,
      roleName: flags.roleName ?? DEFAULT_ROLE_NAME,
      partition,
      ...(flags.externalId ? { externalId: flags.externalId } : {}),
    });
  } finally {
    destroyClients(clients);
  }
}
