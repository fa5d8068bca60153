/**
 * What the configuration file and `--db` add to an audit, at the CLI's edge:
 *
 *   resolveAuditSettings(flags, command) → thresholds, accounts, role name, db path (flags win)
 *   auditPostProcess(ctx, settings, asOf) → exemptions applied to the findings as they stream past,
 *     the envelope's `exemptions` section, the HTML trend, then warnings on stderr and the run stored.
 */
import type { Command } from 'commander';
import { assembleAuditReport, type AuditMeta, type AuditTally } from '../audit/audit-report.ts';
import { ExemptionMatcher, exemptionWarnings } from '../config/exemptions.ts';
import type { LoadedConfig } from '../config/load-config.ts';
import { type TrendPoint, trend } from '../history/run-store.ts';
import type { AuditReport, Finding } from '../model/finding.ts';
import type { ThresholdKind } from '../rules/rule.ts';
import { givenOnCommandLine, loadCliConfig, resolveDbPath } from './config-options.ts';
import type { CliContext } from './context.ts';

export interface AuditSettings {
  loaded?: LoadedConfig;
  thresholdDays: number;
  thresholds?: Partial<Record<ThresholdKind, number>>;
  accounts?: string[];
  roleName?: string;
  dbPath?: string;
}

export async function resolveAuditSettings(
  flags: {
    config?: string;
    days: number;
    db?: string;
    accounts?: string[];
    roleName?: string;
    org?: boolean;
  },
  command: Command,
): Promise<AuditSettings> {
  const loaded = await loadCliConfig(flags.config);
  const config = loaded?.config;
  const thresholdDays = givenOnCommandLine(command, 'days') ? flags.days : (config?.days ?? flags.days);
  const accounts = flags.accounts ?? (flags.org ? undefined : config?.accounts);
  const roleName = flags.roleName ?? config?.roleName;
  const dbPath = resolveDbPath(flags.db, loaded);
  return {
    thresholdDays,
    ...(loaded ? { loaded } : {}),
    ...(config?.thresholds ? { thresholds: config.thresholds } : {}),
    ...(accounts ? { accounts } : {}),
    ...(roleName ? { roleName } : {}),
    ...(dbPath ? { dbPath } : {}),
  };
}

type Tags = Record<string, string> | undefined;

/** Hooks emitAudit runs around the reporter; see src/cli/emit-audit.ts. */
export interface AuditPostProcess {
  findings(findings: AsyncIterable<Finding>, tagsOf?: (finding: Finding) => Tags): AsyncIterable<Finding>;
  extras(): Pick<AuditReport, 'exemptions'>;
  /** Render options that need the history (the HTML report's trend, this run last). */
  trend(report: Pick<AuditReport, 'generatedAt' | 'summary'>): Promise<TrendPoint[] | undefined>;
  finish(meta: AuditMeta, tally: AuditTally): Promise<void>;
}

export function auditPostProcess(ctx: CliContext, settings: AuditSettings, asOf: number): AuditPostProcess {
  const exemptions = settings.loaded?.config.exemptions ?? [];
  const matcher = exemptions.length > 0 ? new ExemptionMatcher(exemptions, asOf) : undefined;
  const kept: Finding[] | undefined = settings.dbPath ? [] : undefined;
  async function* applyAndKeep(
    findings: AsyncIterable<Finding>,
    tagsOf?: (finding: Finding) => Tags,
  ): AsyncGenerator<Finding> {
    for await (const finding of findings) {
      const out = matcher ? matcher.apply(finding, tagsOf?.(finding)) : finding;
      kept?.push(out);
      yield out;
    }
  }
  return {
    findings(findings, tagsOf) {
      // Nothing to apply or keep: hand the stream through untouched (no per-finding cost).
      if (!matcher && !kept) return findings;
      return applyAndKeep(findings, tagsOf);
    },
    extras: () => (matcher ? { exemptions: matcher.outcome() } : {}),

    async trend(report) {
      if (!settings.dbPath) return undefined;
      const store = await openRunStore(settings.dbPath);
      try {
        return [...(await trend(store)), { runAt: report.generatedAt, unused: report.summary.unused ?? 0 }];
      } finally {
        await store.close();
      }
    },
    async finish(meta, tally) {
      if (matcher) {
        for (const line of exemptionWarnings(matcher.outcome(), settings.loaded!.file))
          ctx.stderr.write(`${line}\n`);
      }
      if (settings.dbPath && kept) {
        const report = { ...assembleAuditReport(meta, kept, tally.accountResults()), ...this.extras() };
        const store = await openRunStore(settings.dbPath);
        try {
          const run = await store.saveRun(report);
          ctx.stderr.write(`credsweep: stored as run ${run.id} in ${settings.dbPath}\n`);
        } finally {
          await store.close();
        }
      }
    },
  };
}

/** The history store, loaded only when a run uses it (sql.js is a few MB of WebAssembly). */
async function openRunStore(path: string) {
  const { openSqliteRunStore } = await import('../history/sqlite-run-store.ts');
  return openSqliteRunStore(path);
}
