import { createReadStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Command, Option } from 'commander';
import { auditCredentialReport } from '../../audit/audit-credential-report.ts';
import { ExitCode, InputError } from '../../errors.ts';
import { REPORTERS } from '../../reporters/index.ts';
import type { CliContext } from '../context.ts';
import { emitAudit } from '../emit-audit.ts';
import { oneOf, parseAsOfFlag, parseDays } from '../options.ts';

export interface AuditFlags {
  report?: string;
  days: number;
  asOf?: number;
  format: string;
  output?: string;
  failOn?: 'unused';
}

export function auditCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  return new Command('audit')
    .description('find unused credentials in an IAM credential report (or live, see --source)')
    .option('--report <file>', 'credential report CSV to audit (- for standard input)')
    .addOption(new Option('--days <n>', 'unused after this many days').default(90).argParser(parseDays))
    .addOption(
      new Option(
        '--as-of <date>',
        'evaluate as of YYYY-MM-DD or an ISO-8601 date-time (default: now)',
      ).argParser(parseAsOfFlag),
    )
    .addOption(
      new Option('--format <format>', 'output format')
        .default('table')
        .argParser(oneOf(Object.keys(REPORTERS))),
    )
    .option('--output <file>', 'write to this file instead of standard output (written only on success)')
    .addOption(
      new Option('--fail-on <status>', 'exit 1 when any credential has this status').argParser(
        oneOf(['unused'] as const),
      ),
    )
    .action(async (flags: AuditFlags) => {
      if (flags.report === undefined) {
        throw new InputError('nothing to audit: give --report FILE (or - for standard input)', 'audit');
      }
      const file = flags.report;
      const input = await openInput(ctx, file);
      const generatedAt = ctx.now();
      const meta = { generatedAt, asOf: flags.asOf ?? generatedAt, thresholdDays: flags.days };
      const tally = await emitAudit(ctx, {
        format: flags.format,
        output: flags.output,
        meta,
        findings: auditCredentialReport(input, file, { asOf: meta.asOf, thresholdDays: meta.thresholdDays }),
      });
      setExit(flags.failOn === 'unused' && tally.summary.unused > 0 ? ExitCode.failOnMatched : ExitCode.ok);
    });
}

async function openInput(ctx: CliContext, file: string): Promise<Readable> {
  if (file === '-') return ctx.stdin;
  try {
    await access(file, constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such file' : `cannot read (${code})`, file);
  }
  return createReadStream(file);
}
