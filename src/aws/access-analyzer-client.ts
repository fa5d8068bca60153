/** The IAM Access Analyzer client, apart from ./clients.ts: see there. */
import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { type AwsCallCounter, countCalls } from './call-counter.ts';
import { nameFailedCalls } from './failed-call.ts';
import { type AwsConnection, clientConfig } from './clients.ts';

/** IAM Access Analyzer is regional: an analyzer lives in the client's region. */
export function createAccessAnalyzerClient(
  connection: AwsConnection,
  counter?: AwsCallCounter,
): AccessAnalyzerClient {
  return countCalls(nameFailedCalls(new AccessAnalyzerClient(clientConfig(connection))), counter);
}
