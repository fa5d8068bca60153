/**
 * A command that has subcommands and also runs alone (`history`, `export`): a word after it is a
 * mistyped subcommand, said as commander says it for a command (`unknown command 'purne' for
 * 'history' (Did you mean prune?)`), not commander's "too many arguments for 'history'".
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
