/**
 * `credsweep export securityhub --from findings.json`: the audit's findings as ASFF, imported into
 * Security Hub in the caller's account and region (batches of 100). Refused findings are listed on
 * standard error and the exit code is 3.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { Command } from 'commander';
import { classifyAwsError } from '../../aws/classify-error.ts';
import { createStsClient, DEFAULT_REGION } from '../../aws/clients.ts';
import { createSecurityHubClient } from '../../aws/security-hub-client.ts';
import { AwsAccessError, ExitCode, UsageError } from '../../errors.ts';
import { importFindingsToSecurityHub } from '../../export/security-hub.ts';
import { readAuditReport } from '../../remediation/read-files.ts';
import { toAsffFindings } from '../../reporters/asff.ts';
import { printable } from '../../reporters/printable.ts';
import type { CliContext } from '../context.ts';
import { connectionFromFlags } from '../../audit/resolve-connection.ts';

export interface ExportSecurityHubFlags {
  from: string;
  profile?: string;
  region?: string;
  endpointUrl?: string;
}

/** Refusals printed one per line; the rest are counted. */
const MAX_REFUSALS_SHOWN = 20;

export function exportCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  const securityHub = new Command('securityhub')
    .description("import an audit's findings into AWS Security Hub (BatchImportFindings, ASFF)")
    .requiredOption('--from <file>', 'the audit JSON (credsweep audit --format json --output FILE)')
    .option('--profile <name>', 'AWS shared-config profile')
    .option('--region <region>', `the Security Hub region (default: AWS_REGION, else ${DEFAULT_REGION})`)
    .option('--endpoint-url <url>', 'send AWS calls to this endpoint (default: $AWS_ENDPOINT_URL)')
    .action(async (flags: ExportSecurityHubFlags) => {
      const report = await readAuditReport(flags.from);
      const connection = connectionFromFlags(flags, ctx.env);
      const region = connection.region ?? DEFAULT_REGION;
      const sts = createStsClient(connection);
      const hub = createSecurityHubClient({ ...connection, region });
      try {
        let caller: string;
        try {
          caller = (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
        } catch (e) {
          const { code, message } = classifyAwsError(e);
          throw new AwsAccessError(`sts:GetCallerIdentity failed: ${code}: ${message}`, code);
        }
        const findings = toAsffFindings(report, { region, productAccountId: caller });
        const result = await importFindingsToSecurityHub(hub, findings);
        ctx.stdout.write(
          `imported ${result.imported} of ${findings.length} findings into Security Hub (account ${caller}, ${region}) in ${result.batches} batch${result.batches === 1 ? '' : 'es'}\n`,
        );
        for (const refused of result.refused.slice(0, MAX_REFUSALS_SHOWN)) {
          ctx.stderr.write(
            `credsweep: securityhub: ${printable(refused.id)}: ${printable(refused.code)}: ${printable(refused.message)}\n`,
          );
        }
        if (result.refused.length > MAX_REFUSALS_SHOWN) {
          ctx.stderr.write(
            `credsweep: securityhub: … and ${result.refused.length - MAX_REFUSALS_SHOWN} more refused\n`,
          );
        }
        if (result.callFailure) {
          ctx.stderr.write(
            `credsweep: securityhub: BatchImportFindings failed in account ${caller} (${region}): ${result.callFailure.code}: ${printable(result.callFailure.message)}; ${result.notSent} findings not sent\n`,
          );
        }
        const failed = result.refused.length > 0 || result.callFailure !== undefined;
        setExit(failed ? ExitCode.awsFailure : ExitCode.ok);
      } finally {
        sts.destroy();
        hub.destroy();
      }
    });
  return new Command('export')
    .description('send findings to security tooling')
    .addCommand(securityHub.exitOverride().configureOutput({ outputError: () => {} }))
    .action(() => {
      throw new UsageError('export needs a target: credsweep export securityhub --from FILE');
    });
}
