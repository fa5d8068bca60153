/**
 * Access Advisor for one principal: GenerateServiceLastAccessedDetails, poll
 * GetServiceLastAccessedDetails with backoff until the job leaves IN_PROGRESS, then read every page
 * (loop on Marker by hand: SDK v3 has no paginator for it, docs/aws-behaviour.md §2).
 *
 * The JobId may only be read by the principal (same session) that generated it
 * (IAM-UG:access_policies_access-advisor.md), so generate and read with the same client.
 */
import {
  GenerateServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsCommand,
  type GetServiceLastAccessedDetailsCommandOutput,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { AwsAccessError } from '../../errors.ts';
import { type AccessAdvisorGranularity, type ServiceAccess, toServiceAccess } from './service-access.ts';

/** Every AWS call this file makes, as IAM actions (the tool's least-privilege policy is built from these). */
export const LAST_ACCESSED_PERMISSIONS = [
  'iam:GenerateServiceLastAccessedDetails',
  'iam:GetServiceLastAccessedDetails',
] as const;

export interface PollOptions {
  /** Waits `ms`; injected so tests run without real delays. */
  sleep: (ms: number) => Promise<void>;
  /** First wait between polls; doubles up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Give up after this many polls of an IN_PROGRESS job. */
  maxPolls?: number;
  /** Page size for GetServiceLastAccessedDetails (1–1000). */
  pageSize?: number;
}

export const realSleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

const GRANULARITY = { service: 'SERVICE_LEVEL', action: 'ACTION_LEVEL' } as const;

/** Upper bound on pages of one job: a principal is granted a few hundred services at most. */
const MAX_PAGES = 1000;

export async function fetchServiceLastAccessed(
  iam: IAMClient,
  arn: string,
  granularity: AccessAdvisorGranularity,
  options: PollOptions,
): Promise<ServiceAccess[]> {
  const { JobId } = await iam.send(
    new GenerateServiceLastAccessedDetailsCommand({ Arn: arn, Granularity: GRANULARITY[granularity] }),
  );
  if (!JobId) throw new AwsAccessError(`no JobId returned for ${arn}`, 'NoJobId');
  const pageSize = options.pageSize ?? 1000;
  let page = await waitForJob(iam, JobId, arn, pageSize, options);
  const services: ServiceAccess[] = (page.ServicesLastAccessed ?? []).map(toServiceAccess);
  for (let pages = 1; page.IsTruncated && page.Marker; pages += 1) {
    if (pages >= MAX_PAGES) {
      throw new AwsAccessError(`Access Advisor kept paginating past ${MAX_PAGES} pages for ${arn}`, 'Paging');
    }
    page = await iam.send(
      new GetServiceLastAccessedDetailsCommand({ JobId, MaxItems: pageSize, Marker: page.Marker }),
    );
    services.push(...(page.ServicesLastAccessed ?? []).map(toServiceAccess));
  }
  return services;
}

async function waitForJob(
  iam: IAMClient,
  jobId: string,
  arn: string,
  pageSize: number,
  options: PollOptions,
): Promise<GetServiceLastAccessedDetailsCommandOutput> {
  const maxPolls = options.maxPolls ?? 60;
  const maxDelay = options.maxDelayMs ?? 10_000;
  let delay = options.initialDelayMs ?? 1_000;
  for (let poll = 1; ; poll += 1) {
    const out = await iam.send(
      new GetServiceLastAccessedDetailsCommand({ JobId: jobId, MaxItems: pageSize }),
    );
    if (out.JobStatus === 'COMPLETED') return out;
    if (out.JobStatus === 'FAILED') {
      throw new AwsAccessError(
        `Access Advisor job for ${arn} failed: ${out.Error?.Message ?? 'no reason given'}`,
        out.Error?.Code ?? 'JobFailed',
      );
    }
    if (poll >= maxPolls) {
      throw new AwsAccessError(
        `Access Advisor job for ${arn} still ${out.JobStatus ?? 'unknown'} after ${maxPolls} polls`,
        'JobTimeout',
      );
    }
    await options.sleep(delay);
    delay = Math.min(delay * 2, maxDelay);
  }
}
