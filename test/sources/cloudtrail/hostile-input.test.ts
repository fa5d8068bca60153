/**
 * The CloudTrail reader under random and hostile input: random and mutated records and files (plain
 * and gzip) never throw out of scanTrailObject (each object either counts or is bad with a reason);
 * and a corpus generated at test time (truncated gzip, a zip bomb stopped at the inflation cap,
 * deeply nested JSON, 10 MB lines, invalid UTF-8, binary garbage) through `credsweep trail`, where
 * each bad file is one line naming its path, the good files still count, and the run exits 3.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createGzip, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import {
  DEFAULT_MAX_INFLATED_BYTES,
  scanTrailObject,
  type TrailObject,
} from '../../../src/sources/cloudtrail/read-object.ts';
import { scanCloudTrail } from '../../../src/sources/cloudtrail/scan.ts';
import { runCredsweep } from '../../helpers/cli.ts';
import { generateTrailRecords } from './trail-records.ts';

const RUNS = 200;
const OBJECT: TrailObject = { kind: 's3', bucket: 'bucket', key: 'AWSLogs/1/CloudTrail/us-east-1/x.json.gz' };

/** Scans bytes as one trail object (served in `chunk`-byte pieces by a fake S3 reader). */
async function scanBytes(bytes: Uint8Array, options: { maxInflatedBytes?: number; chunk?: number } = {}) {
  const chunk = options.chunk ?? 4096;
  return scanTrailObject(
    OBJECT,
    { includeTemporary: true, maxInflatedBytes: options.maxInflatedBytes },
    {
      s3: async () =>
        (async function* () {
          for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
        })(),
    },
  );
}

function assertCountsOrBad(outcome: Awaited<ReturnType<typeof scanBytes>>): void {
  if ('error' in outcome) {
    assert.equal(typeof outcome.error, 'string');
    assert.ok(outcome.error.length > 0 && !outcome.error.includes('\n'), `one-line reason: ${outcome.error}`);
  } else {
    assert.ok(outcome.aggregator);
  }
}

const VALID = Buffer.from(JSON.stringify({ Records: generateTrailRecords(20, 7) }));

// Values CloudTrail fields take, and values they never should.
const hostileValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '2026-13-45T99:99:99Z', 'AKIA', 'ASIA\u0000', '\uD800', 'arn:aws:iam::1:user/x', null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.jsonValue({ maxDepth: 4 }),
);
const hostileRecord = fc.dictionary(
  fc.constantFrom(
    'eventTime',
    'eventName',
    'eventSource',
    'sourceIPAddress',
    'userIdentity',
    'responseElements',
    'requestParameters',
    'errorCode',
    'awsRegion',
    'recipientAccountId',
    'additionalEventData',
    'x',
  ),
  fc.oneof(
    hostileValue,
    fc.record({
      type: fc.constantFrom('IAMUser', 'AssumedRole', 'Root', 'AWSService', 'x'),
      accessKeyId: fc.oneof(fc.constantFrom('AKIAEXAMPLE000000001', 'ASIAEXAMPLE000000001'), hostileValue),
      arn: hostileValue,
    }),
  ),
);

describe('CloudTrail reader under random and mutated input (fast-check)', () => {
  it('random records (plain and gzip) either count or make the file bad, never throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileRecord, { maxLength: 8 }), fc.boolean(), async (records, gz) => {
        const bytes = Buffer.from(JSON.stringify({ Records: records }));
        assertCountsOrBad(await scanBytes(gz ? gzipSync(bytes) : bytes));
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated real-shaped files (bytes flipped, cut, spliced; plain and gzip) never throw', async () => {
    const mutation = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('flip', 'cut', 'insert', 'delete'),
      byte: fc.integer({ min: 0, max: 255 }),
      length: fc.integer({ min: 1, max: 64 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(mutation, { minLength: 1, maxLength: 5 }),
        fc.constantFrom('plain', 'gzip-then-mutate', 'mutate-then-gzip'),
        fc.integer({ min: 1, max: 5000 }),
        async (mutations, mode, chunk) => {
          const mutate = (input: Buffer) => {
            let b = Buffer.from(input);
            for (const m of mutations) {
              const at = m.at % (b.length + 1);
              if (m.kind === 'flip' && at < b.length) b[at] = m.byte;
              else if (m.kind === 'cut') b = b.subarray(0, at);
              else if (m.kind === 'insert')
                b = Buffer.concat([b.subarray(0, at), Buffer.alloc(m.length, m.byte), b.subarray(at)]);
              else b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
            }
            return b;
          };
          const bytes =
            mode === 'plain'
              ? mutate(VALID)
              : mode === 'gzip-then-mutate'
                ? mutate(gzipSync(VALID))
                : gzipSync(mutate(VALID));
          assertCountsOrBad(await scanBytes(bytes, { chunk }));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('random bytes, and gzip of random bytes, never throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), fc.boolean(), async (raw, gz) => {
        assertCountsOrBad(await scanBytes(gz ? gzipSync(raw) : raw));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('CloudTrail reader: the inflation cap', () => {
  it('a small gzip inflating past the cap stops there and is reported, quickly', async () => {
    // 64 MiB of spaces inside a valid document compresses to about 64 KiB.
    const bomb = gzipSync(
      Buffer.concat([Buffer.from('{"Records":['), Buffer.alloc(64 * 1024 * 1024, 0x20), Buffer.from(']}')]),
    );
    assert.ok(bomb.length < 200 * 1024, `bomb is ${bomb.length} bytes`);
    const outcome = await scanBytes(bomb, { maxInflatedBytes: 4 * 1024 * 1024, chunk: 65536 });
    assert.ok('error' in outcome);
    assert.match(outcome.error, /inflates past the 4 MiB limit/);
    // The same file under a cap it fits in is read whole (it is valid, only padded).
    const fits = await scanBytes(bomb, { maxInflatedBytes: 128 * 1024 * 1024, chunk: 65536 });
    assert.ok('aggregator' in fits, JSON.stringify(fits));
  });

  it('the default cap is 1 GiB and applies when no cap is given', () => {
    assert.equal(DEFAULT_MAX_INFLATED_BYTES, 1024 ** 3);
  });
});

describe('credsweep trail on a hostile corpus', () => {
  let dir: string;
  const bad: Record<string, RegExp> = {};

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credsweep-trail-hostile-'));
    const logs = join(dir, 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2026', '09', '01');
    await mkdir(logs, { recursive: true });
    const file = (name: string) => join(logs, `111122223333_CloudTrail_us-east-1_20260901T0000Z_${name}`);
    // Good files: they must still count.
    await writeFile(file('good.json.gz'), gzipSync(VALID));
    await writeFile(file('good2.json'), VALID);
    // Truncated gzip.
    const gz = gzipSync(VALID);
    await writeFile(file('truncated.json.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
    bad['truncated.json.gz'] = /truncated gzip|corrupt gzip|unexpected end/i;
    // Zip bomb: ~64 KiB that inflates to 64 MiB, against --max-inflated-mb 8.
    await new Promise<void>((ok, fail) => {
      const out = createGzip();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      out.on('end', () => writeFile(file('bomb.json.gz'), Buffer.concat(chunks)).then(ok, fail));
      out.write('{"Records":[');
      const mb = Buffer.alloc(1024 * 1024, 0x20);
      for (let i = 0; i < 64; i++) out.write(mb);
      out.end(']}');
    });
    bad['bomb.json.gz'] = /inflates past the 8 MiB limit/;
    // Deeply nested JSON inside a record.
    const depth = 100_000;
    await writeFile(
      file('nested.json'),
      `{"Records":[{"eventName":"x","requestParameters":${'['.repeat(depth)}${']'.repeat(depth)}}]}`,
    );
    // 10 MB single lines: one valid record with a 10 MB field, one line of garbage.
    await writeFile(
      file('long-field.json'),
      JSON.stringify({
        Records: [{ ...generateTrailRecords(1, 3)[0], userAgent: 'A'.repeat(10 * 1024 * 1024) }],
      }),
    );
    await writeFile(file('long-garbage.json'), `{"Records":[${'x'.repeat(10 * 1024 * 1024)}`);
    bad['long-garbage.json'] = /./;
    // Invalid UTF-8 inside strings, and binary garbage.
    await writeFile(
      file('bad-utf8.json'),
      Buffer.concat([
        Buffer.from('{"Records":[{"eventName":"Get\xff'),
        Buffer.from([0xc3, 0x28, 0xfe]),
        Buffer.from('","eventSource":"s3.amazonaws.com"}]}'),
      ]),
    );
    await writeFile(
      file('garbage.json.gz'),
      Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(4096, 0xab)]),
    );
    bad['garbage.json.gz'] = /gzip/i;
    await writeFile(
      file('binary.json'),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
    );
    bad['binary.json'] = /./;
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('every bad file is one line with its path and why, the good ones count, exit 3', async () => {
    const run = await runCredsweep(['trail', dir, '--format', 'json', '--max-inflated-mb', '8'], {
      timeoutMs: 120_000,
    });
    assert.equal(run.code, 3, run.stderr);
    const summary = JSON.parse(run.stdout) as {
      files: { scanned: number; bad: Array<{ path: string; error: string }> };
    };
    const badByName = new Map(summary.files.bad.map((b) => [b.path.split('_').pop()!, b.error]));
    for (const [name, why] of Object.entries(bad)) {
      const error = badByName.get(name);
      assert.ok(error, `${name} is reported bad (bad: ${[...badByName.keys()]})`);
      assert.match(error, why, name);
    }
    for (const good of ['good.json.gz', 'good2.json']) assert.ok(!badByName.has(good), `${good} counts`);
    assert.ok(summary.files.scanned >= 2);
    const lines = run.stderr
      .trimEnd()
      .split('\n')
      .filter((l) => !/Warning|versions|require node|continue|security|a\.co|trace-warnings|^$/.test(l));
    assert.equal(lines.length, summary.files.bad.length, run.stderr);
    for (const line of lines)
      assert.match(line, new RegExp(`^credsweep: ${dir.replaceAll('/', '\\/')}\\/AWSLogs\\/.+: \\S`));
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  });

  it('the same scan in-process, inline and on worker threads, agrees', async () => {
    const inline = await scanCloudTrail([dir], { workers: 0, maxInflatedBytes: 8 * 1024 * 1024 });
    const threaded = await scanCloudTrail([dir], { workers: 2, maxInflatedBytes: 8 * 1024 * 1024 });
    assert.deepEqual(threaded, inline);
    assert.ok(inline.files.bad.some((b) => /inflates past the 8 MiB limit/.test(b.error)));
  });
});
