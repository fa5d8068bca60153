/**
 * What `credsweep permissions` does once its flags are parsed (./commands/permissions.ts defines
 * them), loaded only when it runs: `permissions --help` and a usage error load no AWS SDK.
 */
import { printable } from '../../reporters/printable.ts';
import type { Command } from 'commander';
import type { AccessAnalyzerOutcome } from '../../audit/collect-access-analyzer.ts';
import { describeAccessAnalyzerOutcome } from '../../audit/describe-access-analyzer.ts';
import { assembleAudit, runAudit } from '../../audit/run-audit.ts';
import { resolveSettings } from '../../audit/settings.ts';
import { suggestReducedPolicies } from '../../audit/suggest-policy.ts';
import { exemptionWarnings } from '../../config/exemptions.ts';
import type { AwsConnection } from '../../aws/clients.ts';
import { ExitCode } from '../../errors.ts';
import type { AuditReport } from '../../model/finding.ts';
import type { FindingRecommendation } from '../../sources/access-analyzer/finding-recommendation.ts';
import { validatePrincipalArns } from '../../sources/access-advisor/principals.ts';
import type { AccessAdvisorGranularity } from '../../sources/access-advisor/service-access.ts';
import type { CliContext } from '../context.ts';
import { emitAudit } from '../emit-audit.ts';
import { givenFlag, loadCliConfig } from '../config-options.ts';
import { countFindings, type FailOn, failOnExit } from '../fail-on.ts';
import { writeOutput } from '../output.ts';

export interface PermissionsFlags {
  principal?: string[];
  days: number;
  granularity: AccessAdvisorGranularity;
  suggestPolicy?: boolean;
  asOf?: number;
  format: string;
  output?: string;
  failOn?: FailOn;
  principalConcurrency: number;
  /** The old name of --principal-concurrency (hidden). */
  concurrency?: number;
  accounts?: string[];
  org?: boolean;
  roleName?: string;
  externalId?: string;
  accountConcurrency: number;
  profile?: string;
  region?: string;
  endpointUrl?: string;
  config?: string;
  /** true: the flag without a value, i.e. `auto`. */
  accessAnalyzer?: string | true;
}

export async function runPermissions(
  ctx: CliContext,
  flags: PermissionsFlags,
  command: Command,
  setExit: (code: number) => void,
): Promise<void> {
  validatePrincipalArns(flags.principal ?? []);
  const configFile = await loadCliConfig(flags.config, ctx);
  const settings = resolveSettings(
    {
      ...flags,
      days: givenFlag(command, 'days', flags.days),
      concurrency: flags.accountConcurrency,
      accessAnalyzer: flags.accessAnalyzer === true ? 'auto' : flags.accessAnalyzer,
      permissions: {
        granularity: flags.granularity,
        principalConcurrency: flags.concurrency ?? flags.principalConcurrency,
        ...(flags.principal ? { principals: flags.principal } : {}),
      },
    },
    ctx.env,
    configFile,
    { now: ctx.now() },
  );
  const run = await runAudit(settings);
  const report = await assembleAudit(run);
  if (run.accessAnalyzer)
    ctx.stderr.write(`credsweep: ${describeAccessAnalyzerOutcome(run.accessAnalyzer)}\n`);
  const badAnalyzer = run.accessAnalyzer !== undefined && 'error' in run.accessAnalyzer;
  let badRecommendations = false;
  const failures = run.accounts().filter((a) => a.status === 'failed');
  for (const f of failures) {
    // One line an account: its AWS error code and what failed (each principal's in the JSON report).
    ctx.stderr.write(
      `credsweep: account ${f.accountId}: ${printable(`${f.error?.code ?? 'Error'}: ${f.error?.message ?? 'failed'}`)}\n`,
    );
  }
  if (flags.suggestPolicy) {
    const recommendations = await analyzerRecommendations(
      ctx,
      settings.connection,
      run.accessAnalyzer,
      report,
    );
    if (recommendations === 'failed') badRecommendations = true;
    const byPrincipal = recommendations === 'failed' ? undefined : recommendations;
    await writeOutput(
      flags.output,
      `${JSON.stringify(suggestReducedPolicies(report.findings, byPrincipal), null, 2)}\n`,
      { stdout: ctx.stdout },
    );
  } else {
    await emitAudit(ctx, {
      format: flags.format,
      output: flags.output,
      meta: run.meta,
      findingBatches: [report.findings],
      accounts: () => report.accounts,
      extras: () => (report.exemptions ? { exemptions: report.exemptions } : {}),
    });
  }
  if (report.exemptions && settings.configFile) {
    for (const line of exemptionWarnings(report.exemptions, settings.configFile))
      ctx.stderr.write(`${line}\n`);
  }
  setExit(
    failures.length > 0 || badAnalyzer || badRecommendations
      ? ExitCode.awsFailure
      : failOnExit(flags.failOn, countFindings(report.findings)),
  );
}

/**
 * With an analyzer read: its recommendations for the principals with permission findings (one line
 * and 'failed' when they cannot be read: the suggestions are printed without them, exit 3).
 */
async function analyzerRecommendations(
  ctx: CliContext,
  connection: AwsConnection,
  outcome: AccessAnalyzerOutcome | undefined,
  report: AuditReport,
): Promise<Map<string, FindingRecommendation[]> | undefined | 'failed'> {
  if (!outcome || !('input' in outcome)) return undefined;
  const { collectFindingRecommendations } = await import('../../audit/collect-recommendations.ts');
  const arns = [...new Set(report.findings.filter((f) => f.credential === 'permission').map((f) => f.arn))];
  const read = await collectFindingRecommendations(
    connection,
    outcome.analyzer.arn,
    outcome.input.evidence,
    arns,
  );
  if ('byPrincipal' in read) return read.byPrincipal;
  ctx.stderr.write(
    `credsweep: IAM Access Analyzer recommendations: ${read.error.code}: ${read.error.message}; suggested without them\n`,
  );
  return 'failed';
}
