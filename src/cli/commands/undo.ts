/**
 * `credsweep undo JOURNAL`: reactivates what apply confirmed it deactivated (and what is still as it
 * left it), lists what cannot be undone (deleted keys and login profiles) and what was never
 * confirmed. Refuses a journal with a line that does not parse, belongs to another plan or (with a
 * plan key) has a wrong HMAC. Same confirmation rule as apply. Exit 3 when any reversal failed.
 */
import { credentialIdOf } from '../../model/remediation-plan.ts';
import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { ExitCode } from '../../errors.ts';
import { JournalWriter, readJournal } from '../../remediation/journal.ts';
import { resolvePlanKey } from '../../remediation/plan-digest.ts';
import { renderStepListing, renderUndoResults } from '../../remediation/render.ts';
import { previewUndo, undoJournal } from '../../remediation/undo.ts';
import { type CliContext, tableOptions } from '../context.ts';
import { startProgress } from '../progress.ts';
import {
  accountConcurrencyOption,
  addConnectionOptions,
  type ConnectionFlags,
  confirmOrStop,
  openRemediationSession,
  planKeyFileOption,
} from '../remediation-options.ts';
import { wideOption } from '../options.ts';

interface UndoFlags extends ConnectionFlags {
  yes?: boolean;
  concurrency: number;
  planKeyFile?: string;
}

export function undoCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  const command = new Command('undo')
    .description('reverse what an apply journal says was done, where AWS allows it')
    .argument('<journal>', 'the journal apply wrote')
    .option('--yes', 'do not ask for confirmation (required without a terminal)')
    .addOption(wideOption())
    .addOption(accountConcurrencyOption())
    .addOption(planKeyFileOption());
  return addConnectionOptions(command).action(async (journalFile: string, flags: UndoFlags) => {
    const key = resolvePlanKey(flags.planKeyFile, ctx.env);
    const entries = readJournal(journalFile, { key });
    const preview = previewUndo(entries);
    if (preview.reversible.length === 0) {
      for (const { step: s } of preview.irreversible) {
        ctx.stdout.write(
          `cannot undo: ${s.action} ${credentialIdOf(s) ?? s.principalName} (${s.accountId} ${s.principalName})\n`,
        );
      }
      for (const { step: s } of preview.unconfirmed) {
        ctx.stdout.write(
          `not confirmed, left as it is: ${s.action} ${credentialIdOf(s) ?? s.principalName} (${s.accountId} ${s.principalName})\n`,
        );
      }
      ctx.stdout.write('nothing to reverse\n');
      setExit(ExitCode.ok);
      return;
    }
    const summary = `reverse ${preview.reversible.length} step(s) (${preview.irreversible.length} cannot be undone, ${preview.unconfirmed.length} not confirmed)`;
    const listing = renderStepListing(preview.reversible.map((h) => h.step));
    if (!(await confirmOrStop(ctx, flags.yes, summary, setExit, listing))) return;
    const session = await openRemediationSession(ctx, flags);
    const journal = new JournalWriter(journalFile);
    const progress = startProgress(ctx, preview.reversible.length, 'reversals');
    try {
      const results = await undoJournal(entries, {
        clients: session.clients,
        journal,
        now: ctx.now,
        runId: randomUUID(),
        planDigest: entries[0]!.planDigest,
        key,
        concurrency: flags.concurrency,
        onStepDone: (r) => progress.tick(r.outcome === 'failed'),
      });
      progress.stop();
      ctx.stdout.write(renderUndoResults(results, tableOptions(ctx)));
      for (const r of results.filter((x) => x.outcome === 'failed')) {
        const target = credentialIdOf(r.step) ?? r.step.principalName;
        ctx.stderr.write(
          `credsweep: account ${r.step.accountId}: undo ${r.step.action} ${target}: ${r.detail}\n`,
        );
      }
      setExit(results.some((r) => r.outcome === 'failed') ? ExitCode.awsFailure : ExitCode.ok);
    } finally {
      progress.stop();
      journal.close();
      session.close();
    }
  });
}
