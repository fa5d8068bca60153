/**
 * What `credsweep apply` does once its flags are parsed (./commands/apply.ts defines them), loaded only
 * when it runs: `apply --help` and a usage error load no AWS SDK (start-up: docs/performance.md).
 */
import { credentialIdOf, type PlanStep } from '../../model/remediation-plan.ts';
import { randomUUID } from 'node:crypto';
import { ExitCode, UsageError } from '../../errors.ts';
import { ACTIONS } from '../../remediation/actions/index.ts';
import {
  applyPlan,
  checkNotUndone,
  checkPlanAge,
  gateStep,
  judgingThresholds,
  type StepPoint,
} from '../../remediation/apply.ts';
import { type ApplyOwnThresholds, describeApplyThresholds } from '../../remediation/apply-thresholds.ts';
import { exemptionCheck } from '../../remediation/exemptions.ts';
import {
  checkJournalUnchanged,
  confirmedDeactivationDates,
  foldJournal,
  JournalWriter,
  readDeactivationJournals,
  readJournal,
} from '../../remediation/journal.ts';
import {
  type LiveAccessAnalyzer,
  resolveLiveAccessAnalyzer,
} from '../../remediation/live-access-analyzer.ts';
import { acquirePlanLock } from '../../remediation/plan-lock.ts';
import { resolvePlanKey } from '../../remediation/plan-digest.ts';
import { readRemediationPlan } from '../../remediation/read-files.ts';
import { renderApplyResults, renderNotCarriedOut, renderStepListing } from '../../remediation/render.ts';
import { checkPlanNotFromFuture, verifyPlan } from '../../remediation/verify-plan.ts';
import { loadCliConfig } from '../config-options.ts';
import { type CliContext, stderrTableOptions, tableOptions } from '../context.ts';
import { printAfterChange, writeOutput } from '../output.ts';
import { startProgress } from '../progress.ts';
import {
  type ConnectionFlags,
  confirmOrStop,
  cutOffLineNote,
  noteUnconfirmedJournals,
} from '../remediation-options.ts';
import { openRemediationSession } from '../remediation-session.ts';
import { counted } from '../../plural.ts';

export interface ApplyFlags extends ConnectionFlags {
  yes?: boolean;
  concurrency: number;
  journal?: string;
  maxPlanAge: number;
  allowIrreversible?: boolean;
  includeServiceRoles?: boolean;
  reapply?: boolean;
  accessAnalyzer?: string;
  config?: string;
  planKeyFile?: string;
  /** apply's own threshold, for every kind (a floor under an unsealed plan's; raises a sealed one's). */
  days?: number;
  /** apply's own --delete-after (likewise). */
  deleteAfter?: number;
  /** `--trust-unsigned-journal`: the dates of the plan's journals not sealed with a plan key count. */
  trustUnsignedJournal?: boolean;
}

/**
 * Test hook: `CREDSWEEP_TEST_KILL_AT=<point>:<n>[:SIGSTOP]` SIGKILLs (or stops) this process at that
 * point of the n-th step acted on (points: after-intent, after-call, after-done), to prove resume and
 * undo work from whatever the journal holds at that instant, and that a running apply holds its locks.
 */
function killHook(env: NodeJS.ProcessEnv): ((point: StepPoint, index: number) => void) | undefined {
  const spec = env.CREDSWEEP_TEST_KILL_AT;
  if (!spec) return undefined;
  const m = /^(after-intent|after-call|after-done):(\d+)(?::(SIGSTOP))?$/.exec(spec);
  if (!m) {
    throw new UsageError(
      'CREDSWEEP_TEST_KILL_AT: expected <after-intent|after-call|after-done>:<n>[:SIGSTOP]',
    );
  }
  const signal = m[3] === 'SIGSTOP' ? 'SIGSTOP' : 'SIGKILL';
  return (point, index) => {
    if (point === m[1] && index === Number(m[2])) process.kill(process.pid, signal);
  };
}

export async function runApply(
  ctx: CliContext,
  planFile: string,
  flags: ApplyFlags,
  setExit: (code: number) => void,
): Promise<void> {
  const onPoint = killHook(ctx.env);
  const key = resolvePlanKey(flags.planKeyFile, ctx.env);
  const { plan } = await readRemediationPlan(planFile);
  verifyPlan(plan, planFile, key);
  checkPlanNotFromFuture(plan, planFile, ctx.now());
  checkPlanAge(plan, planFile, ctx.now(), flags.maxPlanAge);
  const journalFile = flags.journal ?? `${planFile}.journal.jsonl`;
  // One apply of a plan at a time, whatever its journal (held from before the prompt to the end).
  const planLock = acquirePlanLock(plan.digest.value, planFile);
  try {
    const noteCutOff = cutOffLineNote(ctx);
    const history = readJournal(journalFile, {
      missingOk: true,
      planDigest: plan.digest.value,
      key,
      onCutOffLine: (line) => noteCutOff(journalFile, line),
    });
    checkNotUndone(history, journalFile, flags.reapply ?? false);
    const past = foldJournal(history);
    const pending = plan.steps.filter((s) => past.get(s.id)?.state !== 'applied');
    if (pending.length === 0) {
      await writeOutput(
        undefined,
        `nothing to do: ${counted(plan.steps.length, 'step')}, all done according to ${journalFile}\n`,
        { stdout: ctx.stdout },
      );
      setExit(ExitCode.ok);
      return;
    }
    // What is asked about is what apply may carry out: the steps the plan and apply's flags alone rule
    // out are listed apart, with why (applyPlan skips them the same way: gateStep). Reversibility from
    // the registry, never from the step.
    const allowIrreversible = flags.allowIrreversible ?? false;
    const gated: { step: PlanStep; detail: string }[] = [];
    const actable: PlanStep[] = [];
    for (const step of pending) {
      const why = gateStep(step, plan, allowIrreversible);
      if (why) gated.push({ step, detail: why.detail });
      else actable.push(step);
    }
    const irreversible = actable.filter((s) => !ACTIONS[s.action].reversible).length;
    const accounts = new Set(actable.map((s) => s.accountId)).size;
    const notCarriedOut = gated.length > 0 ? `; ${gated.length} more not carried out (listed above)` : '';
    const summary = `${counted(actable.length, 'step')} in ${counted(accounts, 'account')}: ${actable.length - irreversible} reversible, ${irreversible} irreversible${notCarriedOut}`;
    // The exemptions now, read before asking (a bad file is one line, nothing asked). A plan made with
    // a configuration file's exemptions needs one here too: without it, an exemption added there since
    // planning would silently not count (apply run from another directory, --config forgotten).
    const loaded = await loadCliConfig(flags.config, ctx);
    if (plan.options.configFile !== undefined && loaded === undefined) {
      throw new UsageError(
        `the plan was made with the exemptions of ${plan.options.configFile}, and apply has no configuration file: an exemption added there since must count`,
        `give it with --config (or run apply where ./credsweep.config.* is)`,
      );
    }
    // The dates of the plan's journals, read before asking: a journal whose dates do not count (not
    // sealed, not trusted) is said before the question, so the answer knows the deletions will wait.
    // applyPlan derives the dates from these journals itself.
    const trustUnsignedJournal = flags.trustUnsignedJournal ?? false;
    const deactivationJournals = pending.some(
      (s) => s.action === 'delete-access-key' || s.action === 'delete-role',
    )
      ? readDeactivationJournals(plan.options.journals, key, noteCutOff)
      : [];
    noteUnconfirmedJournals(
      ctx,
      confirmedDeactivationDates(deactivationJournals, key, trustUnsignedJournal).unconfirmed,
    );
    // What the steps are judged with: said before them when it is not what the plan recorded (an
    // unsealed plan's thresholds meet apply's own). The threshold is a live check: a step listed here
    // may still be skipped when it runs.
    const judging: ApplyOwnThresholds = {
      ...(flags.days !== undefined ? { days: flags.days } : {}),
      ...(flags.deleteAfter !== undefined ? { deleteAfterDays: flags.deleteAfter } : {}),
      ...(loaded ? { config: loaded.config } : {}),
    };
    const judgedWith = describeApplyThresholds(
      judgingThresholds(plan, key, judging),
      new Set(actable.flatMap((s) => ACTIONS[s.action].judgedBy)),
    );
    if (flags.yes) for (const line of judgedWith) ctx.stderr.write(`credsweep: ${line}\n`);
    if (
      !(await confirmOrStop(
        ctx,
        flags.yes,
        summary,
        setExit,
        judgedWith.map((line) => `${line}\n`).join('') +
          renderStepListing(actable, stderrTableOptions(ctx)) +
          renderNotCarriedOut(gated),
      ))
    )
      return;
    const session = await openRemediationSession(ctx, flags);
    // Steps planned with IAM Access Analyzer's verdicts re-read the analyzer credsweep resolves
    // itself (the flag, else auto), never the one the plan names.
    const wantsAnalyzer = pending.some((s) => s.restriction?.accessAnalyzer !== undefined);
    let accessAnalyzer: LiveAccessAnalyzer | undefined;
    try {
      accessAnalyzer = wantsAnalyzer
        ? await resolveLiveAccessAnalyzer(
            await session.clients.accessAnalyzer(),
            flags.accessAnalyzer ?? 'auto',
          )
        : undefined;
    } catch (e) {
      session.close();
      throw e;
    }
    if (accessAnalyzer && 'unavailable' in accessAnalyzer) {
      ctx.stderr.write(
        `credsweep: ${accessAnalyzer.unavailable}: steps planned with its findings are skipped\n`,
      );
    }
    let journal: JournalWriter;
    try {
      journal = new JournalWriter(journalFile);
    } catch (e) {
      session.close();
      throw e;
    }
    try {
      // What was confirmed was read before the prompt: holding the journal now, it must still say so.
      checkJournalUnchanged(journalFile, history, 'apply', { planDigest: plan.digest.value, key });
    } catch (e) {
      journal.close();
      session.close();
      throw e;
    }
    const progress = startProgress(ctx, plan.steps.length, 'steps');
    try {
      const result = await applyPlan(plan, {
        clients: session.clients,
        journal,
        history,
        now: ctx.now,
        runId: randomUUID(),
        concurrency: flags.concurrency,
        onStepDone: (r) => progress.tick(r.outcome === 'failed'),
        planFile,
        key,
        maxPlanAgeMs: flags.maxPlanAge,
        callerAccessKeyId: session.caller.accessKeyId,
        callerArn: session.caller.arn,
        memberRoleNames: session.memberRoleNames,
        allowIrreversible,
        reapply: flags.reapply ?? false,
        includeServiceRoles: flags.includeServiceRoles ?? false,
        exemptions: exemptionCheck(loaded?.config.exemptions ?? [], ctx.now()),
        judging,
        deactivationJournals,
        trustUnsignedJournal,
        trustUnsignedHistory: trustUnsignedJournal,
        ...(accessAnalyzer ? { accessAnalyzer } : {}),
        ...(onPoint ? { onPoint } : {}),
      });
      progress.stop();
      const record = `what was done is in the journal ${journalFile}`;
      const shown = await printAfterChange(
        ctx,
        renderApplyResults(result.results, tableOptions(ctx)),
        record,
      );
      for (const r of result.results.filter((x) => x.outcome === 'failed')) {
        const target = credentialIdOf(r.step) ?? r.step.principalName;
        ctx.stderr.write(
          `credsweep: account ${r.step.accountId}: ${r.step.action} ${target}: ${r.reason}: ${r.detail}\n`,
        );
      }
      if (shown) await printAfterChange(ctx, `journal: ${journalFile}\n`, record);
      const analyzerFailed = accessAnalyzer !== undefined && 'failed' in accessAnalyzer;
      setExit(result.failed > 0 || analyzerFailed ? ExitCode.awsFailure : ExitCode.ok);
    } finally {
      progress.stop();
      journal.close();
      session.close();
    }
  } finally {
    planLock.release();
  }
}
