/**
 * `credsweep export securityhub --from findings.json`: the audit's findings as ASFF, imported into
 * Security Hub in the caller's account and region (batches of 100). Refused findings are listed on
 * standard error and the exit code is 3.
 */
import { Command } from 'commander';
import { DEFAULT_REGION } from '../../aws/default-region.ts';
import { UsageError } from '../../errors.ts';
import type { CliContext } from '../context.ts';
import { endpointUrlOption, profileOption } from '../options.ts';
import { refuseUnknownSubcommand } from '../stray-arguments.ts';
import type { ExportSecurityHubFlags } from '../run/export.ts';

export function exportCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  const securityHub = new Command('securityhub')
    .description("import an audit's findings into AWS Security Hub (BatchImportFindings, ASFF)")
    .requiredOption('--from <file>', 'the audit JSON (credsweep audit --format json --output FILE)')
    .addOption(profileOption())
    .option('--region <region>', `the Security Hub region (default: AWS_REGION, else ${DEFAULT_REGION})`)
    .addOption(endpointUrlOption())
    .action(async (flags: ExportSecurityHubFlags) => {
      const { runExportSecurityHub } = await import('../run/export.ts');
      await runExportSecurityHub(ctx, flags, setExit);
    });
  return new Command('export')
    .description('send findings to security tooling')
    .addCommand(securityHub.exitOverride().configureOutput({ outputError: () => {} }))
    .allowExcessArguments()
    .action((_flags: unknown, command: Command) => {
      refuseUnknownSubcommand(command);
      throw new UsageError('export needs a target: credsweep export securityhub --from FILE');
    });
}
