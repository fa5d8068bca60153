/**
 * `credsweep trail --lookup`: CloudTrail's LookupEvents API for accounts without a trail bucket.
 * Management events of the last 90 days only, one Region per call, at most 2 calls per second per
 * account and Region (docs/aws-behaviour.md §4.4), so each Region gets its own token bucket and Regions run
 * side by side. The full record is the JSON string in each event's `CloudTrailEvent`; it goes through
 * the same aggregation as log files (aggregate.ts).
 *
 * A Region that fails (not enabled, access denied) is reported like a bad file, as
 * `lookup-events:<region>`, and the other Regions go on.
 */
import { type CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { classifyAwsError } from '../../aws/classify-error.ts';
import type { TrailSummary } from '../../model/trail-summary.ts';
import { type EpochMs, MS_PER_DAY } from '../../time.ts';
import { createTrailAggregator, type TrailAggregator } from './aggregate.ts';
import { type Clock, createTokenBucket, type TokenBucket } from './rate-limit.ts';
import { trailRecordFromObject } from './record-from-object.ts';

/** Every AWS call this source makes, as IAM actions. */
export const LOOKUP_EVENTS_PERMISSIONS = ['cloudtrail:LookupEvents'] as const;

/** LookupEvents sees this far back (docs/aws-behaviour.md §4.4). */
export const LOOKUP_EVENTS_DAYS = 90;
/** Calls per second per account and Region (docs/aws-behaviour.md §4.4). */
export const LOOKUP_EVENTS_RATE = 2;
/** MaxResults is 1–50; the documented default differs between sources, so it is always sent. */
const PAGE_SIZE = 50;
/** A Region's pages are bounded so that a misbehaving NextToken cannot loop forever. */
const MAX_PAGES_PER_REGION = 200_000;

export interface LookupEventsOptions extends Clock {
  regions: readonly string[];
  clientFor: (region: string) => CloudTrailClient;
  /** The evaluation time; the window starts at most 90 days before it. */
  asOf: EpochMs;
  since?: EpochMs;
  until?: EpochMs;
  includeTemporary?: boolean;
  /** Per-Region limiter; a 2-calls-per-second token bucket on the injected clock by default. */
  limiterFor?: (region: string) => TokenBucket;
}

export function lookupEventsWindow(options: Pick<LookupEventsOptions, 'asOf' | 'since' | 'until'>): {
  start: EpochMs;
  end: EpochMs;
} {
  const earliest = options.asOf - LOOKUP_EVENTS_DAYS * MS_PER_DAY;
  return {
    start: Math.max(earliest, options.since ?? earliest),
    end: Math.min(options.asOf, options.until ?? options.asOf),
  };
}

export async function lookupTrailEvents(options: LookupEventsOptions): Promise<TrailSummary> {
  const { start, end } = lookupEventsWindow(options);
  const total = createTrailAggregator({
    includeTemporary: options.includeTemporary,
    since: start,
    until: end,
  });
  const limiterFor =
    options.limiterFor ??
    (() => createTokenBucket({ ratePerSecond: LOOKUP_EVENTS_RATE, now: options.now, sleep: options.sleep }));
  const perRegion = await Promise.all(
    [...new Set(options.regions)].map(async (region) => {
      const aggregator = createTrailAggregator({
        includeTemporary: options.includeTemporary,
        since: start,
        until: end,
      });
      try {
        await lookupRegion(options.clientFor(region), region, limiterFor(region), start, end, aggregator);
        aggregator.fileScanned();
      } catch (e) {
        const { code, message } = classifyAwsError(e);
        aggregator.fileBad(`lookup-events:${region}`, `${code}: ${message}`);
      }
      return aggregator.state();
    }),
  );
  for (const state of perRegion) total.merge(state);
  return total.summary();
}

async function lookupRegion(
  client: CloudTrailClient,
  region: string,
  limiter: TokenBucket,
  start: EpochMs,
  end: EpochMs,
  aggregator: TrailAggregator,
): Promise<void> {
  // NextToken must be sent back with otherwise identical parameters (docs/aws-behaviour.md §4.4).
  const params = { StartTime: new Date(start), EndTime: new Date(end), MaxResults: PAGE_SIZE };
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES_PER_REGION; page++) {
    await limiter.take();
    const out = await client.send(
      new LookupEventsCommand({ ...params, ...(nextToken ? { NextToken: nextToken } : {}) }),
    );
    for (const event of out.Events ?? []) {
      const record = parseCloudTrailEvent(event.CloudTrailEvent);
      if (record === null) {
        aggregator.fileBad(
          `lookup-events:${region}:${event.EventId ?? 'unknown-event'}`,
          'CloudTrailEvent is not a CloudTrail record',
        );
      } else {
        aggregator.add(record);
      }
    }
    nextToken = out.NextToken;
    if (!nextToken) return;
  }
  throw new Error(`LookupEvents still paginating after ${MAX_PAGES_PER_REGION} pages`);
}

function parseCloudTrailEvent(text: string | undefined) {
  if (text === undefined) return null;
  try {
    return trailRecordFromObject(JSON.parse(text));
  } catch {
    return null;
  }
}
