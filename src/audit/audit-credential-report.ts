/**
 * The credential-report audit as a stream: CSV text in, findings out, one row in memory at a time.
 */
import type { Readable } from 'node:stream';
import type { Finding } from '../model/finding.ts';
import {
  DEFAULT_EXEMPTION,
  type EvaluationContext,
  type ExemptionPolicy,
  evaluatePrincipal,
} from '../rules/index.ts';
import { parseCredentialReport } from '../sources/credential-report/parse-csv.ts';
import { rowToPrincipal } from '../sources/credential-report/to-inventory.ts';

export async function* auditCredentialReport(
  input: Readable,
  file: string,
  ctx: EvaluationContext,
  exemption: ExemptionPolicy = DEFAULT_EXEMPTION,
): AsyncGenerator<Finding> {
  for await (const row of parseCredentialReport(input, file)) {
    yield* evaluatePrincipal(rowToPrincipal(row, file), ctx, exemption);
  }
}
