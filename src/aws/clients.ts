/**
 * SDK v3 client construction; no logic.
 *
 *   createClients(connection, counter?) → { iam, sts, organizations }
 *   createIamClient / createStsClient / createOrganizationsClient(connection, counter?)
 *   createAthenaClient / createCloudTrailClient(connection, counter?)   (regional)
 *
 * `AwsConnection` says where and as whom: `profile` (shared config/SSO), `region`, `endpointUrl`
 * (e.g. moto; the CLI passes `--endpoint-url` or AWS_ENDPOINT_URL), and `credentials` (e.g. from
 * assume-role). Without `credentials` or `profile` the SDK's default chain applies (env, shared
 * config, SSO, IMDS). Retries use the SDK's adaptive mode (client-side rate limiting on top of
 * exponential backoff, docs/aws-behaviour.md §2 "IAM throttling"), so throttling in one account
 * slows that account down instead of failing it.
 */
import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { type AwsCallCounter, countCalls } from './call-counter.ts';

export interface AwsConnection {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** A socket idle this long fails the attempt (then retried); default REQUEST_TIMEOUT_MS. */
  requestTimeoutMs?: number;
}

/**
 * Without a request timeout a stalled endpoint stalls the whole run: node-http-handler only logs a
 * warning past `requestTimeout` unless `throwOnRequestTimeout` is set. With it the attempt fails
 * with a TimeoutError, which the retry strategy retries (issue 7, the fault proxy's `delay`).
 */
export const REQUEST_TIMEOUT_MS = 60_000;
export const CONNECTION_TIMEOUT_MS = 5_000;

/** IAM and Organizations are global; us-east-1 is where their endpoints live. */
export const DEFAULT_REGION = 'us-east-1';
/** Attempts per call, including the first (adaptive retry), unless AWS_MAX_ATTEMPTS says otherwise. */
export const MAX_ATTEMPTS = 8;

/**
 * The attempts per call: MAX_ATTEMPTS, or the SDK's own AWS_MAX_ATTEMPTS when it is a positive
 * integer. A `maxAttempts` in the client config hides that variable from the SDK, so it is read here
 * (as the SDK reads its other AWS_* variables); anything else in it is ignored.
 */
export function maxAttempts(env: NodeJS.ProcessEnv = process.env): number {
  const configured = Number(env.AWS_MAX_ATTEMPTS);
  return Number.isInteger(configured) && configured >= 1 ? configured : MAX_ATTEMPTS;
}

export interface AwsClients {
  iam: IAMClient;
  sts: STSClient;
  organizations: OrganizationsClient;
}

function baseConfig(connection: AwsConnection) {
  const credentials =
    connection.credentials ?? (connection.profile ? fromIni({ profile: connection.profile }) : undefined);
  return {
    region: connection.region ?? DEFAULT_REGION,
    retryMode: 'adaptive',
    maxAttempts: maxAttempts(),
    requestHandler: {
      requestTimeout: connection.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
    ...(connection.endpointUrl ? { endpoint: connection.endpointUrl } : {}),
    ...(credentials ? { credentials } : {}),
  };
}

export function createIamClient(connection: AwsConnection, counter?: AwsCallCounter): IAMClient {
  return countCalls(new IAMClient(baseConfig(connection)), counter);
}

export function createStsClient(connection: AwsConnection, counter?: AwsCallCounter): STSClient {
  return countCalls(new STSClient(baseConfig(connection)), counter);
}

export function createOrganizationsClient(
  connection: AwsConnection,
  counter?: AwsCallCounter,
): OrganizationsClient {
  return countCalls(new OrganizationsClient(baseConfig(connection)), counter);
}

/** Athena and CloudTrail are regional: pass the Region of the table or of the events. */
export function createAthenaClient(connection: AwsConnection, counter?: AwsCallCounter): AthenaClient {
  return countCalls(new AthenaClient(baseConfig(connection)), counter);
}

export function createCloudTrailClient(
  connection: AwsConnection,
  counter?: AwsCallCounter,
): CloudTrailClient {
  return countCalls(new CloudTrailClient(baseConfig(connection)), counter);
}

/** Security Hub is regional: findings land in the client's region. */
export function createAccessAnalyzerClient(
  connection: AwsConnection,
  counter?: AwsCallCounter,
): AccessAnalyzerClient {
  return countCalls(new AccessAnalyzerClient(baseConfig(connection)), counter);
}

export function createSecurityHubClient(
  connection: AwsConnection,
  counter?: AwsCallCounter,
): SecurityHubClient {
  return countCalls(new SecurityHubClient(baseConfig(connection)), counter);
}

export function createClients(connection: AwsConnection, counter?: AwsCallCounter): AwsClients {
  return {
    iam: createIamClient(connection, counter),
    sts: createStsClient(connection, counter),
    organizations: createOrganizationsClient(connection, counter),
  };
}

/** Closes the clients' sockets (the SDK keeps them alive otherwise). */
export function destroyClients(clients: AwsClients): void {
  clients.iam.destroy();
  clients.sts.destroy();
  clients.organizations.destroy();
}
