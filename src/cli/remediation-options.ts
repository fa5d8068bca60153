/**
 * What plan, apply and undo share at the CLI edge: the connection flags (the same as audit's) and
 * the confirmation rule (ask on a terminal; refuse without one). The AWS session is in
 * ./remediation-session.ts: the flags load no AWS SDK.
 */
import { createInterface } from 'node:readline/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { ExitCode, UsageError } from '../errors.ts';
import { DEFAULT_MAX_PLAN_AGE_MS } from '../remediation/plan-age.ts';
import type { CliContext } from './context.ts';
import { endpointUrlOption, parsePositiveInt, profileOption } from './options.ts';
import { unguarded } from './terminal-guard.ts';
import { printable } from '../reporters/printable.ts';

/** Accounts apply and undo work on at once: one account's steps always run one after another. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 4;

/** Accounts plan's live audit reads at once (a live `audit`'s default is AUDIT_DEFAULTS.concurrency). */
export const PLAN_AUDIT_CONCURRENCY = 4;

export function accountConcurrencyOption(): Option {
  return new Option('--concurrency <n>', "accounts worked on at once (an account's steps run in order)")
    .default(DEFAULT_ACCOUNT_CONCURRENCY)
    .argParser(parsePositiveInt(64));
}

export interface ConnectionFlags {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  roleName?: string;
  externalId?: string;
}

export function addConnectionOptions(command: Command): Command {
  return command
    .addOption(profileOption())
    .option('--region <region>', 'AWS region for the clients (IAM is global)')
    .addOption(endpointUrlOption())
    .option('--role-name <name>', "role assumed in every account other than the caller's")
    .option('--external-id <id>', 'external id for --role-name');
}

/**
 * `90m`, `24h`, `7d`, `30s` → milliseconds. The unit is required: a bare `1` read as seconds (as it
 * was) refused every plan while the user meant a day or an hour.
 */
export function parseDuration(text: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!m) {
    throw new InvalidArgumentError('expected a number and its unit (s, m, h or d), like 90m, 24h or 7d');
  }
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

export function maxPlanAgeOption(): Option {
  return new Option(
    '--max-plan-age <duration>',
    'refuse a plan whose data is older (a number and its unit: 90m, 24h, 7d; s, m, h or d)',
  )
    .default(DEFAULT_MAX_PLAN_AGE_MS, '24h')
    .argParser(parseDuration);
}

export function planKeyFileOption(): Option {
  return new Option(
    '--plan-key-file <file>',
    'key for the plan HMAC and journal lines (default: $CREDSWEEP_PLAN_KEY; without either, plain SHA-256)',
  );
}

/**
 * plan's and apply's --trust-unsigned-journal: the dates in journals not sealed with a plan key count
 * (undo has its own, ./commands/undo.ts).
 */
export function trustUnsignedJournalOption(journals: string, besides = ''): Option {
  return new Option(
    '--trust-unsigned-journal',
    `count the deactivation and quarantine dates of ${journals} not sealed with a plan key, taking them as written (without it they are ignored, so deletions wait: anyone who can write such a file chooses its dates)${besides}`,
  );
}

/** The one line plan and apply write for each journal whose dates did not count (deactivationDatesOf). */
export function noteUnconfirmedJournals(ctx: CliContext, files: readonly string[]): void {
  for (const file of files) {
    ctx.stderr.write(
      `credsweep: ${printable(file)}: its deactivation and quarantine dates were not used, since the journal is not sealed with a plan key and anyone who can write it chooses them: nothing is deleted on its word (give the key it was written with, --plan-key-file or CREDSWEEP_PLAN_KEY, or --trust-unsigned-journal to take it as written)\n`,
    );
  }
}

/**
 * What plan, apply and undo call when a journal's last line is cut off (readJournal's onCutOffLine):
 * one line on standard error per journal, however often the command reads it.
 */
export function cutOffLineNote(ctx: CliContext): (file: string, line: number) => void {
  const noted = new Set<string>();
  return (file, line) => {
    const where = `${printable(file)}:${line}`;
    if (noted.has(where)) return;
    noted.add(where);
    ctx.stderr.write(
      `credsweep: ${where}: the last line is cut off (its write never finished: a run killed, a full disk): ignored\n`,
    );
  };
}

/** confirm(), and on a no: says that nothing changed (exit 0). True to go ahead. */
export async function confirmOrStop(
  ctx: CliContext,
  yes: boolean | undefined,
  summary: string,
  setExit: (code: number) => void,
  listing?: string,
): Promise<boolean> {
  if (await confirm(ctx, yes, summary, listing)) return true;
  ctx.stderr.write('credsweep: nothing changed\n');
  setExit(ExitCode.ok);
  return false;
}

/**
 * Without --yes: ask on a terminal, showing `listing` (every step) and `summary`; refuse otherwise
 * (one line, with the summary). Returns false when the user said no. Both ends must be the terminal:
 * with standard error elsewhere (`2>&1 | head`, `2> log`) the steps and the question would not be
 * seen, and an answer typed blind is no confirmation.
 */
export async function confirm(
  ctx: CliContext,
  yes: boolean | undefined,
  summary: string,
  listing?: string,
): Promise<boolean> {
  if (yes) return true;
  if (!ctx.stdin.isTTY) {
    throw new UsageError(
      `refusing to change AWS without --yes: standard input is not a terminal (${summary})`,
    );
  }
  if (!ctx.stderr.isTTY) {
    throw new UsageError(
      `refusing to change AWS without --yes: standard error is not a terminal, so the steps could not be shown (${summary})`,
    );
  }
  // The summary (names from the plan) goes through the terminal guard; readline gets the raw stream,
  // since on a terminal it moves the cursor (editing the answer) with escape sequences of its own.
  ctx.stderr.write(`${listing ?? ''}${summary}\n`);
  const rl = createInterface({ input: ctx.stdin, output: unguarded(ctx.stderr) });
  try {
    const answer = await rl.question('Proceed? [y/N] ');
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
