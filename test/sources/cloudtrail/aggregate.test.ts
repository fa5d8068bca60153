import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createTrailAggregator,
  emptyTrailRecord,
  parseEventTime,
  type TrailRecord,
} from '../../../src/sources/cloudtrail/aggregate.ts';
import { scanTrailDocument } from '../../../src/sources/cloudtrail/extract-record.ts';

function aRecord(overrides: Partial<TrailRecord> = {}): TrailRecord {
  return {
    ...emptyTrailRecord(),
    eventTime: '2026-10-01T10:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.1',
    identityType: 'IAMUser',
    identityArn: 'arn:aws:iam::111122223333:user/alice',
    accessKeyId: 'AKIAEXAMPLE1',
    ...overrides,
  };
}

describe('createTrailAggregator', () => {
  it('summarises a long-term key: first/last seen, IPs, services, regions, last event', () => {
    const agg = createTrailAggregator();
    agg.add(aRecord({ eventTime: '2026-10-01T10:00:00Z', sourceIPAddress: '198.51.100.2' }));
    agg.add(
      aRecord({ eventTime: '2026-10-03T10:00:00Z', eventName: 'GetObject', eventSource: 's3.amazonaws.com' }),
    );
    agg.add(
      aRecord({ eventTime: '2026-10-02T10:00:00Z', awsRegion: 'eu-west-1', errorCode: 'AccessDenied' }),
    );
    const [key] = agg.summary().accessKeys;
    assert.deepEqual(key, {
      accessKeyId: 'AKIAEXAMPLE1',
      principalArn: 'arn:aws:iam::111122223333:user/alice',
      firstSeen: '2026-10-01T10:00:00Z',
      lastSeen: '2026-10-03T10:00:00Z',
      events: 3,
      sourceIps: { count: 2, top: ['198.51.100.1', '198.51.100.2'] },
      services: ['ec2.amazonaws.com', 's3.amazonaws.com'],
      regions: ['eu-west-1', 'us-east-1'],
      lastEventName: 'GetObject',
    });
  });

  it('counts temporary ASIA keys only with includeTemporary, and ignores non-key ids', () => {
    const records = [aRecord({ accessKeyId: 'ASIATEMP' }), aRecord({ accessKeyId: '1' }), aRecord()];
    const without = createTrailAggregator();
    const withTemp = createTrailAggregator({ includeTemporary: true });
    for (const r of records) {
      without.add(r);
      withTemp.add(r);
    }
    assert.deepEqual(
      without.summary().accessKeys.map((k) => k.accessKeyId),
      ['AKIAEXAMPLE1'],
    );
    assert.deepEqual(
      withTemp.summary().accessKeys.map((k) => k.accessKeyId),
      ['AKIAEXAMPLE1', 'ASIATEMP'],
    );
    assert.equal(without.summary().records, 3);
  });

  it('keeps the top five IPs by count', () => {
    const agg = createTrailAggregator();
    for (let i = 1; i <= 7; i++) {
      for (let n = 0; n < i; n++) agg.add(aRecord({ sourceIPAddress: `192.0.2.${i}` }));
    }
    const [key] = agg.summary().accessKeys;
    assert.equal(key!.sourceIps.count, 7);
    assert.deepEqual(key!.sourceIps.top, ['192.0.2.7', '192.0.2.6', '192.0.2.5', '192.0.2.4', '192.0.2.3']);
  });

  it('records successful role assumptions only, keyed by requestParameters.roleArn', () => {
    const agg = createTrailAggregator();
    const assume = {
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      roleArn: 'arn:aws:iam::111122223333:role/deploy',
      accessKeyId: null,
    };
    agg.add(aRecord({ ...assume, eventTime: '2026-10-01T00:00:00Z' }));
    agg.add(aRecord({ ...assume, eventTime: '2026-10-05T00:00:00Z', errorCode: 'AccessDenied' }));
    agg.add(
      aRecord({
        ...assume,
        eventName: 'AssumeRoleWithSAML',
        eventTime: '2026-10-02T00:00:00Z',
        identityArn: null,
        identityType: 'SAMLUser',
        principalId: 'idp:bob',
        sourceIPAddress: '203.0.113.9',
      }),
    );
    agg.add(
      aRecord({
        ...assume,
        eventTime: '2026-09-01T00:00:00Z',
        identityArn: null,
        identityType: 'AWSService',
        invokedBy: 'ec2.amazonaws.com',
      }),
    );
    assert.deepEqual(agg.summary().roles, [
      {
        roleArn: 'arn:aws:iam::111122223333:role/deploy',
        lastAssumed: '2026-10-02T00:00:00Z',
        lastAssumedBy: 'idp:bob',
        lastSourceIp: '203.0.113.9',
        assumeEvents: 3,
      },
    ]);
  });

  it('counts console logins by outcome and needs an identity ARN', () => {
    const agg = createTrailAggregator();
    const login = { eventName: 'ConsoleLogin', eventSource: 'signin.amazonaws.com', accessKeyId: null };
    agg.add(aRecord({ ...login, consoleLogin: 'Success', eventTime: '2026-10-01T00:00:00Z' }));
    agg.add(aRecord({ ...login, consoleLogin: 'Failure', eventTime: '2026-10-09T00:00:00Z' }));
    agg.add(aRecord({ ...login, consoleLogin: 'Success', identityArn: null }));
    assert.deepEqual(agg.summary().consoleLogins, [
      {
        principalArn: 'arn:aws:iam::111122223333:user/alice',
        lastSuccess: '2026-10-01T00:00:00Z',
        successes: 1,
        failures: 1,
      },
    ]);
  });

  it('applies the window [since, until) and counts unreadable times only without a window', () => {
    const since = Date.UTC(2026, 9, 2);
    const until = Date.UTC(2026, 9, 3);
    const windowed = createTrailAggregator({ since, until });
    const open = createTrailAggregator();
    for (const eventTime of [
      '2026-10-01T23:59:59Z',
      '2026-10-02T00:00:00Z',
      '2026-10-03T00:00:00Z',
      'soon',
    ]) {
      windowed.add(aRecord({ eventTime }));
      open.add(aRecord({ eventTime }));
    }
    assert.equal(windowed.summary().records, 1);
    assert.equal(windowed.summary().accessKeys[0]!.events, 1);
    assert.equal(open.summary().records, 4);
    assert.equal(open.summary().accessKeys[0]!.events, 3);
  });

  it('merges split inputs into exactly the summary of the whole, in any order', () => {
    const records: TrailRecord[] = [];
    for (let i = 0; i < 60; i++) {
      records.push(
        aRecord({
          eventTime: `2026-10-${String(1 + (i % 9)).padStart(2, '0')}T00:00:00Z`,
          accessKeyId: `AKIA${i % 4}`,
          eventName: `Op${i % 5}`,
          sourceIPAddress: `192.0.2.${i % 7}`,
          roleArn: i % 3 === 0 ? `arn:aws:iam::1:role/r${i % 2}` : null,
          ...(i % 3 === 0 ? { eventName: 'AssumeRole' } : {}),
        }),
      );
    }
    const whole = createTrailAggregator();
    for (const r of records) whole.add(r);
    const a = createTrailAggregator();
    const b = createTrailAggregator();
    records.forEach((r, i) => {
      (i % 2 === 0 ? a : b).add(r);
    });
    const merged = createTrailAggregator();
    merged.merge(structuredClone(b.state()));
    merged.merge(structuredClone(a.state()));
    assert.deepEqual(merged.summary(), whole.summary());
  });
});

describe('parseEventTime', () => {
  for (const [text, expected] of [
    ['2014-07-18T15:07:39Z', Date.UTC(2014, 6, 18, 15, 7, 39)],
    ['2014-07-18T15:07:39.123Z', Date.UTC(2014, 6, 18, 15, 7, 39, 123)],
    ['2022-02-08 09:23:37+11:00', Date.UTC(2022, 1, 7, 22, 23, 37)],
    ['2019-01-01 00:00:00', Date.UTC(2019, 0, 1)],
    ['2023-02-30T00:00:00Z', null],
    ['', null],
    ['yesterday', null],
    // years outside 1970–9999 are unreadable, as in a credential report (Date.UTC made 0000 into 1900)
    ['0000-01-01T00:00:00Z', null],
    ['0099-12-31T23:59:59Z', null],
    ['0050-06-01 00:00:00', null],
    ['1969-12-31T23:59:59Z', null],
    ['1970-01-01T00:00:00Z', 0],
    ['9999-12-31T23:59:59Z', Date.UTC(9999, 11, 31, 23, 59, 59)],
  ] as const) {
    it(`reads ${JSON.stringify(text)}`, () => assert.equal(parseEventTime(text), expected));
  }
});

describe('an eventTime in year 0000–0099 scanned from bytes (the fast path of extract-record.ts)', () => {
  it('is unreadable: the record counts, the key gets no first or last seen in 1900', () => {
    for (const eventTime of ['0000-01-01T00:00:00Z', '0099-01-01T00:00:00Z']) {
      const records = [
        {
          eventTime,
          eventSource: 'ec2.amazonaws.com',
          eventName: 'DescribeInstances',
          awsRegion: 'us-east-1',
          sourceIPAddress: '198.51.100.1',
          userIdentity: {
            type: 'IAMUser',
            arn: 'arn:aws:iam::111122223333:user/alice',
            accessKeyId: 'AKIAEXAMPLE1',
          },
        },
      ];
      const summary = scanTrailDocument(Buffer.from(JSON.stringify({ Records: records })), {}).summary();
      assert.equal(summary.records, 1);
      assert.deepEqual(summary.accessKeys, [], eventTime);
    }
  });
});
