import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { InputError } from '../../../src/errors.ts';
import { scanTrailDocument } from '../../../src/sources/cloudtrail/extract-record.ts';
import { isOutsideWindow } from '../../../src/sources/cloudtrail/locate.ts';
import { decompressed, scanChunks } from '../../../src/sources/cloudtrail/read-object.ts';
import { CloudTrailJsonScanner } from '../../../src/sources/cloudtrail/scan-json.ts';
import { scanCloudTrail } from '../../../src/sources/cloudtrail/scan.ts';
import { createTrailAggregator } from '../../../src/sources/cloudtrail/aggregate.ts';
import { aggregatingHandler } from '../../../src/sources/cloudtrail/extract-record.ts';
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

describe('isOutsideWindow (delivery-date folders, AWS-SEMANTICS §4.1)', () => {
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
