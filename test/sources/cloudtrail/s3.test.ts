/**
 * CloudTrail logs in S3, against moto_server's S3 (moto never writes trail logs itself, so the test
 * puts the delivery tree there, docs/aws-behaviour.md §7.4): ListObjectsV2 listing with date pruning,
 * GetObject streaming, bad objects reported, same result as the same files on disk.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsAccessError } from '../../../src/errors.ts';
import { createS3Client, listS3TrailObjects, parseS3Url } from '../../../src/sources/cloudtrail/s3.ts';
import { scanCloudTrail } from '../../../src/sources/cloudtrail/scan.ts';
import type { TrailSummary } from '../../../src/model/trail-summary.ts';
import { runCredsweep } from '../../helpers/cli.ts';
import { MOTO_TEST_CREDENTIALS, type MotoServer, startMoto } from '../../helpers/moto.ts';
import { trailTree } from './trail-tree.ts';

const BUCKET = 'org-trail-logs';
const PREFIX = 'trail';
const day = (iso: string) => Date.parse(iso);

describe('CloudTrail in S3 (moto)', () => {
  let moto: MotoServer;
  let local: string;
  const tree = trailTree();
  const saved = { ...process.env };
  before(async () => {
    moto = await startMoto();
    // the scan's S3 clients (also in worker threads) use the SDK's default credential chain
    process.env.AWS_ACCESS_KEY_ID = MOTO_TEST_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = MOTO_TEST_CREDENTIALS.secretAccessKey;
    delete process.env.AWS_PROFILE;
    const s3 = new S3Client(moto.s3ClientConfig());
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    local = await mkdtemp(join(tmpdir(), 'credsweep-trail-s3-'));
    for (const [path, bytes] of tree.files) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/${path}`, Body: bytes }));
      await mkdir(dirname(join(local, path)), { recursive: true });
      await writeFile(join(local, path), bytes);
    }
    s3.destroy();
  });
  after(async () => {
    process.env = saved;
    await moto?.stop();
    await rm(local, { recursive: true, force: true });
  });
  const connection = () => ({ endpointUrl: moto.endpoint, region: 'us-east-1' });

  it('scans s3://bucket/prefix to the same summary as the same files on disk', async () => {
    const fromS3 = await scanCloudTrail([`s3://${BUCKET}/${PREFIX}`], { s3: connection() });
    const fromDisk = await scanCloudTrail([local]);
    const strip = (path: string) => path.replace(`s3://${BUCKET}/${PREFIX}/`, '').replace(`${local}/`, '');
    const normalised = (s: typeof fromS3) => ({
      ...s,
      files: { ...s.files, bad: s.files.bad.map((b) => ({ ...b, path: strip(b.path) })) },
    });
    assert.equal(fromS3.files.scanned, 4);
    assert.equal(fromS3.files.bad.length, Object.keys(tree.bad).length);
    assert.deepEqual(normalised(fromS3), normalised(fromDisk));
  });

  it('reads objects on worker threads too, one or many downloads in flight per worker', async () => {
    const inline = await scanCloudTrail([`s3://${BUCKET}/${PREFIX}/`], { s3: connection(), workers: 0 });
    for (const inFlight of [undefined, 1, 16]) {
      const threaded = await scanCloudTrail([`s3://${BUCKET}/${PREFIX}/`], {
        s3: connection(),
        workers: 2,
        ...(inFlight ? { inFlight } : {}),
      });
      assert.deepEqual(threaded, inline, `in flight: ${inFlight ?? 'default'}`);
    }
  });

  it('lists only the date folders a window can need, and never digests or insights', async () => {
    const client = createS3Client(connection());
    const prefixes: string[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Prefix?: string };
        prefixes.push(input.Prefix ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'recordListPrefixes' },
    );
    try {
      const objects = await listS3TrailObjects(client, `s3://${BUCKET}/${PREFIX}`, {
        since: day('2026-10-01T00:00:00Z'),
        until: day('2026-10-02T00:00:00Z'),
      });
      assert.deepEqual(
        objects.map((o) => (o.kind === 's3' ? o.key.split('/').slice(-4, -1).join('/') : '')),
        ['2026/10/01', '2026/10/02'],
      );
      assert.ok(
        !prefixes.some(
          (p) => p.includes('/2026/08/') || p.includes('/2026/09/30/') || p.includes('/2026/10/04/'),
        ),
      );
      assert.ok(!prefixes.some((p) => p.includes('CloudTrail-Digest') || p.includes('CloudTrail-Insight')));
    } finally {
      client.destroy();
    }
  });

  it('a bucket that does not exist is an AWS failure (exit 3), with the bucket named', async () => {
    await assert.rejects(
      scanCloudTrail(['s3://no-such-trail-bucket/x'], { s3: connection() }),
      (e) =>
        e instanceof AwsAccessError && /no-such-trail-bucket/.test(e.message) && e.awsCode === 'NoSuchBucket',
    );
  });

  it('credsweep trail s3://… --endpoint-url: the CLI reads the bucket, reports the bad objects, exit 3', async () => {
    const run = await runCredsweep(
      [
        'trail',
        `s3://${BUCKET}/${PREFIX}`,
        '--endpoint-url',
        moto.endpoint,
        '--region',
        'us-east-1',
        '--format',
        'json',
      ],
      { env: { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_PROFILE: '' } },
    );
    assert.equal(run.code, 3, run.stderr);
    const summary = JSON.parse(run.stdout) as TrailSummary;
    assert.equal(summary.files.scanned, 4);
    const badLines = run.stderr.split('\n').filter((l) => l.startsWith('credsweep: '));
    assert.equal(badLines.length, Object.keys(tree.bad).length);
    for (const line of badLines)
      assert.match(line, new RegExp(`^credsweep: s3://${BUCKET}/${PREFIX}/AWSLogs/.+: .+`));
  });

  it('parses s3:// URLs and rejects what is not one', () => {
    assert.deepEqual(parseS3Url('s3://bucket/a/b/'), { bucket: 'bucket', prefix: 'a/b/' });
    assert.deepEqual(parseS3Url('s3://bucket'), { bucket: 'bucket', prefix: '' });
    assert.throws(() => parseS3Url('s3://Bad_Bucket/x'), /not an s3:\/\/bucket\/prefix URL/);
  });
});
