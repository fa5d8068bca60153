/**
 * LookupEvents against aws-sdk-client-mock: moto 5.2.1 does not implement LookupEvents
 * (docs/aws-behaviour.md §7.4). The responses carry each record as the JSON string `CloudTrailEvent`, as the
 * API does (§4.4). Time is virtual (FakeClock): the 2-calls-per-second limit is checked without sleeping.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { CloudTrailClient, type Event, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { createTrailAggregator } from '../../../src/sources/cloudtrail/aggregate.ts';
import { lookupTrailEvents } from '../../../src/sources/cloudtrail/lookup-events.ts';
import { trailRecordFromObject } from '../../../src/sources/cloudtrail/record-from-object.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { type CloudTrailObject, GENERATED_START, generateTrailRecords } from './trail-records.ts';

const DAY = 86_400_000;
const AS_OF = GENERATED_START + 70 * DAY;

function asEvent(r: CloudTrailObject, i: number): Event {
  return {
    EventId: `event-${i}`,
    EventName: r.eventName as string,
    EventTime: new Date(r.eventTime as string),
    EventSource: r.eventSource as string,
    CloudTrailEvent: JSON.stringify(r),
  };
}

function pages(events: Event[], size: number): Array<{ Events: Event[]; NextToken?: string }> {
  const out = [];
  for (let i = 0; i < events.length; i += size) {
    const last = i + size >= events.length;
    out.push({ Events: events.slice(i, i + size), ...(last ? {} : { NextToken: `token-${i + size}` }) });
  }
  return out;
}

/** The most calls that started in any window [t, t + 1000). */
function maxPerSecond(times: number[]): number {
  return Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
}

describe('lookupTrailEvents', () => {
  const stubs: Array<{ restore(): void }> = [];
  afterEach(() => {
    for (const s of stubs.splice(0)) s.restore();
  });

  function regionClient(
    clock: FakeClock,
    calls: Map<string, number[]>,
    region: string,
    respond: (input: Record<string, unknown>, n: number) => unknown,
  ) {
    const client = new CloudTrailClient({ region });
    const stub = mockClient(client);
    stubs.push(stub);
    calls.set(region, []);
    stub.on(LookupEventsCommand).callsFake(async (input) => {
      const times = calls.get(region)!;
      times.push(clock.now());
      return respond(input, times.length - 1);
    });
    return client;
  }

  it('pages every Region at no more than 2 calls per second each, and aggregates like a file scan', async () => {
    const records = generateTrailRecords(700, 7);
    const east = records.slice(0, 500).map(asEvent);
    const west = records.slice(500).map((r, i) => asEvent(r, 500 + i));
    const eastPages = pages(east, 50);
    const westPages = pages(west, 50);
    const clock = new FakeClock(AS_OF);
    const calls = new Map<string, number[]>();
    const inputs: Array<Record<string, unknown>> = [];
    const clients = {
      'us-east-1': regionClient(clock, calls, 'us-east-1', (input, n) => {
        inputs.push(input);
        return eastPages[n];
      }),
      'eu-west-1': regionClient(clock, calls, 'eu-west-1', (_input, n) => westPages[n]),
    };
    const summary = await clock.run(
      lookupTrailEvents({
        regions: ['us-east-1', 'eu-west-1'],
        clientFor: (r) => clients[r as keyof typeof clients],
        asOf: AS_OF,
        now: clock.now,
        sleep: clock.sleep,
      }),
    );
    assert.equal(calls.get('us-east-1')!.length, 10);
    assert.equal(calls.get('eu-west-1')!.length, 4);
    for (const times of calls.values()) assert.ok(maxPerSecond(times) <= 2, `calls at ${times}`);
    // Regions have separate limits: they run side by side, not one after the other.
    assert.equal(calls.get('eu-west-1')![1]! - AS_OF, 500);

    // Every page repeats the same parameters, plus the NextToken of the page before.
    const start = new Date(AS_OF - 90 * DAY);
    inputs.forEach((input, i) => {
      assert.deepEqual(input, {
        StartTime: start,
        EndTime: new Date(AS_OF),
        MaxResults: 50,
        ...(i === 0 ? {} : { NextToken: `token-${i * 50}` }),
      });
    });

    const expected = createTrailAggregator({ since: AS_OF - 90 * DAY, until: AS_OF });
    for (const r of records) expected.add(trailRecordFromObject(r)!);
    const want = expected.summary();
    assert.deepEqual(summary.accessKeys, want.accessKeys);
    assert.deepEqual(summary.roles, want.roles);
    assert.deepEqual(summary.consoleLogins, want.consoleLogins);
    assert.equal(summary.records, 700);
    assert.deepEqual(summary.files, { scanned: 2, bad: [] });
  });

  it('--since later than 90 days ago narrows the window; never earlier than 90 days', async () => {
    const clock = new FakeClock(AS_OF);
    const calls = new Map<string, number[]>();
    const inputs: Array<Record<string, unknown>> = [];
    const client = regionClient(clock, calls, 'us-east-1', (input) => {
      inputs.push(input);
      return { Events: [] };
    });
    for (const since of [AS_OF - 10 * DAY, AS_OF - 400 * DAY]) {
      await clock.run(
        lookupTrailEvents({
          regions: ['us-east-1'],
          clientFor: () => client,
          asOf: AS_OF,
          since,
          now: clock.now,
          sleep: clock.sleep,
        }),
      );
    }
    assert.deepEqual(
      inputs.map((i) => (i.StartTime as Date).getTime()),
      [AS_OF - 10 * DAY, AS_OF - 90 * DAY],
    );
  });

  it('a failing Region and an unreadable CloudTrailEvent are reported; the rest is aggregated', async () => {
    const [good] = generateTrailRecords(1, 3);
    const clock = new FakeClock(AS_OF);
    const calls = new Map<string, number[]>();
    const clients: Record<string, CloudTrailClient> = {
      'us-east-1': regionClient(clock, calls, 'us-east-1', () => ({
        Events: [asEvent(good!, 1), { EventId: 'broken', CloudTrailEvent: '{"eventName": "Trunc' }],
      })),
      'ap-south-1': regionClient(clock, calls, 'ap-south-1', () => {
        throw Object.assign(new Error('The security token included in the request is invalid'), {
          name: 'UnrecognizedClientException',
        });
      }),
    };
    const summary = await clock.run(
      lookupTrailEvents({
        regions: ['us-east-1', 'ap-south-1'],
        clientFor: (r) => clients[r]!,
        asOf: AS_OF,
        now: clock.now,
        sleep: clock.sleep,
      }),
    );
    assert.equal(summary.records, 1);
    assert.deepEqual(summary.files, {
      scanned: 1,
      bad: [
        {
          path: 'lookup-events:ap-south-1',
          error: 'UnrecognizedClientException: The security token included in the request is invalid',
        },
        { path: 'lookup-events:us-east-1:broken', error: 'CloudTrailEvent is not a CloudTrail record' },
      ],
    });
  });
});
