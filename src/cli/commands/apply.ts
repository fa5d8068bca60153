/**
 * `credsweep apply PLAN`: carries the plan out, journalled (see src/remediation/apply.ts). Asks for
 * confirmation on a terminal, refuses without --yes otherwise. Exit 3 when any step failed.
 */
import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { ExitCode, UsageError } from '../../errors.ts';
import { applyPlan, checkPlanAge, type StepPoint } from '../../remediation/apply.ts';
import { foldJournal, JournalWriter, readJournal } from '../../remediation/journal.ts';
import { readRemediationPlan } from '../../remediation/read-files.ts';
import { renderApplyResults } from '../../remediation/render.ts';
import { type CliContext, tableOptions } from '../context.ts';
import { startProgress } from '../progress.ts';
import {
  accountConcurrencyOption,
  addConnectionOptions,
  type ConnectionFlags,
  confirmOrStop,
  maxPlanAgeOption,
  openRemediationSession,
} from '../remediation-options.ts';
import { wideOption } from '../options.ts';

interface ApplyFlags extends ConnectionFlags {
  yes?: boolean;
  concurrency: number;
  journal?: string;
  maxPlanAge: number;
}

/**
 * Test hook: `CREDSWEEP_TEST_KILL_AT=<point>:<n>` SIGKILLs this process at that point of the n-th
 * step acted on (points: after-intent, after-call, after-done), to prove resume and undo work from
 * whatever the journal holds at that instant.
 */
function killHook(env: NodeJS.ProcessEnv): ((point: StepPoint, index: number) => void) | undefined {
  const spec = env.CREDSWEEP_TEST_KILL_AT;
  if (!spec) return undefined;
  const m = /^(after-intent|after-call|after-done):(\d+)$/.exec(spec);
  if (!m) throw new UsageError(`CREDSWEEP_TEST_KILL_AT: expected <after-intent|after-call|after-done>:<n>`);
  return (point, index) => {
    if (point === m[1] && index === Number(m[2])) process.kill(process.pid, 'SIGKILL');
  };
}

export function applyCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  const command = new Command('apply')
    .description('carry out a remediation plan (journalled; asks first unless --yes)')
    .argument('<plan>', 'the plan file (credsweep plan --output)')
    .option('--yes', 'do not ask for confirmation (required without a terminal)')
    .addOption(wideOption())
    .addOption(accountConcurrencyOption())
    .option('--journal <file>', 'the journal to write and resume from (default: <plan>.journal.jsonl)')
    .addOption(maxPlanAgeOption());
  return addConnectionOptions(command).action(async (planFile: string, flags: ApplyFlags) => {
    const onPoint = killHook(ctx.env);
    const { plan, sha256 } = await readRemediationPlan(planFile);
    checkPlanAge(plan, planFile, ctx.now(), flags.maxPlanAge);
    const journalFile = flags.journal ?? `${planFile}.journal.jsonl`;
    const history = readJournal(journalFile, { missingOk: true });
    const past = foldJournal(history);
    const pending = plan.steps.filter((s) => past.get(s.id)?.state !== 'applied');
    if (pending.length === 0) {
      ctx.stdout.write(`nothing to do: ${plan.steps.length} step(s), all done according to ${journalFile}\n`);
      setExit(ExitCode.ok);
      return;
    }
    const irreversible = pending.filter((s) => !s.reversible).length;
    const accounts = new Set(pending.map((s) => s.accountId)).size;
    const summary = `${pending.length} step(s) in ${accounts} account(s): ${pending.length - irreversible} reversible, ${irreversible} irreversible`;
    if (!(await confirmOrStop(ctx, flags.yes, summary, setExit))) return;
    const session = await openRemediationSession(ctx, flags);
    const journal = new JournalWriter(journalFile);
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
        planSha256: sha256,
        callerAccessKeyId: session.caller.accessKeyId,
        ...(onPoint ? { onPoint } : {}),
      });
      progress.stop();
      ctx.stdout.write(renderApplyResults(result.results, tableOptions(ctx)));
      for (const r of result.results.filter((x) => x.outcome === 'failed')) {
        const target = r.step.accessKeyId ?? r.step.certificateId ?? r.step.principalName;
        ctx.stderr.write(
          `credsweep: account ${r.step.accountId}: ${r.step.action} ${target}: ${r.reason}: ${r.detail}\n`,
        );
      }
      ctx.stdout.write(`journal: ${journalFile}\n`);
      setExit(result.failed > 0 ? ExitCode.awsFailure : ExitCode.ok);
    } finally {
      progress.stop();
      journal.close();
      session.close();
    }
  });
}
