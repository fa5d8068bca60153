import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createTrailAggregator } from '../../../src/sources/cloudtrail/aggregate.ts';
import { aggregatingHandler, scanTrailDocument } from '../../../src/sources/cloudtrail/extract-record.ts';
import { CloudTrailJsonScanner, JsonScanError } from '../../../src/sources/cloudtrail/scan-json.ts';
import { FIXTURES } from './fixtures.ts';

const record = (o: Record<string, unknown> = {}) => ({
  eventVersion: '1.08',
  userIdentity: {
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLE',
    arn: 'arn:aws:iam::111122223333:user/alice',
    accountId: '111122223333',
    accessKeyId: 'AKIAEXAMPLEKEY000001',
    userName: 'alice',
  },
  eventTime: '2026-10-01T10:00:00Z',
  eventSource: 's3.amazonaws.com',
  eventName: 'ListBuckets',
  awsRegion: 'us-east-1',
  sourceIPAddress: '198.51.100.1',
  requestParameters: null,
  responseElements: null,
  eventID: 'e1',
  ...o,
});
const R1 = record();
const R2 = record({
  eventTime: '2026-10-02T10:00:00Z',
  sourceIPAddress: '198.51.100.2',
  eventName: 'GetObject',
});
const summaryOf = (text: string) => scanTrailDocument(Buffer.from(text)).summary();
const expected = summaryOf(JSON.stringify({ Records: [R1, R2] }));

describe('CloudTrailJsonScanner: the shapes a trail comes in', () => {
  const shapes: Array<[string, string]> = [
    ['native {"Records":[…]}', JSON.stringify({ Records: [R1, R2] })],
    ['native, pretty-printed', JSON.stringify({ Records: [R1, R2] }, null, 2)],
    [
      'native with other keys around Records',
      JSON.stringify({ a: [1, { b: 2 }], Records: [R1, R2], z: 'x' }),
    ],
    ['a bare array', JSON.stringify([R1, R2])],
    ['JSON lines', `${JSON.stringify(R1)}\n${JSON.stringify(R2)}\n`],
    ['JSON lines with CRLF and blank lines', `${JSON.stringify(R1)}\r\n\r\n${JSON.stringify(R2)}`],
    [
      'lookup-events output {"Events":[…]}',
      JSON.stringify({
        Events: [R1, R2].map((r) => ({
          EventId: r.eventID,
          EventName: r.eventName,
          CloudTrailEvent: JSON.stringify(r),
        })),
      }),
    ],
    [
      'lookup-events as lines',
      [R1, R2].map((r) => JSON.stringify({ EventName: 'x', CloudTrailEvent: JSON.stringify(r) })).join('\n'),
    ],
  ];
  for (const [name, text] of shapes) {
    it(`reads ${name}`, () => assert.deepEqual(summaryOf(text), expected));
  }

  it('reads escaped strings and non-ASCII text', () => {
    const arn = 'arn:aws:iam::111122223333:user/zoë"\\/x';
    const s = summaryOf(JSON.stringify([record({ userIdentity: { ...R1.userIdentity, arn } })]));
    assert.equal(s.accessKeys[0]!.principalArn, arn);
  });

  it('takes fields only from their place: a nested eventName or accessKeyId is not the record’s', () => {
    const s = summaryOf(
      JSON.stringify([
        record({
          requestParameters: { eventName: 'ConsoleLogin', userIdentity: { accessKeyId: 'AKIANESTED' } },
          responseElements: { credentials: { accessKeyId: 'ASIAISSUED' } },
        }),
      ]),
    );
    assert.deepEqual(
      s.accessKeys.map((k) => [k.accessKeyId, k.lastEventName]),
      [['AKIAEXAMPLEKEY000001', 'ListBuckets']],
    );
    assert.equal(s.consoleLogins.length, 0);
  });

  it('skips a UTF-8 byte order mark', () => {
    assert.deepEqual(summaryOf(`\uFEFF${JSON.stringify({ Records: [R1, R2] })}`), expected);
  });

  it('accepts an empty trail file', () => {
    assert.equal(summaryOf('{"Records":[]}').records, 0);
    assert.equal(summaryOf('[]').records, 0);
  });
});

describe('CloudTrailJsonScanner: bad input is an error with a position, never a crash', () => {
  const good = JSON.stringify({ Records: [R1, R2] });
  const cases: Array<[string, string, RegExp]> = [
    ['truncated in a string', good.slice(0, 100), /^truncated JSON/],
    ['truncated between records', good.slice(0, good.indexOf('},{') + 2), /^truncated JSON/],
    [
      'a missing comma between records',
      good.replace('},{', '}{'),
      /^invalid JSON at byte \d+: expected ',' or a closing bracket/,
    ],
    ['a trailing comma', good.replace(']}', ',]}'), /^invalid JSON at byte \d+: expected a value/],
    ['a bad literal', good.replace('null', 'nul'), /^invalid JSON at byte \d+: unexpected 'nul'/],
    ['a missing colon', good.replace('"eventID":', '"eventID"'), /^invalid JSON at byte \d+: expected ':'/],
    ['mismatched brackets', good.replace(']}', '}}'), /^invalid JSON at byte \d+: unexpected '}'/],
    ['garbage after the document', `${good} x`, /^invalid JSON at byte \d+: unexpected 'x'/],
    ['an empty file', '', /^empty/],
    ['whitespace only', ' \n ', /^empty/],
    [
      'a JSON object that is not a record',
      '{"digestStartTime":"x","logFiles":[]}',
      /^not a CloudTrail file: record 1 has no eventName/,
    ],
    ['a number', '42', /not a CloudTrail file/],
    ['an array of strings', '["a","b"]', /not a CloudTrail file/],
    ['Records holding strings', '{"Records":["a"]}', /not a CloudTrail file/],
    ['nested arrays', '[[{"eventName":"x"}]]', /not a CloudTrail file/],
    ['binary junk', '\u0000\u0001PK', /^invalid JSON at byte 0/],
    [
      'a broken CloudTrailEvent string',
      JSON.stringify([{ CloudTrailEvent: '{"eventName":' }]),
      /CloudTrailEvent: truncated JSON/,
    ],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => {
      assert.throws(
        () => summaryOf(text),
        (e: unknown) => e instanceof JsonScanError && message.test(e.message),
      );
    });
  }
});

/** Scans `bytes` cut at the given offsets, the way a stream delivers them. */
function scanInPieces(bytes: Buffer, cuts: number[]) {
  const agg = createTrailAggregator({ includeTemporary: true });
  const scanner = new CloudTrailJsonScanner(
    aggregatingHandler(agg, { includeTemporary: true, windowed: false }),
  );
  let carry = Buffer.alloc(0);
  let from = 0;
  for (const cut of [...cuts.sort((a, b) => a - b), bytes.length]) {
    const buf = Buffer.concat([carry, bytes.subarray(from, cut)]);
    carry = buf.subarray(scanner.scan(buf, false));
    from = Math.max(from, cut);
  }
  scanner.scan(carry, true);
  return agg.summary();
}

describe('CloudTrailJsonScanner: chunk boundaries', () => {
  const samples = [
    'invictus-ir__aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1205Z_zs3JGxETHr59VpkX.json',
    'DataDog__stratus-red-team/aws.persistence.iam-create-admin-user.json',
    'panther-labs__panther-analysis/aws_cloudtrail_rules_tests.jsonl',
    'log2timeline__plaso/test_data_jsonl_aws_cloudtrail.jsonl',
  ].map((f) => readFileSync(join(FIXTURES, f)));

  it('gives the same summary wherever the input is cut (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: samples.length - 1 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 }),
        (which, fractions) => {
          const bytes = samples[which]!;
          const whole = scanTrailDocument(bytes, { includeTemporary: true }).summary();
          const cuts = fractions.map((f) => Math.floor(f * bytes.length));
          assert.deepEqual(scanInPieces(bytes, cuts), whole);
        },
      ),
      { numRuns: 60, seed: 20261123 },
    );
  });

  it('survives one byte at a time, and reports errors at the same byte', () => {
    const text = JSON.stringify({ Records: [R1, R2] });
    const everyByte = Array.from({ length: text.length }, (_, i) => i);
    assert.deepEqual(scanInPieces(Buffer.from(text), everyByte), expected);
    const broken = Buffer.from(text.replace('},{', '}{'));
    const whole = (() => {
      try {
        scanTrailDocument(broken);
      } catch (e) {
        return (e as Error).message;
      }
    })();
    assert.throws(() => scanInPieces(broken, everyByte), { message: whole });
  });
});
