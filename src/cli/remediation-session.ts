/** The AWS session plan, apply and undo work in: the caller's identity and per-account IAM clients. */
import { partitionOf } from '../arn.ts';
import { connectionFromFlags } from '../audit/resolve-connection.ts';
import { classifyAwsError } from '../aws/classify-error.ts';
import { createStsClient } from '../aws/clients.ts';
import { AwsAccessError } from '../errors.ts';
import { remediationClients } from '../remediation/clients.ts';
import type { CallerIdentity } from '../remediation/plan.ts';
import { resolveCaller } from '../remediation/resolve-credentials.ts';
import type { CliContext } from './context.ts';
import type { ConnectionFlags } from './remediation-options.ts';

export interface RemediationSession {
  caller: CallerIdentity;
  /** The role assumed in every account other than the caller's (--role-name), when given. */
  memberRoleNames: readonly string[];
  clients: ReturnType<typeof remediationClients>;
  close(): void;
}

/** The caller's identity (and signing key), and per-account IAM clients. */
export async function openRemediationSession(
  ctx: CliContext,
  flags: ConnectionFlags,
): Promise<RemediationSession> {
  const connection = connectionFromFlags(flags, ctx.env);
  const sts = createStsClient(connection);
  let caller: CallerIdentity;
  try {
    caller = await resolveCaller(sts);
  } catch (e) {
    sts.destroy();
    const { code, message } = classifyAwsError(e, { callNamed: true });
    throw new AwsAccessError(`sts:GetCallerIdentity: ${code}: ${message}`, code);
  }
  const clients = remediationClients({
    connection,
    sts,
    callerAccountId: caller.accountId,
    partition: partitionOf(caller.arn),
    ...(flags.roleName ? { roleName: flags.roleName } : {}),
    ...(flags.externalId ? { externalId: flags.externalId } : {}),
  });
  return {
    caller,
    memberRoleNames: flags.roleName ? [flags.roleName] : [],
    clients,
    close() {
      clients.destroy();
      sts.destroy();
    },
  };
}
