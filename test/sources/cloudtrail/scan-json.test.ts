import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createTrailAggregator } from '../../../src/sources/cloudtrail/aggregate.ts';
import { aggregatingHandler, scanTrailDocument } from '../../../src/sources/cloudtrail/extract-record.ts';
import { trailRecordFromObject } from '../../../src/sources/cloudtrail/record-from-object.ts';
import { CloudTrailJsonScanner, JsonScanError } from '../../../src/sources/cloudtrail/scan-json.ts';
import { SCAN_JSON_WASM_BASE64 } from '../../../src/sources/cloudtrail/scan-json.wasm.ts';
import { compileScanner } from '../../../scripts/build-wasm.ts';
import { FIXTURES } from './fixtures.ts';
import { generateTrailRecords } from './trail-records.ts';

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

/** The aggregate of records that are already objects: JSON.parse's reading, the reference. */
function referenceSummary(records: unknown[], includeTemporary = true) {
  const agg = createTrailAggregator({ includeTemporary });
  for (const r of records) agg.add(trailRecordFromObject(r)!);
  return agg.summary();
}
const scanText = (text: string) => scanTrailDocument(Buffer.from(text), { includeTemporary: true }).summary();

describe('CloudTrailJsonScanner: the WebAssembly module', () => {
  it('is the compiled scan-json.as.ts (run `npm run wasm` after editing it)', async () => {
    const binary = await compileScanner();
    assert.equal(Buffer.from(binary).toString('base64'), SCAN_JSON_WASM_BASE64);
  });

  it('hands over records in batches: 5 000 records, whole and cut anywhere, count and aggregate exactly', () => {
    // The module's record table holds 1 024 records; a file of 5 000 fills it four times over.
    const records = generateTrailRecords(5000, 11);
    const text = JSON.stringify({ Records: records });
    const expected = referenceSummary(records);
    let seen = 0;
    const scanner = new CloudTrailJsonScanner(() => {
      seen += 1;
    });
    scanner.scan(Buffer.from(text), true);
    assert.equal(scanner.records, 5000);
    assert.equal(seen, 5000);
    assert.deepEqual(scanText(text), expected);
    const bytes = Buffer.from(text);
    const cuts = Array.from({ length: 30 }, (_, i) => Math.floor(((i + 1) * bytes.length) / 31));
    assert.deepEqual(scanInPieces(bytes, cuts), expected);
  });

  it('reports an error after thousands of records at its byte, having handed over the records before it', () => {
    const records = generateTrailRecords(3000, 12);
    const good = JSON.stringify({ Records: records });
    const at = good.length - 2; // the closing ']' of Records
    const broken = `${good.slice(0, at)}x${good.slice(at)}`;
    const scanner = new CloudTrailJsonScanner(() => {});
    assert.throws(() => scanner.scan(Buffer.from(broken), true), {
      message: `invalid JSON at byte ${at}: expected ',' or a closing bracket`,
    });
    assert.equal(scanner.records, 3000);
  });

  it('a record that is not CloudTrail is reported before a syntax error further on', () => {
    const text = `[{"eventVersion":"1"},${JSON.stringify(R1)},}`;
    assert.throws(() => summaryOf(text), { message: /record 1 has no eventName/ });
  });

  it('an input the WebAssembly memory cannot grow to hold is a bad file, not a crash', () => {
    const grow = WebAssembly.Memory.prototype.grow;
    WebAssembly.Memory.prototype.grow = () => {
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    };
    try {
      // a fresh scanner (the pool's may already be large enough): 8 MiB needs more pages than it starts with
      const big = Buffer.from(JSON.stringify({ Records: [record({ eventID: 'x'.repeat(8 << 20) })] }));
      assert.throws(
        () => new CloudTrailJsonScanner(() => {}).scan(big, true),
        (e: unknown) =>
          e instanceof JsonScanError &&
          e.message === `a record too large to scan (${big.length} bytes in one piece)`,
      );
    } finally {
      WebAssembly.Memory.prototype.grow = grow;
    }
  });

  it('scanners in turn and inside one another keep their own state', () => {
    const a = Buffer.from(JSON.stringify({ Records: [R1, R2] }));
    const first = new CloudTrailJsonScanner(() => {});
    const second = new CloudTrailJsonScanner(() => {});
    const cut = a.length >> 1;
    const restA = a.subarray(first.scan(a.subarray(0, cut), false), cut);
    const restB = a.subarray(second.scan(a.subarray(0, cut + 7), false), cut + 7);
    first.scan(Buffer.concat([restA, a.subarray(cut)]), true);
    second.scan(Buffer.concat([restB, a.subarray(cut + 7)]), true);
    assert.deepEqual([first.records, second.records], [2, 2]);
  });
});

// Records as CloudTrail writes them plus fields the scanner must step over: nested values of every
// JSON kind, numbers, literals, and strings with escapes and non-ASCII text in the fields it reads.
const extraFields = fc.dictionary(
  fc.string({ maxLength: 8 }).map((k) => `x_${k}`),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 4 },
);
const oddText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('a"b', 'c\\d', 'é\n\u0000'),
);
const documentArb = fc
  .tuple(
    fc.integer({ min: 1, max: 40 }), // (an empty JSON-lines file is no document: tested above)
    fc.integer({ min: 1, max: 1e6 }),
    fc.array(extraFields, { maxLength: 40 }),
    fc.array(fc.option(oddText, { nil: undefined }), { maxLength: 40 }),
    fc.constantFrom('compact', 'pretty', 'array', 'lines'),
  )
  .map(([n, seed, extras, ips, shape]) => {
    const records = generateTrailRecords(n, seed).map((r, i) => ({
      ...extras[i % Math.max(1, extras.length)],
      ...r,
      ...(ips[i] !== undefined ? { sourceIPAddress: ips[i] } : {}),
    }));
    const text =
      shape === 'compact'
        ? JSON.stringify({ Records: records })
        : shape === 'pretty'
          ? JSON.stringify({ Records: records }, null, 2)
          : shape === 'array'
            ? JSON.stringify(records)
            : records.map((r) => JSON.stringify(r)).join('\n');
    return { records, text };
  });

describe('CloudTrailJsonScanner agrees with JSON.parse (fast-check, differential)', () => {
  it('valid documents: the same aggregate as JSON.parse and the object reader', () => {
    fc.assert(
      fc.property(documentArb, ({ records, text }) => {
        assert.deepEqual(scanText(text), referenceSummary(records));
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it('one edit away from a valid document: whatever JSON.parse rejects, the scanner rejects', () => {
    // Edits with structural characters, digits, letters and spaces (not backslashes or control
    // characters: inside strings the scanner checks neither, by design, see scan-json.as.ts).
    const base = generateTrailRecords(6, 3).map((r, i) => ({
      ...r,
      x_n: i * -12.5e3,
      x_b: i % 2 === 0,
      x_z: null,
    }));
    const text = JSON.stringify({ Records: base });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: text.length - 1 }),
        fc.oneof(fc.constant(''), fc.constantFrom(...'{}[],:"0159.-+eEtrunlfas x'.split(''))),
        fc.boolean(),
        (at, insert, replace) => {
          const edited = text.slice(0, at) + insert + text.slice(replace || insert === '' ? at + 1 : at);
          let parsed: unknown;
          try {
            parsed = JSON.parse(edited);
          } catch {
            assert.throws(
              () => scanText(edited),
              JsonScanError,
              `accepted: ${edited.slice(at - 20, at + 20)}`,
            );
            return;
          }
          let summary: ReturnType<typeof scanText>;
          try {
            summary = scanText(edited);
          } catch (e) {
            // valid JSON, but not a trail (a record without eventName, a value where a record belongs)
            assert.match((e as Error).message, /not a CloudTrail file/);
            return;
          }
          const recordsOf = (parsed as { Records?: unknown }).Records;
          if (Array.isArray(recordsOf) && recordsOf.every((r) => trailRecordFromObject(r) !== null)) {
            assert.deepEqual(summary, referenceSummary(recordsOf));
          }
        },
      ),
      { numRuns: 2000, seed: 8 },
    );
  });
});
