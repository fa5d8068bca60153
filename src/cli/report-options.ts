/**
 * The output options of the commands that write findings (audit, permissions). The --format choices
 * are the reporters' names; a reporter is loaded only once its format is chosen (load-reporter.ts).
 */
import { type Command, Option } from 'commander';
import { FORMAT_NAMES } from '../reporters/load-reporter.ts';
import { FAIL_ON_VALUES, parseFailOn } from './fail-on.ts';
import { asOfOption, oneOf, quietOption, wideOption } from './options.ts';

/** Adds the options every command that writes findings shares (audit, permissions). */
export function withReportOutputOptions(command: Command, subject: string): Command {
  return command
    .addOption(asOfOption())
    .addOption(
      new Option('--format <format>', 'output format').default('table').argParser(oneOf(FORMAT_NAMES)),
    )
    .addOption(wideOption())
    .addOption(quietOption())
    .option(
      '--output <file>',
      'write to this file instead of standard output (written whole once the audit completes, also when accounts failed; untouched on a usage or input error)',
    )
    .addOption(
      new Option(
        '--fail-on <what>',
        `exit 1 when any ${subject} has one of these statuses or at least this severity, comma-separated (one of: ${FAIL_ON_VALUES.join(', ')}; severity:info, as tables show it, is severity:informational)`,
      ).argParser(parseFailOn),
    );
}
