import { createReadStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Command, InvalidArgumentError, Option } from 'commander';
import { LIVE_SOURCES, type LiveSource } from '../../audit/live-source.ts';
import { auditCredentialReport } from '../../audit/audit-credential-report.ts';
import { InputError, UsageError } from '../../errors.ts';
import type { Finding } from '../../model/finding.ts';
import { DEFAULT_EXEMPTION, type ExemptionPolicy } from '../../rules/index.ts';
import { checkReportStart } from '../../sources/credential-report/check-start.ts';
import { auditPostProcess, resolveAuditSettings } from '../audit-config.ts';
import { collectPaths, scanAuditTrail } from '../audit-cloudtrail.ts';
import type { CliContext } from '../context.ts';
import { emitAudit } from '../emit-audit.ts';
import { type FailOn, failOnExit } from '../fail-on.ts';
import { oneOf, parseDays, parsePositiveInt, withAccountTargetOptions } from '../options.ts';
import { withReportOutputOptions } from '../report-options.ts';

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
  manyIps?: number;
  config?: string;
  db?: string;
}

/** Flags that only make sense for a live audit (without --report). */
const LIVE_ONLY_FLAGS = [
  ['source', '--source'],
  ['accounts', '--accounts'],
  ['org', '--org'],
  ['roleName', '--role-name'],
  ['externalId', '--external-id'],
  ['concurrency', '--concurrency'],
  ['profile', '--profile'],
  ['region', '--region'],
  ['endpointUrl', '--endpoint-url'],
] as const;

function parseExemptTag(text: string): ExemptionPolicy {
  const eq = text.indexOf('=');
  const tagKey = eq === -1 ? text : text.slice(0, eq);
  const tagValue = eq === -1 ? 'true' : text.slice(eq + 1);
  if (tagKey.trim() === '' || tagKey.length > 128 || tagValue.length > 256) {
    throw new InvalidArgumentError('expected KEY or KEY=VALUE (a tag key of 1-128 characters)');
  }
  return { tagKey, tagValue };
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
            'live: credential report, or the IAM API (knows key ids) [default: report]',
          ).argParser(oneOf(LIVE_SOURCES)),
        ),
      'live: ',
    )
      .addOption(
        new Option('--concurrency <n>', 'live: accounts audited at once [default: 8]').argParser(
          parsePositiveInt(64),
        ),
      )
      .addOption(
        new Option(
          '--exempt-tag <key[=value]>',
          `users and roles with this tag are exempt [default: ${DEFAULT_EXEMPTION.tagKey}=${DEFAULT_EXEMPTION.tagValue}]`,
        ).argParser(parseExemptTag),
      )
      .option('--profile <name>', 'live: AWS shared-config/SSO profile')
      .option('--region <region>', 'live: AWS region for the clients (IAM is global)')
      .option('--endpoint-url <url>', 'live: send AWS calls here (e.g. moto); also AWS_ENDPOINT_URL')
      .option('--config <file>', 'configuration file (default: ./credsweep.config.json|yaml|yml); flags win')
      .option('--db <file>', 'store this run in a history database (SQLite), for credsweep history/diff')
      .option(
        '--cloudtrail <path>',
        'merge CloudTrail evidence (log tree, file or s3://bucket/prefix; repeatable)',
        collectPaths,
      )
      .addOption(
        new Option(
          '--many-ips <n>',
          'with --cloudtrail: more source IPs than this flag a key [default: 10]',
        ).argParser(parsePositiveInt(1_000_000)),
      )
      .addOption(new Option('--days <n>', 'unused after this many days').default(90).argParser(parseDays)),
    'credential',
  ).action(async (flags: AuditFlags, command: Command) => {
    const exemption = flags.exemptTag ?? DEFAULT_EXEMPTION;
    const settings = await resolveAuditSettings(flags, command);
    const post = auditPostProcess(ctx, settings, flags.asOf ?? ctx.now());
    if (flags.report === undefined) {
      // the live audit (and the AWS SDK) is loaded only for a live audit
      const { runLiveAudit } = await import('../live-audit.ts');
      setExit(
        await runLiveAudit(ctx, {
          source: flags.source ?? 'report',
          accounts: settings.accounts,
          org: flags.org,
          roleName: settings.roleName,
          externalId: flags.externalId,
          concurrency: flags.concurrency ?? 8,
          exemption,
          profile: flags.profile,
          region: flags.region,
          endpointUrl: flags.endpointUrl,
          days: settings.thresholdDays,
          thresholds: settings.thresholds,
          post,
          trail: await scanAuditTrail(ctx, flags),
          asOf: flags.asOf,
          format: flags.format,
          output: flags.output,
          failOn: flags.failOn,
        }),
      );
      return;
    }
    const live = LIVE_ONLY_FLAGS.find(([key]) => flags[key] !== undefined);
    if (live) throw new UsageError(`${live[1]} is for live audits; it cannot be combined with --report`);
    const file = flags.report;
    const input = await openInput(ctx, file);
    const generatedAt = ctx.now();
    const meta = {
      generatedAt,
      asOf: flags.asOf ?? generatedAt,
      thresholdDays: settings.thresholdDays,
      ...(settings.thresholds ? { thresholds: settings.thresholds } : {}),
    };
    const trail = await scanAuditTrail(ctx, flags);
    const trailed = (findings: AsyncIterable<Finding>) => (trail ? trail.apply(findings, meta) : findings);
    const tally = await emitAudit(ctx, {
      format: flags.format,
      output: flags.output,
      meta,
      findings: trailed(
        auditCredentialReport(
          input,
          file,
          {
            asOf: meta.asOf,
            thresholdDays: meta.thresholdDays,
            ...(meta.thresholds ? { thresholds: meta.thresholds } : {}),
          },
          exemption,
        ),
      ),
      post,
    });
    setExit(trail?.exitCode || failOnExit(flags.failOn, tally));
  });
}

async function openInput(ctx: CliContext, file: string): Promise<Readable> {
  if (file === '-') return checkReportStart(ctx.stdin, file);
  try {
    await access(file, constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such file' : `cannot read (${code})`, file);
  }
  return checkReportStart(createReadStream(file), file);
}
