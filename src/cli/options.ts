/**
 * Flag values validated once at the edge; the rest of the code gets typed, normalised options.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { REPORTERS } from '../reporters/index.ts';
import { parseAsOf } from '../time.ts';

export function parseDays(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 36_500) {
    throw new InvalidArgumentError('expected a whole number of days from 0 to 36500');
  }
  return Number(text);
}

export function parseAsOfFlag(text: string): number {
  const at = parseAsOf(text);
  if (at === null) throw new InvalidArgumentError('expected YYYY-MM-DD or an ISO-8601 date-time');
  return at;
}

export function parsePositiveInt(max: number): (text: string) => number {
  return (text) => {
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
      throw new InvalidArgumentError(`expected a whole number from 1 to ${max}`);
    }
    return Number(text);
  };
}

export function oneOf<T extends string>(choices: readonly T[]): (text: string) => T {
  return (text) => {
    if (!(choices as readonly string[]).includes(text)) {
      throw new InvalidArgumentError(`expected one of ${choices.join(', ')}`);
    }
    return text as T;
  };
}

/** Adds the options every command that writes findings shares (audit, permissions). */
export function withReportOutputOptions(command: Command, subject: string): Command {
  return command
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
      new Option('--fail-on <status>', `exit 1 when any ${subject} has this status`).argParser(
        oneOf(['unused'] as const),
      ),
    );
}
