/**
 * What `credsweep plan` does once its flags are parsed (./commands/plan.ts defines them), loaded only
 * when it runs: `plan --help` and a usage error load no AWS SDK (start-up: docs/performance.md).
 */
import { counted } from '../../plural.ts';
import { printable } from '../../reporters/printable.ts';
import type { Command } from 'commander';
import type { LiveSource } from '../../audit/live-source.ts';
import { assembleAudit, runAudit } from '../../audit/run-audit.ts';
import { PRINCIPAL_CONCURRENCY, resolveSettings } from '../../audit/settings.ts';
import { ExitCode, InputError, UsageError } from '../../errors.ts';
import type { Finding } from '../../model/finding.ts';
import type { ExemptionPolicy } from '../../rules/index.ts';
import { exemptionCheck } from '../../remediation/exemptions.ts';
import { deactivationDatesOf } from '../../remediation/journal.ts';
import { assembleRemediationPlan } from '../../remediation/plan.ts';
import { resolvePlanKey } from '../../remediation/plan-digest.ts';
import { applyPlanExemptions } from '../../remediation/plan-exemptions.ts';
import { readPlanBoundaries } from '../../remediation/read-boundaries.ts';
import type { AccessAdvisorGranularity } from '../../sources/access-advisor/service-access.ts';
import { readAuditReport } from '../../remediation/read-files.ts';
import { renderPlanTable } from '../../remediation/render.ts';
import { resolveCredentialIds } from '../../remediation/resolve-credentials.ts';
import type { LoadedConfig } from '../../config/load-config.ts';
import { givenFlag, givenOnCommandLine, loadCliConfig } from '../config-options.ts';
import { type CliContext, tableOptions } from '../context.ts';
import { writeOutput } from '../output.ts';
import {
  type ConnectionFlags,
  cutOffLineNote,
  noteUnconfirmedJournals,
  PLAN_AUDIT_CONCURRENCY,
} from '../remediation-options.ts';
import { openRemediationSession } from '../remediation-session.ts';

export interface PlanFlags extends ConnectionFlags {
  from?: string;
  output?: string;
  format: 'table' | 'json';
  deleteAfter: number;
  include: string[];
  exclude: string[];
  allowIrreversible?: boolean;
  includeRoot?: boolean;
  roles?: boolean;
  includeServiceRoles?: boolean;
  quarantineUsers?: boolean;
  permissions?: boolean;
  granularity?: AccessAdvisorGranularity;
  accessAnalyzer?: string;
  journal: string[];
  /** `--trust-unsigned-journal`: the dates of --journal files not sealed with a plan key count. */
  trustUnsignedJournal?: boolean;
  asOf?: number;
  days: number;
  source: LiveSource;
  accounts?: string[];
  org?: boolean;
  concurrency: number;
  /** false: --no-ssh-public-keys given. */
  sshPublicKeys?: boolean;
  config?: string;
  planKeyFile?: string;
  /** `--exempt-tag`: besides the default tag, at plan and (recorded) at apply. */
  exemptTag?: ExemptionPolicy;
}

/** The live audit's flags (commander's option name, the flag): not with --from. */
const LIVE_AUDIT_FLAGS: ReadonlyArray<[string, string]> = [
  ['days', '--days'],
  ['source', '--source'],
  ['accounts', '--accounts'],
  ['org', '--org'],
  ['concurrency', '--concurrency'],
  ['sshPublicKeys', '--no-ssh-public-keys'],
];

export async function runPlan(ctx: CliContext, flags: PlanFlags, command: Command): Promise<number> {
  const now = ctx.now();
  const key = resolvePlanKey(flags.planKeyFile, ctx.env);
  const loaded = await loadCliConfig(flags.config, ctx);
  if (!flags.permissions && (flags.granularity !== undefined || flags.accessAnalyzer !== undefined)) {
    throw new UsageError('--granularity and --access-analyzer are for --permissions');
  }
  if (flags.from !== undefined && (flags.granularity !== undefined || flags.accessAnalyzer !== undefined)) {
    throw new UsageError('--granularity and --access-analyzer are for the live audit; not with --from');
  }
  // The live audit's own flags mean nothing to a plan from a file: its findings were judged when it
  // was written. Ignored, `plan --from findings.json --days 30` would plan with the file's 90 days
  // while the user believes 30.
  const liveOnly =
    flags.from === undefined
      ? undefined
      : LIVE_AUDIT_FLAGS.find(([name]) => givenOnCommandLine(command, name));
  if (liveOnly) {
    throw new UsageError(
      `${liveOnly[1]} is for the live audit; with --from the findings are as ${flags.from} records them (audit again with ${liveOnly[1]}, then plan --from)`,
    );
  }
  const collected =
    flags.from !== undefined
      ? await fromFile(flags.from, flags.permissions ?? false)
      : await liveAudit(ctx, flags, command, loaded, now);
  const journalled = deactivationDatesOf(
    flags.journal,
    key,
    flags.trustUnsignedJournal ?? false,
    cutOffLineNote(ctx),
  );
  noteUnconfirmedJournals(ctx, journalled.unconfirmed);
  const session = await openRemediationSession(ctx, flags);
  try {
    // Whatever the audit knew: the tags of every principal it would plan, and the exemptions now.
    const exemptTags = flags.exemptTag ? [flags.exemptTag] : [];
    const exempted = await applyPlanExemptions(
      collected.findings,
      session.clients,
      exemptionCheck(loaded?.config.exemptions ?? [], flags.asOf ?? now, exemptTags),
    );
    const check = exemptionCheck(loaded?.config.exemptions ?? [], flags.asOf ?? now, exemptTags);
    const boundaries = flags.permissions
      ? await readPlanBoundaries(exempted.findings, session.clients, check)
      : undefined;
    const resolved = await resolveCredentialIds(exempted.findings, session.clients, {
      includeRoot: flags.includeRoot ?? false,
      caller: session.caller,
      callerIam: await session.clients.iam(session.caller.accountId),
    });
    const plan = assembleRemediationPlan(resolved.findings, {
      dataCollectedAt: collected.generatedAt,
      createdAt: now,
      asOf: flags.asOf ?? now,
      thresholdDays: collected.thresholdDays,
      thresholds: collected.thresholds,
      auditedAccounts: collected.auditedAccounts,
      journals: flags.journal,
      ...(loaded ? { configFile: loaded.file } : {}),
      exemptTags,
      ...(key ? { planKey: key } : {}),
      deleteAfterDays: flags.deleteAfter,
      allowIrreversible: flags.allowIrreversible ?? false,
      includeRoot: flags.includeRoot ?? false,
      roles: flags.roles ?? false,
      includeServiceRoles: flags.includeServiceRoles ?? false,
      quarantineUsers: flags.quarantineUsers ?? false,
      include: flags.include,
      exclude: flags.exclude,
      caller: session.caller,
      // What this run assumes in the other accounts, and what its live audit did (its default too).
      memberRoleNames: [
        ...new Set([
          ...session.memberRoleNames,
          ...(collected.auditRoleName ? [collected.auditRoleName] : []),
        ]),
      ],
      deactivatedAt: journalled.dates,
      unresolved: new Map([...exempted.unreadable, ...resolved.unresolved]),
      rootAccessAccounts: resolved.rootAccessAccounts,
      ...(boundaries
        ? {
            permissions: {
              granularity: flags.granularity ?? collected.granularity,
              boundaries: boundaries.boundaries,
              ...(collected.analyzerArn ? { analyzerArn: collected.analyzerArn } : {}),
            },
          }
        : {}),
    });
    const json = `${JSON.stringify(plan, null, 2)}\n`;
    const failures = [
      ...collected.failures,
      ...exempted.failures,
      ...(boundaries?.failures ?? []),
      ...resolved.failures,
    ];
    // The failed accounts are said first: a refused write after them cannot hide them. One line an
    // account: its later failures (tags, then key ids, through the same unreachable account) are
    // counted, not repeated.
    const byAccount = new Map<string, string[]>();
    for (const f of failures) byAccount.set(f.accountId, [...(byAccount.get(f.accountId) ?? []), f.message]);
    for (const [accountId, messages] of byAccount) {
      const more = messages.length > 1 ? ` (and ${counted(messages.length - 1, 'more failure')})` : '';
      ctx.stderr.write(`credsweep: account ${accountId}: ${printable(messages[0]!)}${more}\n`);
    }
    // What standard output shows comes before --output is published (a refused standard output leaves
    // no plan file behind); `--output -` is standard output itself, so the plan is printed once.
    const toStdout = flags.output === '-';
    if (!toStdout) {
      const shown = flags.format === 'json' ? json : renderPlanTable(plan, tableOptions(ctx));
      await writeOutput(undefined, shown, { stdout: ctx.stdout });
    }
    if (flags.output !== undefined) await writeOutput(flags.output, json, { stdout: ctx.stdout });
    return failures.length > 0 ? ExitCode.awsFailure : ExitCode.ok;
  } finally {
    session.close();
  }
}

interface CollectedFindings {
  findings: Finding[];
  /** The caller's partition, when a live audit asked. */
  partition?: string;
  generatedAt: number;
  thresholdDays: number;
  thresholds: Record<string, number>;
  /** Access Advisor's granularity of the permission findings (action when any names an action). */
  granularity: AccessAdvisorGranularity;
  /** Accounts the audit read successfully: the only ones apply will act in. */
  auditedAccounts: string[];
  /** The IAM Access Analyzer analyzer a live audit read (--access-analyzer), if any. */
  analyzerArn?: string;
  /** The role a live audit assumed in the accounts other than the caller's (an audit file does not say). */
  auditRoleName?: string;
  failures: { accountId: string; message: string }[];
}

function granularityOf(findings: readonly Finding[]): AccessAdvisorGranularity {
  return findings.some((f) => f.credential === 'permission' && f.action !== undefined) ? 'action' : 'service';
}

async function fromFile(file: string, permissions: boolean): Promise<CollectedFindings> {
  const report = await readAuditReport(file);
  const isPermissionsAudit =
    report.accounts.some((a) => a.source === 'access-advisor') ||
    report.findings.some((f) => f.credential === 'permission');
  if (permissions && !isPermissionsAudit) {
    throw new InputError(
      'not a permissions audit: --permissions plans from `credsweep permissions --format json` output',
      file,
    );
  }
  return {
    findings: report.findings,
    granularity: granularityOf(report.findings),
    generatedAt: Date.parse(report.generatedAt),
    thresholdDays: report.thresholdDays,
    thresholds: report.thresholds ?? {},
    auditedAccounts: report.accounts.filter((a) => a.status === 'ok').map((a) => a.accountId),
    // Accounts the audit could not read have no findings: say so rather than plan nothing silently.
    failures: report.accounts
      .filter((a) => a.status === 'failed')
      .map((a) => ({ accountId: a.accountId, message: `not audited: ${a.error?.message ?? 'failed'}` })),
  };
}

/** The live audit plan plans from: the same use case as `audit` (runAudit), config file included. */
async function liveAudit(
  ctx: CliContext,
  flags: PlanFlags,
  command: Command,
  loaded: LoadedConfig | undefined,
  now: number,
): Promise<CollectedFindings> {
  const { permissions, ...auditFlags } = flags;
  const settings = resolveSettings(
    {
      ...auditFlags,
      days: givenFlag(command, 'days', flags.days),
      source: givenFlag(command, 'source', flags.source),
      concurrency: givenFlag(command, 'concurrency', flags.concurrency),
      sshPublicKeys: givenFlag(command, 'sshPublicKeys', flags.sshPublicKeys),
      ...(permissions
        ? {
            permissions: {
              granularity: flags.granularity ?? 'service',
              principalConcurrency: PRINCIPAL_CONCURRENCY,
            },
          }
        : {}),
    },
    ctx.env,
    loaded,
    { now, defaults: { concurrency: PLAN_AUDIT_CONCURRENCY } },
  );
  const run = await runAudit(settings);
  const report = await assembleAudit(run);
  return {
    findings: report.findings,
    granularity: granularityOf(report.findings),
    generatedAt: now,
    thresholdDays: report.thresholdDays,
    thresholds: report.thresholds ?? {},
    auditedAccounts: report.accounts.filter((a) => a.status === 'ok').map((a) => a.accountId),
    ...(run.partition ? { partition: run.partition } : {}),
    auditRoleName: settings.fanOut.roleName,
    ...(run.accessAnalyzer && 'analyzer' in run.accessAnalyzer && run.accessAnalyzer.analyzer
      ? { analyzerArn: run.accessAnalyzer.analyzer.arn }
      : {}),
    failures: report.accounts
      .filter((a) => a.status === 'failed')
      .map((a) => ({
        accountId: a.accountId,
        message: `${a.error?.code ?? 'Error'}: ${a.error?.message ?? 'failed'}`,
      })),
  };
}
