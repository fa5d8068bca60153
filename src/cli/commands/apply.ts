/**
 * `credsweep apply PLAN`: checks the plan's digest and validity, locks the plan (by digest) and its
 * journal, says which thresholds it judges with when they are not the plan's (--days, --delete-after:
 * src/remediation/apply-thresholds.ts), lists every step and asks for confirmation on a terminal
 * (refuses without --yes otherwise), then carries it out, re-deriving each step from live state
 * (src/remediation/apply.ts). Exit 3 when any step failed.
 */
import { Command, Option } from 'commander';
import { AUDIT_DEFAULTS } from '../../audit/settings.ts';
import { DEFAULT_DELETE_AFTER_DAYS } from '../../remediation/apply-thresholds.ts';
import type { CliContext } from '../context.ts';
import { configOption, parseDays, wideOption } from '../options.ts';
import {
  accountConcurrencyOption,
  addConnectionOptions,
  maxPlanAgeOption,
  planKeyFileOption,
  trustUnsignedJournalOption,
} from '../remediation-options.ts';
import type { ApplyFlags } from '../run/apply.ts';

export function applyCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  const command = new Command('apply')
    .description('carry out a remediation plan (journalled; asks first unless --yes)')
    .argument('<plan>', 'the plan file (credsweep plan --output)')
    .option('--yes', 'do not ask for confirmation (required without a terminal)')
    .addOption(wideOption())
    .addOption(accountConcurrencyOption())
    .option('--journal <file>', 'the journal to write and resume from (default: <plan>.journal.jsonl)')
    .addOption(maxPlanAgeOption())
    .option(
      '--allow-irreversible',
      'carry out irreversible steps (deletions); the plan must have been made with it too',
    )
    .option(
      '--include-service-roles',
      'quarantine roles whose trust policy names an AWS service; the plan must have been made with it too',
    )
    .option('--reapply', 'apply a plan again after an undo reversed it')
    .option(
      '--access-analyzer <arn|auto>',
      'the IAM Access Analyzer analyzer whose findings restrict-permissions steps planned with one are re-checked against (default: auto)',
    )
    .addOption(
      new Option(
        '--days <n>',
        `apply's own threshold for every kind: steps are judged with the larger of it and the plan's, and for a plan not sealed with a plan key with at least the configuration's value for the kind (this raises it, never lowers it; with neither, ${AUDIT_DEFAULTS.days}); a sealed plan's stand unless this is larger`,
      ).argParser(parseDays),
    )
    .addOption(
      new Option(
        '--delete-after <days>',
        `apply's own --delete-after: the larger of it and the plan's is used (default for a plan not sealed with a plan key: ${DEFAULT_DELETE_AFTER_DAYS}; a sealed plan's stands unless this is larger)`,
      ).argParser(parseDays),
    )
    .addOption(configOption('its exemptions apply now, its thresholds to a plan not sealed with a plan key'))
    .addOption(planKeyFileOption())
    .addOption(
      trustUnsignedJournalOption(
        "the plan's journals (plan --journal)",
        "; and take apply's own --journal as written where it records a role deletion that stopped part-way, to finish it",
      ),
    );
  return addConnectionOptions(command).action(async (planFile: string, flags: ApplyFlags) => {
    const { runApply } = await import('../run/apply.ts');
    await runApply(ctx, planFile, flags, setExit);
  });
}
