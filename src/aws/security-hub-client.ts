/** The Security Hub client (`export securityhub`), apart from ./clients.ts: see there. */
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { type AwsCallCounter, countCalls } from './call-counter.ts';
import { nameFailedCalls } from './failed-call.ts';
import { type AwsConnection, clientConfig } from './clients.ts';

/** Security Hub is regional: findings land in the client's region. */
export function createSecurityHubClient(
  connection: AwsConnection,
  counter?: AwsCallCounter,
): SecurityHubClient {
  return countCalls(nameFailedCalls(new SecurityHubClient(clientConfig(connection))), counter);
}
