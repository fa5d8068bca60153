/**
 * What `credsweep export securityhub` does once its flags are parsed (./commands/export.ts defines
 * them), loaded only when it runs: `export --help` and a usage error load no AWS SDK.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { classifyAwsError } from '../../aws/classify-error.ts';
import { createStsClient, DEFAULT_REGION } from '../../aws/clients.ts';
import { createSecurityHubClient } from '../../aws/security-hub-client.ts';
import { AwsAccessError, ExitCode } from '../../errors.ts';
import { importFindingsToSecurityHub } from '../../export/security-hub.ts';
import { readAuditReport } from '../../remediation/read-files.ts';
import { toAsffFindings } from '../../reporters/asff.ts';
import { printable } from '../../reporters/printable.ts';
import type { CliContext } from '../context.ts';
import { printAfterChange } from '../output.ts';
import { connectionFromFlags } from '../../audit/resolve-connection.ts';
import { counted } from '../../plural.ts';

export interface ExportSecurityHubFlags {
  from: string;
  profile?: string;
  region?: string;
  endpointUrl?: string;
}

/** Refusals printed one per line; the rest are counted. */
const MAX_REFUSALS_SHOWN = 20;

export async function runExportSecurityHub(
  ctx: CliContext,
  flags: ExportSecurityHubFlags,
  setExit: (code: number) => void,
): Promise<void> {
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
      const { code, message } = classifyAwsError(e, { callNamed: true });
      throw new AwsAccessError(`sts:GetCallerIdentity failed: ${code}: ${message}`, code);
    }
    const findings = toAsffFindings(report, { region, productAccountId: caller });
    const result = await importFindingsToSecurityHub(hub, findings);
    await printAfterChange(
      ctx,
      `imported ${result.imported} of ${counted(findings.length, 'finding')} into Security Hub (account ${caller}, ${region}) in ${counted(result.batches, 'batch', 'batches')}\n`,
      `Security Hub has what was imported (account ${caller}, ${region})`,
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
        `credsweep: securityhub: BatchImportFindings failed in account ${caller} (${region}): ${result.callFailure.code}: ${printable(result.callFailure.message)}; ${counted(result.notSent, 'finding')} not sent\n`,
      );
    }
    const failed = result.refused.length > 0 || result.callFailure !== undefined;
    setExit(failed ? ExitCode.awsFailure : ExitCode.ok);
  } finally {
    sts.destroy();
    hub.destroy();
  }
}
