/**
 * `credsweep undo JOURNAL`: reactivates what apply confirmed it deactivated (and what is still as it
 * left it), lists what cannot be undone (deleted keys and login profiles) and what was never
 * confirmed. Refuses a journal with a line that does not parse, belongs to another plan or (with a
 * plan key) has a wrong HMAC, and one not sealed with a plan key unless --trust-unsigned-journal. Same confirmation rule as apply. A principal exempt now (the exempt tag,
 * the configuration's exemptions) is left as it is. Exit 3 when any reversal failed.
 */
import { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { configOption, wideOption } from '../options.ts';
import { accountConcurrencyOption, addConnectionOptions, planKeyFileOption } from '../remediation-options.ts';
import type { UndoFlags } from '../run/undo.ts';

export function undoCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  const command = new Command('undo')
    .description('reverse what an apply journal says was done, where AWS allows it')
    .argument('<journal>', 'the journal apply wrote')
    .option('--yes', 'do not ask for confirmation (required without a terminal)')
    .option(
      '--trust-unsigned-journal',
      'undo from a journal not sealed with a plan key, taking it as written (without it such a journal is refused: anyone who can write it decides what undo reverses; a deleted role is recreated with the policies it names)',
    )
    .addOption(wideOption())
    .addOption(accountConcurrencyOption())
    .addOption(configOption('its exemptions apply now: an exempt principal is left as it is'))
    .addOption(planKeyFileOption());
  return addConnectionOptions(command).action(async (journalFile: string, flags: UndoFlags) => {
    const { runUndo } = await import('../run/undo.ts');
    await runUndo(ctx, journalFile, flags, setExit);
  });
}
