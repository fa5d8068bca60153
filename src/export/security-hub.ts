/**
 * Sends ASFF findings to Security Hub with BatchImportFindings, 100 per call (the API's limit).
 * Security Hub answers per finding: FailedFindings lists the ones it refused (with a code and a
 * message) while the rest of the batch is imported, so a partial failure is reported finding by
 * finding. A call that fails as a whole stops the export: the next batches would meet the same
 * refusal (access denied, Security Hub not enabled in the region).
 *
 * BatchImportFindings must be called by the account named in each finding's AwsAccountId (or an
 * allow-listed partner product); findings of other accounts come back in FailedFindings.
 */
import { BatchImportFindingsCommand, type SecurityHubClient } from '@aws-sdk/client-securityhub';
import { classifyAwsError } from '../aws/classify-error.ts';
import type { AsffFinding } from '../reporters/asff.ts';

/** Every AWS call `credsweep export securityhub` makes (sts to name the importing account). */
export const SECURITY_HUB_EXPORT_PERMISSIONS = [
  'securityhub:BatchImportFindings',
  'sts:GetCallerIdentity',
] as const;

/** BatchImportFindings accepts at most 100 findings per call. */
export const SECURITY_HUB_BATCH_SIZE = 100;

export interface RefusedFinding {
  id: string;
  code: string;
  message: string;
}

export interface SecurityHubImportResult {
  imported: number;
  refused: RefusedFinding[];
  /** Findings never sent because a whole call failed. */
  notSent: number;
  batches: number;
  /** Why a whole call failed, when one did. */
  callFailure?: { code: string; message: string };
}

export async function importFindingsToSecurityHub(
  client: SecurityHubClient,
  findings: readonly AsffFinding[],
  batchSize: number = SECURITY_HUB_BATCH_SIZE,
): Promise<SecurityHubImportResult> {
  const result: SecurityHubImportResult = { imported: 0, refused: [], notSent: 0, batches: 0 };
  for (let start = 0; start < findings.length; start += batchSize) {
    const batch = findings.slice(start, start + batchSize);
    try {
      // The SDK's ASFF type is far wider than the subset credsweep writes; the shapes agree.
      const response = await client.send(
        new BatchImportFindingsCommand({ Findings: batch as unknown as BatchImportInput }),
      );
      result.batches += 1;
      result.imported += response.SuccessCount ?? 0;
      for (const failed of response.FailedFindings ?? []) {
        result.refused.push({
          id: failed.Id ?? '',
          code: failed.ErrorCode ?? 'Error',
          message: failed.ErrorMessage ?? '',
        });
      }
      // A response that accounts for fewer findings than were sent: count the rest as refused.
      const unaccounted = batch.length - (response.SuccessCount ?? 0) - (response.FailedCount ?? 0);
      if (unaccounted > 0 && response.FailedFindings === undefined) {
        result.refused.push({
          id: '',
          code: 'Unknown',
          message: `${unaccounted} findings not accounted for`,
        });
      }
    } catch (e) {
      const { code, message } = classifyAwsError(e);
      result.callFailure = { code, message };
      result.notSent = findings.length - start;
      break;
    }
  }
  return result;
}

type BatchImportInput = ConstructorParameters<typeof BatchImportFindingsCommand>[0]['Findings'];
