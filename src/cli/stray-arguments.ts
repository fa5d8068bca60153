/**
 * Words after a command that takes none, where commander would say "too many arguments for 'audit'.
 * Expected 0 arguments but got 1.": after `history` or `export` a mistyped subcommand (`unknown
 * command 'purne' for 'history' (Did you mean prune?)`), after `audit` or `plan` a file given without
 * its flag (`credsweep audit report.csv`: `--report report.csv`).
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';

/** Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

/** Call first in the action of a command made with `.allowExcessArguments()`. */
export function refuseUnknownSubcommand(command: Command): void {
  const word = command.args[0];
  if (word === undefined) return;
  const near = command.commands
    .map((c) => c.name())
    .find((name) => editDistance(name, word.toLowerCase()) <= 2);
  throw new UsageError(
    `unknown command '${word}' for '${command.name()}'${near ? ` (Did you mean ${near}?)` : ''}`,
    `see credsweep ${command.name()} --help`,
  );
}

/**
 * A command that takes no argument, given one (`credsweep audit report.csv`): say which flag takes a
 * file, where commander says "too many arguments for 'audit'. Expected 0 arguments but got 1.".
 * Call first in the action of a command made with `.allowExcessArguments()`.
 */
export function refuseArgument(command: Command, fileFlag: string): void {
  const word = command.args[0];
  if (word === undefined) return;
  throw new UsageError(
    `${command.name()} takes no argument, given '${word}'`,
    `a file is given as credsweep ${command.name()} ${fileFlag} ${word}; see credsweep ${command.name()} --help`,
  );
}
