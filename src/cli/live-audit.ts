/**
 * `credsweep audit` without `--report`: the live audit's CLI edge. Validated flags in; clients,
 * progress bar and exit code out. The logic lives in src/audit/audit-accounts.ts.
 */
import { DEFAULT_ROLE_NAME } from '../aws/assume-role.ts';
import { type AwsConnection, createClients, destroyClients } from '../aws/clients.ts';
import type { LiveSource } from '../audit/audit-account.ts';
import { auditAccounts, resolveAccountTargets } from '../audit/audit-accounts.ts';
import { ExitCode, UsageError } from '../errors.ts';
import type { ExemptionPolicy } from '../rules/index.ts';
import type { ThresholdKind } from '../rules/rule.ts';
import { realSleep } from '../sources/access-advisor/last-accessed.ts';
import type { AuditTrail } from './audit-cloudtrail.ts';
import type { AuditPostProcess } from './audit-config.ts';
import type { CliContext } from './context.ts';
import { emitAudit } from './emit-audit.ts';
import { type FailOn, failOnExit } from './fail-on.ts';
import { startProgress } from './progress.ts';

export interface LiveAuditFlags {
  source: LiveSource;
  accounts?: string[];
  org?: boolean;
  roleName?: string;
  externalId?: string;
  concurrency: number;
  exemption: ExemptionPolicy;
  profile?: string;
  region?: string;
  endpointUrl?: string;
  days: number;
  /** Per-kind thresholds and exemptions/history from the configuration file (./audit-config.ts). */
  thresholds?: Partial<Record<ThresholdKind, number>>;
  post?: AuditPostProcess;
  /** `--cloudtrail`: evidence folded into the findings (./audit-cloudtrail.ts). */
  trail?: AuditTrail;
  asOf?: number;
  format: string;
  output?: string;
  failOn?: FailOn;
}

/** Users described at once within one account (IAM's request quotas are per account). */
const PRINCIPAL_CONCURRENCY = 4;

export function connectionFromFlags(
  flags: Pick<LiveAuditFlags, 'profile' | 'region' | 'endpointUrl'>,
  env: NodeJS.ProcessEnv,
): AwsConnection {
  const endpointUrl = flags.endpointUrl ?? (env.AWS_ENDPOINT_URL || undefined);
  if (endpointUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpointUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      const where = flags.endpointUrl !== undefined ? '--endpoint-url' : 'AWS_ENDPOINT_URL';
      throw new UsageError(`${where}: '${endpointUrl}' is not an http(s) URL`);
    }
  }
  const region = flags.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
  return {
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(region ? { region } : {}),
    ...(endpointUrl ? { endpointUrl } : {}),
  };
}

export async function runLiveAudit(ctx: CliContext, flags: LiveAuditFlags): Promise<number> {
  if (flags.org && flags.accounts?.length) {
    throw new UsageError('--org and --accounts cannot be combined: choose one');
  }
  const connection = connectionFromFlags(flags, ctx.env);
  const clients = createClients(connection);
  try {
    const { targets, partition } = await resolveAccountTargets(clients, {
      org: flags.org,
      ...(flags.accounts ? { accounts: flags.accounts } : {}),
    });
    const generatedAt = ctx.now();
    const meta = {
      generatedAt,
      asOf: flags.asOf ?? generatedAt,
      thresholdDays: flags.days,
      ...(flags.thresholds ? { thresholds: flags.thresholds } : {}),
    };
    const progress = startProgress(ctx, targets.length, 'accounts');
    let result: Awaited<ReturnType<typeof auditAccounts>>;
    try {
      result = await auditAccounts(connection, clients, targets, {
        source: flags.source,
        asOf: meta.asOf,
        thresholdDays: meta.thresholdDays,
        ...(meta.thresholds ? { thresholds: meta.thresholds } : {}),
        exemption: flags.exemption,
        principalConcurrency: PRINCIPAL_CONCURRENCY,
        poll: { sleep: realSleep },
        concurrency: flags.concurrency,
        roleName: flags.roleName ?? DEFAULT_ROLE_NAME,
        partition,
        ...(flags.externalId ? { externalId: flags.externalId } : {}),
        onAccountDone: (account) => progress.tick(account.status === 'failed'),
      });
    } finally {
      progress.stop();
    }
    const failed = result.accounts.filter((a) => a.status === 'failed');
    for (const a of failed) {
      ctx.stderr.write(
        `credsweep: account ${a.accountId}: ${a.error?.code ?? 'Error'}: ${a.error?.message ?? 'failed'}\n`,
      );
    }
    const findings = result.findings;
    const tally = await emitAudit(ctx, {
      format: flags.format,
      output: flags.output,
      meta,
      findings: ((all) => (flags.trail ? flags.trail.apply(all, meta) : all))(
        (async function* () {
          yield* findings;
        })(),
      ),
      accounts: () => result.accounts,
      ...(flags.post ? { post: flags.post } : {}),
      tagsOf: (finding) => result.tags.get(finding.arn),
    });
    if (failed.length > 0 || flags.trail?.exitCode) return ExitCode.awsFailure;
    return failOnExit(flags.failOn, tally);
  } finally {
    destroyClients(clients);
  }
}
