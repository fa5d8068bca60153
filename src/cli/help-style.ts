/**
 * One help style for every command, applied to the commands as built (so a command module cannot
 * drift from it): allowed values listed as `(one of: a, b)`, every default written `(default: X)`,
 * 2–4 examples and the exit codes at the end. test/cli/help.test.ts walks every command's help.
 */
import type { Command, Option } from 'commander';

const EXAMPLES: Record<string, readonly string[]> = {
  audit: [
    'credsweep audit --report credential-report.csv',
    'credsweep audit --org --format html --output report.html',
    'credsweep audit --format json --output findings.json --fail-on severity:high',
  ],
  permissions: [
    'credsweep permissions --format json --output permissions.json',
    'credsweep permissions --principal arn:aws:iam::111122223333:role/app --granularity action --suggest-policy',
  ],
  trail: [
    'credsweep trail ./AWSLogs',
    'credsweep trail s3://trail-bucket/prefix --since 2026-08-01 --format json',
    'credsweep trail --lookup --region us-east-1',
  ],
  plan: [
    'credsweep plan --from findings.json --output plan.json',
    "credsweep plan --from findings.json --output plan.json --exclude 'breakglass-*'",
  ],
  apply: ['credsweep apply plan.json', 'credsweep apply plan.json --yes --journal run.jsonl'],
  undo: ['credsweep undo plan.json.journal.jsonl', 'credsweep undo run.jsonl --yes'],
  history: ['credsweep history --db credsweep.db', 'credsweep history --db credsweep.db --format json'],
  diff: ['credsweep diff --db credsweep.db', 'credsweep diff 1 2 --db credsweep.db --format json'],
  export: [
    'credsweep export securityhub --from findings.json',
    'credsweep export securityhub --from findings.json --region eu-west-1',
  ],
};

export const EXIT_CODES_HELP =
  '0 ok · 1 --fail-on matched · 2 usage or input error · 3 AWS failure (other accounts still reported) · 70 internal error (a bug)';

// `[default: x]`, `(default: x)`, `(default x)` in a hand-written description; x runs to the bracket
// that closes the one it opened with, so `[default: one per core (at most 4)]` is read whole.
const WRITTEN_DEFAULT = /\s*(?:\[default:?\s+([^\]]+)\]|\(default:?\s+([^)]+)\))/;

function styleOption(option: Option): void {
  const o = option as Option & {
    parseArg?: { choices?: readonly string[] };
    defaultValueDescription?: string;
  };
  let description = o.description;
  const match = WRITTEN_DEFAULT.exec(description);
  const written = match ? (match[1] ?? match[2]) : undefined;
  if (match) description = description.replace(WRITTEN_DEFAULT, '');
  const choices = o.parseArg?.choices;
  if (choices && !description.includes('one of:')) description += ` (one of: ${choices.join(', ')})`;
  if (o.defaultValue !== undefined) {
    // What the user would type: the written default, else the option's own (`.default(86_400_000,
    // '24h')`), never the parsed value when the option gave a description for it.
    const value = o.defaultValue as unknown;
    o.defaultValueDescription =
      written ??
      o.defaultValueDescription ??
      (Array.isArray(value) ? (value.length === 0 ? 'none' : value.join(', ')) : String(value));
  } else if (written) {
    description += ` (default: ${written})`;
  }
  o.description = description;
}

/** Applies the style to `command` and its subcommands. */
export function applyHelpStyle(command: Command, path: readonly string[] = []): void {
  for (const option of command.options) styleOption(option);
  const name = [...path, command.name()];
  const examples = EXAMPLES[name[0]!];
  if (examples && path.length === 0) {
    command.addHelpText(
      'after',
      `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}\n\nExit codes: ${EXIT_CODES_HELP}\n`,
    );
  }
  for (const sub of command.commands) applyHelpStyle(sub, name);
}
