/**
 * `credsweep permissions`: unused services (and tracked actions) per user and role, from Access
 * Advisor, in the audit's JSON envelope; `--suggest-policy` prints reduced policies for review.
 */
import { Command, Option } from 'commander';
import { auditPermissions } from '../../audit/audit-permissions.ts';
import { suggestReducedPolicies } from '../../audit/suggest-policy.ts';
import { createIamClient } from '../../aws/clients.ts';
import { ExitCode } from '../../errors.ts';
import { realSleep } from '../../sources/access-advisor/last-accessed.ts';
import { validatePrincipalArns } from '../../sources/access-advisor/principals.ts';
import type { AccessAdvisorGranularity } from '../../sources/access-advisor/service-access.ts';
import type { CliContext } from '../context.ts';
import { emitAudit } from '../emit-audit.ts';
import { connectionFromFlags } from '../live-audit.ts';
import { oneOf, parseDays, parsePositiveInt } from '../options.ts';
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
  failOn?: 'unused';
  concurrency: number;
  profile?: string;
  region?: string;
  endpointUrl?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').filter(Boolean)];
}

export function permissionsCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  return withReportOutputOptions(
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
      )
      .option('--profile <name>', 'AWS shared-config profile')
      .option('--region <region>', 'AWS region for the IAM client (IAM is global)')
      .option('--endpoint-url <url>', 'send AWS calls to this endpoint (e.g. a local emulator)'),
    'permission',
  ).action(async (flags: PermissionsFlags) => {
    validatePrincipalArns(flags.principal ?? []);
    const generatedAt = ctx.now();
    const meta = { generatedAt, asOf: flags.asOf ?? generatedAt, thresholdDays: flags.days };
    const iam = createIamClient(connectionFromFlags(flags, ctx.env));
    const { findings, failures } = await auditPermissions(iam, {
      asOf: meta.asOf,
      thresholdDays: meta.thresholdDays,
      granularity: flags.granularity,
      concurrency: flags.concurrency,
      principals: flags.principal,
      poll: { sleep: realSleep },
    }).finally(() => iam.destroy());
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
        accounts: () => failures,
      });
    }
    const unused = findings.some((f) => f.status === 'unused');
    setExit(
      failures.length > 0
        ? ExitCode.awsFailure
        : flags.failOn === 'unused' && unused
          ? ExitCode.failOnMatched
          : ExitCode.ok,
    );
  });
}
