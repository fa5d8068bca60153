/**
 * RemediationClients over the shared SDK factory: the caller's account uses the base connection,
 * other accounts an assumed role (--role-name), member-account root an sts:AssumeRoot session scoped
 * to deleting root credentials. Sessions are made once per account and reused. IAM Access Analyzer
 * (restrict-permissions steps planned with its verdicts) is read in the caller's account, like the audit.
 */
import type { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import type { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRootCommand, type STSClient } from '@aws-sdk/client-sts';
import { assumeRoleInAccount } from '../aws/assume-role.ts';
import { type AwsConnection, createIamClient } from '../aws/clients.ts';
import { AwsAccessError } from '../errors.ts';
import type { RemediationClients } from './actions/index.ts';
import { ROOT_TASK_POLICY_ARN } from './actions/delete-root-access-key.ts';

export interface RemediationConnection {
  connection: AwsConnection;
  sts: STSClient;
  callerAccountId: string;
  /** Role assumed in every account other than the caller's; without it those accounts fail. */
  roleName?: string;
  externalId?: string;
  /**
   * The caller's partition (aws, aws-cn, aws-us-gov), from its ARN: member role ARNs and the root
   * task policy ARN live in it. `aws` when absent.
   */
  partition?: string;
}

/** The AWS-managed root task policy in the caller's partition. */
export function rootTaskPolicyArn(partition = 'aws'): string {
  return ROOT_TASK_POLICY_ARN.replace(/^arn:aws:/, `arn:${partition}:`);
}

/** The longest session AssumeRoot allows (900 s); one apply's root steps fit in it. */
const ROOT_SESSION_SECONDS = 900;

export function remediationClients(c: RemediationConnection): RemediationClients & {
  /**
   * IAM Access Analyzer in the caller's account and Region (where the audit reads it too). Its SDK
   * package is loaded by the first call: only an apply with steps planned with an analyzer needs it.
   */
  accessAnalyzer(): Promise<AccessAnalyzerClient>;
  destroy(): void;
} {
  let analyzer: Promise<AccessAnalyzerClient> | undefined;
  let analyzerMade: AccessAnalyzerClient | undefined;
  const iam = new Map<string, Promise<IAMClient>>();
  const rootIam = new Map<string, Promise<IAMClient>>();
  const made: IAMClient[] = [];
  const keep = (client: IAMClient) => {
    made.push(client);
    return client;
  };
  return {
    iam(accountId) {
      let client = iam.get(accountId);
      if (!client) {
        client = (async () => {
          if (accountId === c.callerAccountId) return keep(createIamClient(c.connection));
          if (!c.roleName) {
            throw new AwsAccessError(
              `account ${accountId} is not the caller's account (${c.callerAccountId}) and no --role-name was given`,
              'NoRole',
              accountId,
            );
          }
          const credentials = await assumeRoleInAccount(c.sts, {
            accountId,
            roleName: c.roleName,
            sessionName: 'credsweep-remediation',
            ...(c.partition ? { partition: c.partition } : {}),
            ...(c.externalId ? { externalId: c.externalId } : {}),
          });
          return keep(createIamClient({ ...c.connection, profile: undefined, credentials }));
        })();
        iam.set(accountId, client);
      }
      return client;
    },
    rootIam(accountId) {
      let client = rootIam.get(accountId);
      if (!client) {
        client = (async () => {
          // AssumeRoot needs a Regional STS endpoint (the global one is not supported), which SDK v3 uses.
          const { Credentials } = await c.sts.send(
            new AssumeRootCommand({
              TargetPrincipal: accountId,
              TaskPolicyArn: { arn: rootTaskPolicyArn(c.partition) },
              DurationSeconds: ROOT_SESSION_SECONDS,
            }),
          );
          if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) {
            throw new AwsAccessError('sts:AssumeRoot returned no credentials', 'NoCredentials', accountId);
          }
          return keep(
            createIamClient({
              ...c.connection,
              profile: undefined,
              credentials: {
                accessKeyId: Credentials.AccessKeyId,
                secretAccessKey: Credentials.SecretAccessKey,
                ...(Credentials.SessionToken ? { sessionToken: Credentials.SessionToken } : {}),
              },
            }),
          );
        })();
        rootIam.set(accountId, client);
      }
      return client;
    },
    accessAnalyzer() {
      analyzer ??= import('../aws/access-analyzer-client.ts').then(({ createAccessAnalyzerClient }) => {
        analyzerMade = createAccessAnalyzerClient(c.connection);
        return analyzerMade;
      });
      return analyzer;
    },
    destroy() {
      analyzerMade?.destroy();
      for (const client of made) client.destroy();
    },
  };
}
