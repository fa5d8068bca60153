/**
 * SDK v3 client construction; no logic.
 *
 *   createClients(connection, counter?) → { iam, sts, organizations }
 *   createIamClient / createStsClient / createOrganizationsClient(connection, counter?)
 *   createAthenaClient / createCloudTrailClient (./trail-clients.ts), createAccessAnalyzerClient
 *   (./access-analyzer-client.ts), createSecurityHubClient (./security-hub-client.ts): apart, since
 *   each SDK client package costs 0.1-0.3 s of CPU to load, which a run that never calls the service
 *   should not pay (start-up: docs/performance.md)
 *
 * `AwsConnection` says where and as whom: `profile` (shared config/SSO), `region`, `endpointUrl`
 * (e.g. moto; the CLI passes `--endpoint-url` or AWS_ENDPOINT_URL), and `credentials` (e.g. from
 * assume-role). Without `credentials` or `profile` the SDK's default chain applies (env, shared
 * config, SSO, IMDS). Retries use the SDK's adaptive mode (client-side rate limiting on top of
 * exponential backoff, docs/aws-behaviour.md §2 "IAM throttling"), so throttling in one account
 * slows that account down instead of failing it.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { type AwsCallCounter, countCalls } from './call-counter.ts';
import { nameFailedCalls } from './failed-call.ts';
import { DEFAULT_REGION } from './default-region.ts';

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

export { DEFAULT_REGION } from './default-region.ts';
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

/** The configuration every client gets: region, adaptive retries, timeouts, endpoint, credentials. */
export interface ClientConfig {
  region: string;
  retryMode: string;
  maxAttempts: number;
  requestHandler: { requestTimeout: number; connectionTimeout: number; throwOnRequestTimeout: boolean };
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

export function clientConfig(connection: AwsConnection): ClientConfig {
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
  return countCalls(nameFailedCalls(new IAMClient(clientConfig(connection))), counter);
}

export function createStsClient(connection: AwsConnection, counter?: AwsCallCounter): STSClient {
  return countCalls(nameFailedCalls(new STSClient(clientConfig(connection))), counter);
}

export function createOrganizationsClient(
  connection: AwsConnection,
  counter?: AwsCallCounter,
): OrganizationsClient {
  return countCalls(nameFailedCalls(new OrganizationsClient(clientConfig(connection))), counter);
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
