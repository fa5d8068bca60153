/**
 * One help style for every command, applied to the commands as built (so a command module cannot
 * drift from it): allowed values listed as `(one of: a, b)`, every default written `(default: X)`,
 * 2–4 examples and the exit codes the command can return at the end, all wrapped to the terminal
 * (80 columns off one). test/cli/help.test.ts walks every command's help.
 */
import type { Command, Option } from 'commander';
import { wrapText } from '../reporters/text-width.ts';

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
  undo: [
    'credsweep undo plan.json.journal.jsonl --plan-key-file plan.key',
    'credsweep undo run.jsonl --yes --trust-unsigned-journal',
  ],
  history: ['credsweep history --db credsweep.db', 'credsweep history --db credsweep.db --format json'],
  'history prune': [
    'credsweep history prune --db credsweep.db --keep-runs 90 --dry-run',
    'credsweep history prune --db credsweep.db --keep-days 365',
  ],
  diff: ['credsweep diff --db credsweep.db', 'credsweep diff 1 2 --db credsweep.db --format json'],
  export: [
    'credsweep export securityhub --from findings.json',
    'credsweep export securityhub --from findings.json --region eu-west-1',
  ],
};
EXAMPLES['export securityhub'] = EXAMPLES.export!;

const INTERNAL = '70 internal error (a bug)';
const USAGE = '2 usage or input error';
const FINDINGS = [
  '0 ok',
  '1 --fail-on matched',
  USAGE,
  '3 AWS failure (other accounts still reported)',
  INTERNAL,
] as const;
const REMEDIATION = [
  '0 ok (or declined)',
  '2 usage, refused plan or journal',
  '3 a step failed, or AWS failure',
  INTERNAL,
] as const;
const EXPORT = ['0 ok', USAGE, '3 AWS failure, or findings Security Hub refused', INTERNAL] as const;

/** The exit codes each command can return (src/errors.ts ExitCode), in its help. */
export const EXIT_CODES: Record<string, readonly string[]> = {
  audit: [
    ...FINDINGS.slice(0, 2),
    `${USAGE}, or the run not stored in --db (the report is written first)`,
    ...FINDINGS.slice(3),
  ],
  permissions: FINDINGS,
  trail: ['0 ok', USAGE, '3 AWS failure, or log files that could not be read (the rest reported)', INTERNAL],
  plan: ['0 ok', USAGE, '3 AWS failure (the live audit, or the key ids it looks up)', INTERNAL],
  apply: REMEDIATION,
  undo: REMEDIATION,
  history: ['0 ok', USAGE, INTERNAL],
  'history prune': ['0 ok', USAGE, INTERNAL],
  diff: ['0 ok', USAGE, INTERNAL],
  export: EXPORT,
  'export securityhub': EXPORT,
};

/** Every code any command returns, for the overview. */
export const OVERVIEW_EXIT_CODES: readonly string[] = [
  '0 ok',
  '1 --fail-on matched (audit, permissions)',
  USAGE,
  "3 AWS failure (see each command's --help)",
  INTERNAL,
];

/** Help fits standard output's terminal; off a terminal, 80 columns (as commander's own part). */
export function helpWidth(stream: Pick<NodeJS.WriteStream, 'isTTY' | 'columns'>): number {
  return stream.isTTY && stream.columns > 0 ? stream.columns : 80;
}

/**
 * `text` in lines of at most `width` columns (the tables' word wrap, src/reporters/text-width.ts),
 * the first after `first`, the rest after `rest` (a hanging indent of the same width).
 */
export function wrapHelpText(text: string, width: number, first: string, rest = first): string[] {
  return wrapText(text, Math.max(width - first.length, 20)).map((l, i) => (i === 0 ? first : rest) + l);
}

/** An example command in lines of `width`, continued with `\` so that it still pastes into a shell. */
function wrapExample(example: string, width: number): string[] {
  // An example is pasted: its words are never shortened, however narrow the terminal.
  const lines = wrapText(example, Math.max(width - 6, 20), { keepWords: true }).map(
    (l, i) => (i === 0 ? '  ' : '    ') + l,
  );
  return lines.map((l, i) => (i < lines.length - 1 ? `${l} \\` : l));
}

/** The `Exit codes:` section: one code a line, its meaning wrapped after the code. */
export function exitCodesSection(codes: readonly string[], width: number): string[] {
  return [
    'Exit codes:',
    ...codes.flatMap((entry) => {
      const [code, ...meaning] = entry.split(' ');
      return wrapHelpText(meaning.join(' '), width, `  ${code!.padEnd(4)}`, ' '.repeat(6));
    }),
  ];
}

function helpEnd(name: string, width: number): string {
  const examples = EXAMPLES[name] ?? [];
  const codes = EXIT_CODES[name] ?? [];
  return [
    '',
    'Examples:',
    ...examples.flatMap((e) => wrapExample(e, width)),
    '',
    ...exitCodesSection(codes, width),
  ].join('\n');
}

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
  const name = [...path, command.name()].join(' ');
  if (EXAMPLES[name] || EXIT_CODES[name]) {
    // wrapped when printed, to the width commander's part of the help is wrapped to
    command.addHelpText('after', () => helpEnd(name, command.configureOutput().getOutHelpWidth?.() ?? 80));
  }
  for (const sub of command.commands) applyHelpStyle(sub, [...path, command.name()]);
}
