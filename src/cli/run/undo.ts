/**
 * What `credsweep undo` does once its flags are parsed (./commands/undo.ts defines them), loaded only
 * when it runs: `undo --help` and a usage error load no AWS SDK (start-up: docs/performance.md).
 */
import { credentialIdOf } from '../../model/remediation-plan.ts';
import { randomUUID } from 'node:crypto';
import { ExitCode } from '../../errors.ts';
import { exemptionCheck } from '../../remediation/exemptions.ts';
import { checkJournalUnchanged, JournalWriter, readJournal } from '../../remediation/journal.ts';
import { resolvePlanKey } from '../../remediation/plan-digest.ts';
import { renderRecreations, renderStepListing, renderUndoResults } from '../../remediation/render.ts';
import { previewUndo, unconfirmedJournalRefusal, undoJournal, undoMayTrust } from '../../remediation/undo.ts';
import { loadCliConfig } from '../config-options.ts';
import { type CliContext, stderrTableOptions, tableOptions } from '../context.ts';
import { printAfterChange, writeOutput } from '../output.ts';
import { startProgress } from '../progress.ts';
import { type ConnectionFlags, confirmOrStop, cutOffLineNote } from '../remediation-options.ts';
import { openRemediationSession } from '../remediation-session.ts';
import { counted } from '../../plural.ts';

export interface UndoFlags extends ConnectionFlags {
  yes?: boolean;
  trustUnsignedJournal?: boolean;
  concurrency: number;
  planKeyFile?: string;
  config?: string;
}

export async function runUndo(
  ctx: CliContext,
  journalFile: string,
  flags: UndoFlags,
  setExit: (code: number) => void,
): Promise<void> {
  const key = resolvePlanKey(flags.planKeyFile, ctx.env);
  const noteCutOff = cutOffLineNote(ctx);
  const entries = readJournal(journalFile, { key, onCutOffLine: (line) => noteCutOff(journalFile, line) });
  const preview = previewUndo(entries);
  if (preview.reversible.length === 0) {
    let text = '';
    for (const { step: s } of preview.irreversible) {
      text += `cannot undo: ${s.action} ${credentialIdOf(s) ?? s.principalName} (${s.accountId} ${s.principalName})\n`;
    }
    for (const { step: s } of preview.unconfirmed) {
      text += `not confirmed, left as it is: ${s.action} ${credentialIdOf(s) ?? s.principalName} (${s.accountId} ${s.principalName})\n`;
    }
    await writeOutput(undefined, `${text}nothing to reverse\n`, { stdout: ctx.stdout });
    setExit(ExitCode.ok);
    return;
  }
  // A journal not sealed with the plan key confirms nothing credsweep did: refused before the prompt,
  // unless the user takes it as written.
  const trustUnsignedJournal = flags.trustUnsignedJournal ?? false;
  if (!undoMayTrust(entries, { key, trustUnsignedJournal })) {
    throw unconfirmedJournalRefusal(journalFile, preview.reversible.length);
  }
  const summary = `reverse ${counted(preview.reversible.length, 'step')} (${preview.irreversible.length} cannot be undone, ${preview.unconfirmed.length} not confirmed)`;
  // What recreating a role writes comes from the journal: shown whole, so the answer is informed.
  const listing =
    renderStepListing(
      preview.reversible.map((h) => h.step),
      stderrTableOptions(ctx),
    ) + renderRecreations(preview.reversible, { sealed: key !== undefined });
  if (!(await confirmOrStop(ctx, flags.yes, summary, setExit, listing))) return;
  const loaded = await loadCliConfig(flags.config, ctx);
  const journal = new JournalWriter(journalFile);
  let session: Awaited<ReturnType<typeof openRemediationSession>>;
  try {
    // What was confirmed was read before the prompt: holding the journal now, it must still say so.
    checkJournalUnchanged(journalFile, entries, 'undo', { key });
    session = await openRemediationSession(ctx, flags);
  } catch (e) {
    journal.close();
    throw e;
  }
  const progress = startProgress(ctx, preview.reversible.length, 'reversals');
  try {
    const results = await undoJournal(entries, {
      clients: session.clients,
      journal,
      now: ctx.now,
      runId: randomUUID(),
      planDigest: entries[0]!.planDigest,
      key,
      trustUnsignedJournal,
      exemptions: exemptionCheck(loaded?.config.exemptions ?? [], ctx.now()),
      callerArn: session.caller.arn,
      concurrency: flags.concurrency,
      onStepDone: (r) => progress.tick(r.outcome === 'failed'),
    });
    progress.stop();
    await printAfterChange(
      ctx,
      renderUndoResults(results, tableOptions(ctx)),
      `what was reversed is in the journal ${journalFile}`,
    );
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
}
