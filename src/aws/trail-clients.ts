/** The Athena and CloudTrail clients (`trail --athena`, `trail --lookup`), apart from ./clients.ts: see there. */
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { type AwsCallCounter, countCalls } from './call-counter.ts';
import { nameFailedCalls } from './failed-call.ts';
import { type AwsConnection, clientConfig } from './clients.ts';

/** Athena and CloudTrail are regional: pass the Region of the table or of the events. */
export function createAthenaClient(connection: AwsConnection, counter?: AwsCallCounter): AthenaClient {
  return countCalls(nameFailedCalls(new AthenaClient(clientConfig(connection))), counter);
}

export function createCloudTrailClient(
  connection: AwsConnection,
  counter?: AwsCallCounter,
): CloudTrailClient {
  return countCalls(nameFailedCalls(new CloudTrailClient(clientConfig(connection))), counter);
}
