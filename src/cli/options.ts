/**
 * Flag values validated once at the edge; the rest of the code gets typed, normalised options.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { isAccountId } from '../arn.ts';
import { DEFAULT_ROLE_NAME } from '../aws/default-role.ts';
import { MAX_KEEP_DAYS, MAX_KEEP_RUNS } from '../history/retention.ts';
import { DEFAULT_EXEMPTION, type ExemptionPolicy } from '../rules/index.ts';
import { parseAsOf } from '../time.ts';

export function parseDays(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 36_500) {
    throw new InvalidArgumentError('expected a whole number of days from 0 to 36500');
  }
  return Number(text);
}

const ANALYZER_ARN = /^arn:aws[a-z-]*:access-analyzer:[a-z0-9-]+:\d{12}:analyzer\/[A-Za-z0-9_.-]+$/;

/** `--access-analyzer [arn]` (audit, permissions): `auto` or an analyzer ARN. */
export function parseAccessAnalyzer(value: string): string {
  if (value === 'auto' || ANALYZER_ARN.test(value)) return value;
  throw new InvalidArgumentError(
    'expected auto or an analyzer ARN (arn:aws:access-analyzer:REGION:ACCOUNT:analyzer/NAME)',
  );
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

/** A parser that accepts these values only; the help lists them (`choices`, read by ./help-style.ts). */
export function oneOf<T extends string>(
  choices: readonly T[],
): ((text: string) => T) & { choices: readonly T[] } {
  const parse = (text: string) => {
    if (!(choices as readonly string[]).includes(text)) {
      throw new InvalidArgumentError(`expected one of ${choices.join(', ')}`);
    }
    return text as T;
  };
  return Object.assign(parse, { choices });
}

/** `--as-of`: the moment the audit is judged at (default now, read in the CLI context). */
export function asOfOption(): Option {
  return new Option(
    '--as-of <date>',
    'evaluate as of YYYY-MM-DD or an ISO-8601 date-time (default: now)',
  ).argParser(parseAsOfFlag);
}

/** `--accounts 111111111111,222222222222` (repeatable): 12-digit ids, kept in order. */
export function parseAccountIds(text: string, previous: string[] = []): string[] {
  const ids = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = ids.find((id) => !isAccountId(id));
  if (bad !== undefined || ids.length === 0) {
    throw new InvalidArgumentError(
      `expected 12-digit account ids separated by commas, found '${bad ?? text}'`,
    );
  }
  return [...previous, ...ids];
}

/**
 * Which accounts, and how to get into them: `--accounts`, `--org`, `--role-name`, `--external-id`
 * (audit, permissions). `prefix` starts each description (`live: ` where the command also reads files).
 */
export function withAccountTargetOptions(command: Command, prefix = ''): Command {
  return command
    .option('--accounts <ids>', `${prefix}these accounts (comma-separated), via --role-name`, parseAccountIds)
    .option('--org', `${prefix}every active account of the organization (AWS Organizations), via --role-name`)
    .option('--role-name <name>', `${prefix}role to assume in other accounts [default: ${DEFAULT_ROLE_NAME}]`)
    .option('--external-id <id>', `${prefix}external id for AssumeRole`);
}

/**
 * `--no-ssh-public-keys`: the credential-report path skips its one ListSSHPublicKeys per user (the
 * configuration's `sshPublicKeys: false`); the accounts then say SSH keys were not listed.
 */
export function noSshPublicKeysOption(prefix = ''): Option {
  return new Option(
    '--no-ssh-public-keys',
    `${prefix}credential-report path: do not list each user's SSH public keys (one call per user; --source api always does)`,
  );
}

/**
 * The options several commands share, described once so that their help cannot drift apart. `prefix`
 * starts a description where the command also reads files (`live: `).
 */
export function profileOption(prefix = ''): Option {
  return new Option('--profile <name>', `${prefix}AWS shared-config or SSO profile`);
}

export function endpointUrlOption(prefix = ''): Option {
  return new Option(
    '--endpoint-url <url>',
    `${prefix}send AWS calls to this endpoint, e.g. a local emulator (default: $AWS_ENDPOINT_URL)`,
  );
}

/** `--config`: `what` says what the command takes from the file. */
export function parseExemptTag(text: string): ExemptionPolicy {
  const eq = text.indexOf('=');
  const tagKey = eq === -1 ? text : text.slice(0, eq);
  const tagValue = eq === -1 ? 'true' : text.slice(eq + 1);
  if (tagKey.trim() === '' || tagKey.length > 128 || tagValue.length > 256) {
    throw new InvalidArgumentError('expected KEY or KEY=VALUE (a tag key of 1-128 characters)');
  }
  return { tagKey, tagValue };
}

/** `--exempt-tag KEY[=VALUE]` (audit, plan): principals with this tag are exempt. */
export function exemptTagOption(what = 'users and roles with this tag are exempt'): Option {
  return new Option(
    '--exempt-tag <key[=value]>',
    `${what} [default: ${DEFAULT_EXEMPTION.tagKey}=${DEFAULT_EXEMPTION.tagValue}]`,
  ).argParser(parseExemptTag);
}

export function configOption(what?: string): Option {
  return new Option(
    '--config <file>',
    `configuration file${what ? `: ${what}` : ''}; flags win (default: ./credsweep.config.json|yaml|yml)`,
  );
}

/** `--wide`: tables show every column at full width instead of fitting the terminal (program.ts). */
export function wideOption(): Option {
  return new Option('--wide', 'tables: every column at full width, even on a terminal');
}

/** `--quiet`: no line naming the configuration file read (program.ts); errors are still printed. */
export function quietOption(): Option {
  return new Option('--quiet', 'do not say which configuration file was read');
}

/** A whole number from 1 to `max` of `unit`: 0, -1, 2.5 and 30d (the unit is the flag's name) refused. */
function parseAtLeastOne(max: number, unit: string): (text: string) => number {
  return (text) => {
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
      throw new InvalidArgumentError(`expected a whole number of ${unit} from 1 to ${max}`);
    }
    return Number(text);
  };
}

/**
 * `--keep-runs` and `--keep-days` (audit, history prune): the history database's retention, each a
 * limit (the configuration's keepRuns and keepDays). `when` says when it applies.
 */
export function keepRunsOption(when: string): Option {
  return new Option(
    '--keep-runs <n>',
    `${when}keep at most the newest N runs in the history database (default: the configuration's keepRuns, else every run)`,
  ).argParser(parseAtLeastOne(MAX_KEEP_RUNS, 'runs'));
}

export function keepDaysOption(when: string): Option {
  return new Option(
    '--keep-days <n>',
    `${when}remove runs older than N days from the history database, never the newest (default: the configuration's keepDays, else no age limit)`,
  ).argParser(parseAtLeastOne(MAX_KEEP_DAYS, 'days'));
}
