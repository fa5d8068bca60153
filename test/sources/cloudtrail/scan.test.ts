import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { InputError } from '../../../src/errors.ts';
import { scanTrailDocument } from '../../../src/sources/cloudtrail/extract-record.ts';
import { isOutsideWindow } from '../../../src/sources/cloudtrail/locate.ts';
import {
  DEFAULT_MAX_INFLATED_BYTES,
  decompressed,
  inflateWhole,
  scanChunks,
  scanTrailObject,
  type TrailObject,
  WHOLE_OBJECT_BYTES,
} from '../../../src/sources/cloudtrail/read-object.ts';
import { CloudTrailJsonScanner } from '../../../src/sources/cloudtrail/scan-json.ts';
import { scanCloudTrail } from '../../../src/sources/cloudtrail/scan.ts';
import { createTrailAggregator } from '../../../src/sources/cloudtrail/aggregate.ts';
import { aggregatingHandler } from '../../../src/sources/cloudtrail/extract-record.ts';
import { generateTrailRecords } from './trail-records.ts';
import { BAD_FILE_ERRORS, trailTree } from './trail-tree.ts';

const day = (iso: string) => Date.parse(iso);

describe('scanCloudTrail over a directory tree', () => {
  let root: string;
  const tree = trailTree();
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'credsweep-trail-'));
    for (const [path, bytes] of tree.files) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), bytes);
    }
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('reads every log file (account and organisation layouts), skips digests, insights and other files', async () => {
    const s = await scanCloudTrail([root]);
    assert.equal(s.files.scanned, 4);
    assert.equal(s.records, 5);
    assert.deepEqual(
      s.accessKeys.map((k) => [k.accessKeyId, k.events, k.firstSeen, k.lastSeen]),
      [
        ['AKIAALICEKEY00000001', 4, '2026-09-30T23:50:00Z', '2026-10-02T00:01:00Z'],
        ['AKIABOBKEY0000000001', 1, '2026-10-03T11:00:00Z', '2026-10-03T11:00:00Z'],
      ],
    );
    assert.deepEqual(
      s.roles.map((r) => r.roleArn),
      ['arn:aws:iam::111122223333:role/deploy'],
    );
  });

  it('reports each bad file with its path and why, and goes on', async () => {
    const s = await scanCloudTrail([root]);
    const byPath = new Map(s.files.bad.map((b) => [b.path, b.error]));
    assert.equal(s.files.bad.length, Object.keys(tree.bad).length);
    for (const [kind, path] of Object.entries(tree.bad)) {
      const error = byPath.get(join(root, path));
      assert.ok(error, `${kind} is reported`);
      assert.match(error, BAD_FILE_ERRORS[kind]!, kind);
    }
  });

  it('does the same on worker threads', async () => {
    const inline = await scanCloudTrail([root], { workers: 0 });
    const threaded = await scanCloudTrail([root], { workers: 2 });
    assert.deepEqual(threaded, inline);
  });

  it('prunes date folders outside --since/--until (the old bad file is never read)', async () => {
    const s = await scanCloudTrail([root], {
      since: day('2026-10-01T00:00:00Z'),
      until: day('2026-10-02T00:00:00Z'),
    });
    // 09/30 holds no record in the window; 10/02 (delivery day after `until`) is read, 10/03 and 10/04 are not
    assert.deepEqual(s.files.bad, []);
    assert.equal(s.files.scanned, 2);
    assert.equal(s.records, 2);
  });

  it('takes single files and several paths', async () => {
    const s = await scanCloudTrail(tree.good.slice(1, 3).map((p) => join(root, p)));
    assert.equal(s.files.scanned, 2);
    assert.equal(s.records, 3);
  });

  it('a missing path is an input error (exit 2), not a bad file', async () => {
    await assert.rejects(
      scanCloudTrail([join(root, 'nope')]),
      (e) => e instanceof InputError && /no such file/.test(e.message),
    );
  });
});

describe('isOutsideWindow (delivery-date folders, docs/aws-behaviour.md §4.1)', () => {
  const path = (date: string) => ['AWSLogs', '1', 'CloudTrail', 'us-east-1', ...date.split('/')];
  const since = day('2026-10-01T00:00:00Z');
  const until = day('2026-10-10T00:00:00Z');
  const cases: Array<[string, boolean]> = [
    ['2026/09/30', true],
    ['2026/10/01', false],
    ['2026/10/10', false],
    ['2026/10/11', true],
    ['2026/09', true],
    ['2026/10', false],
    ['2026/08', true],
    ['2025', true],
    ['2026', false],
    ['latest', false],
    // a year credsweep cannot read is not pruned (Date.UTC read 0050 as 1950, before the window)
    ['0050/10/05', false],
    ['0000', false],
  ];
  for (const [date, outside] of cases) {
    it(`${date}: ${outside ? 'pruned' : 'read'}`, () =>
      assert.equal(isOutsideWindow(path(date), { since, until }), outside));
  }
  it('prunes nothing without a window', () => assert.equal(isOutsideWindow(path('2000/01/01'), {}), false));
});

describe('streaming: gzip sniffing and chunked scanning', () => {
  const doc = Buffer.from(
    JSON.stringify({
      Records: Array.from({ length: 50 }, (_, i) => ({
        eventName: `E${i}`,
        eventTime: '2026-10-01T00:00:00Z',
        userIdentity: { accessKeyId: `AKIA${i % 3}` },
      })),
    }),
  );
  const expected = scanTrailDocument(doc).summary();
  const chunksOf = (b: Buffer, size: number) =>
    Readable.from(
      Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size)),
    );
  for (const [name, bytes] of [
    ['plain', doc],
    ['gzip', gzipSync(doc)],
  ] as const) {
    for (const size of [1, 7, 1000]) {
      it(`${name} in ${size}-byte chunks`, async () => {
        const agg = createTrailAggregator();
        const scanner = new CloudTrailJsonScanner(
          aggregatingHandler(agg, { includeTemporary: false, windowed: false }),
        );
        await scanChunks(decompressed(chunksOf(bytes, size)), scanner);
        assert.deepEqual(agg.summary(), expected);
      });
    }
  }
});

describe('read-object: small objects whole, large ones streamed, the same answers', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credsweep-whole-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const options = { includeTemporary: true };
  const summaryOf = async (object: TrailObject, opener = {}) => {
    const outcome = await scanTrailObject(object, options, opener);
    if ('error' in outcome) throw new Error(outcome.error);
    return outcome.aggregator.summary();
  };
  const s3Serving = (bytes: Buffer, chunk: number) => ({
    s3: async () =>
      (async function* () {
        for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
      })(),
  });
  const S3_OBJECT: TrailObject = { kind: 's3', bucket: 'b', key: 'AWSLogs/x.json.gz' };

  it('an object inflating past WHOLE_OBJECT_BYTES is streamed, from a file or S3, with the same aggregate', async () => {
    const records = generateTrailRecords(60_000, 21);
    const doc = Buffer.from(JSON.stringify({ Records: records }));
    assert.ok(doc.length > WHOLE_OBJECT_BYTES, `${doc.length} bytes`);
    const expected = scanTrailDocument(doc, options).summary();
    const gz = gzipSync(doc);
    const path = join(dir, 'big.json.gz');
    await writeFile(path, gz);
    assert.deepEqual(await summaryOf({ kind: 'file', path }), expected);
    assert.deepEqual(await summaryOf(S3_OBJECT, s3Serving(gz, 65536)), expected);
    // and past it as read (not gzip): streamed too
    await writeFile(join(dir, 'big.json'), doc);
    assert.deepEqual(await summaryOf({ kind: 'file', path: join(dir, 'big.json') }), expected);
    assert.equal(inflateWhole(gz, DEFAULT_MAX_INFLATED_BYTES), undefined);
  });

  it('a gzip of several members (its trailer gives only the last size) reads whole like one member', async () => {
    const records = generateTrailRecords(300, 22);
    const one = Buffer.from(JSON.stringify({ Records: records }));
    const cut = one.length >> 1;
    const members = Buffer.concat([gzipSync(one.subarray(0, cut)), gzipSync(one.subarray(cut))]);
    const path = join(dir, 'members.json.gz');
    await writeFile(path, members);
    assert.deepEqual(await summaryOf({ kind: 'file', path }), scanTrailDocument(one, options).summary());
  });

  it('a truncated or corrupt gzip read whole is reported as such (zlib checks the CRC before the scan)', async () => {
    const gz = gzipSync(Buffer.from(JSON.stringify({ Records: generateTrailRecords(50, 23) })));
    const corrupt = Buffer.from(gz);
    corrupt[gz.length >> 1]! ^= 0xff;
    for (const [name, bytes, reason] of [
      ['truncated', gz.subarray(0, gz.length - 100), /^truncated gzip/],
      ['corrupt', corrupt, /^corrupt gzip \(incorrect data check\)/],
    ] as const) {
      const path = join(dir, `${name}.json.gz`);
      await writeFile(path, bytes);
      const whole = await scanTrailObject({ kind: 'file', path }, options);
      assert.ok('error' in whole && reason.test(whole.error), JSON.stringify(whole));
    }
  });

  it('a FIFO (stat size 0) is streamed, not read whole; a device is a bad file, not read for ever', async () => {
    const doc = Buffer.from(JSON.stringify({ Records: generateTrailRecords(200, 24) }));
    const fifo = join(dir, 'fifo.json.gz');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    await writeFile(join(dir, 'fifo-source.gz'), gzipSync(doc));
    spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', join(dir, 'fifo-source.gz'), fifo], { stdio: 'ignore' });
    assert.deepEqual(
      await summaryOf({ kind: 'file', path: fifo }),
      scanTrailDocument(doc, options).summary(),
    );
    // a link in a trail tree to a device: stat() follows it, and says size 0
    await symlink('/dev/zero', join(dir, 'zero.json'));
    const zero = await scanTrailObject({ kind: 'file', path: join(dir, 'zero.json') }, options);
    assert.deepEqual(zero, { error: 'is a device or socket, not a file' });
  });
});
