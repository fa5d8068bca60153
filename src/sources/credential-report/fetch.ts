/**
 * The credential report, live: GenerateCredentialReport, poll with backoff until it is COMPLETE,
 * then GetCredentialReport (docs/aws-behaviour.md §1.5).
 *
 *   fetchCredentialReport(iam, { sleep }) → { content: Uint8Array, generatedAt: EpochMs | null }
 *
 * ReportInProgress → wait and ask again; ReportNotPresent / ReportExpired → generate again. AWS
 * regenerates only when the stored report is older than 4 hours, so a report can be up to 4 hours
 * old (the audit marks older ones `report_stale`). moto's GeneratedTime is fixed in 2015 (§7.2).
 * Waiting uses the injected `sleep`, and the time budget counts the sleeps: no clock is read here.
 */
import {
  CredentialReportExpiredException,
  CredentialReportNotPresentException,
  CredentialReportNotReadyException,
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';

export const CREDENTIAL_REPORT_PERMISSIONS = [
  'iam:GenerateCredentialReport',
  'iam:GetCredentialReport',
] as const;

export interface FetchedCredentialReport {
  content: Uint8Array;
  generatedAt: number | null;
}

export interface ReportPollOptions {
  sleep: (ms: number) => Promise<void>;
  /** First wait between polls; doubles up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Give up after this much waiting in total. */
  maxWaitMs?: number;
}

export class CredentialReportTimeout extends Error {
  override readonly name = 'CredentialReportTimeout';
}

/**
 * SDK v3 names these errors after their shapes (CredentialReport…Exception); the wire codes are
 * ReportNotPresent / ReportExpired / ReportInProgress (§1.5). Accept both.
 */
function reportErrorKind(e: unknown): 'regenerate' | 'wait' | undefined {
  if (e instanceof CredentialReportNotPresentException || e instanceof CredentialReportExpiredException) {
    return 'regenerate';
  }
  if (e instanceof CredentialReportNotReadyException) return 'wait';
  const err = e as { name?: string; Code?: string };
  const code = err?.Code ?? err?.name ?? '';
  if (code === 'ReportNotPresent' || code === 'ReportExpired') return 'regenerate';
  if (code === 'ReportInProgress') return 'wait';
  return undefined;
}

export async function fetchCredentialReport(
  iam: IAMClient,
  options: ReportPollOptions,
): Promise<FetchedCredentialReport> {
  const maxDelay = options.maxDelayMs ?? 16_000;
  const maxWait = options.maxWaitMs ?? 300_000;
  let delay = options.initialDelayMs ?? 1_000;
  let waited = 0;
  const wait = async () => {
    if (waited >= maxWait) {
      throw new CredentialReportTimeout(
        `the credential report was not ready after ${Math.round(waited / 1000)} s`,
      );
    }
    await options.sleep(delay);
    waited += delay;
    delay = Math.min(delay * 2, maxDelay);
  };

  let generate = true;
  for (;;) {
    if (generate) {
      const { State } = await iam.send(new GenerateCredentialReportCommand({}));
      if (State !== 'COMPLETE') {
        await wait();
        continue; // ask again: Generate answers COMPLETE once the report exists
      }
      generate = false;
    }
    try {
      const report = await iam.send(new GetCredentialReportCommand({}));
      if (!report.Content) throw new Error('GetCredentialReport returned no content');
      return { content: report.Content, generatedAt: report.GeneratedTime?.getTime() ?? null };
    } catch (e) {
      const kind = reportErrorKind(e);
      if (kind === 'wait') await wait();
      else if (kind === 'regenerate') {
        generate = true;
        await wait(); // bounded: a report that never stays present ends in CredentialReportTimeout
      } else throw e;
    }
  }
}
