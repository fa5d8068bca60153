/**
 * The remote `credsweep trail` sources through the CLI layer (runRemoteTrail): --athena-ddl output,
 * flag combinations, and --athena against moto_server's Athena (results injected through
 * /moto-api/static/athena/query-results, docs/aws-behaviour.md §7.4).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { CliContext } from '../../src/cli/context.ts';
import { runRemoteTrail } from '../../src/cli/trail-remote.ts';
import { UsageError } from '../../src/errors.ts';
import { AGGREGATION_COLUMNS } from '../../src/sources/cloudtrail/athena-sql.ts';
import { type MotoServer, startMoto } from '../helpers/moto.ts';

const ctx: CliContext = {
  now: () => Date.UTC(2026, 10, 1),
  stdout: new PassThrough() as unknown as NodeJS.WriteStream,
  stderr: new PassThrough() as unknown as NodeJS.WriteStream,
  stdin: new PassThrough() as unknown as NodeJS.ReadStream,
  env: {},
};

describe('runRemoteTrail', () => {
  let dir: string;
  let moto: MotoServer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credsweep-trail-remote-'));
    moto = await startMoto();
    // The CLI uses the SDK's default credential chain; moto accepts any key.
    process.env.AWS_ACCESS_KEY_ID = 'testing';
    process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  });
  after(async () => {
    await moto.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('--athena-ddl writes the CREATE TABLE and returns nothing to render', async () => {
    const output = join(dir, 'ddl.sql');
    const result = await runRemoteTrail(
      ctx,
      { athenaDdl: true, bucket: 'org-trail', orgId: 'o-a1b2c3d4e5', accounts: ['111111111111'], output },
      { since: Date.UTC(2025, 0, 1) },
    );
    assert.equal(result, null);
    const ddl = await readFile(output, 'utf8');
    assert.match(ddl, /^CREATE EXTERNAL TABLE IF NOT EXISTS cloudtrail_logs/);
    assert.match(ddl, /'projection.timestamp.range'='2025\/01\/01,NOW'/);
  });

  const usage: Array<[string, Parameters<typeof runRemoteTrail>[1], string[]]> = [
    ['--athena with --lookup', { athena: 't', athenaOutput: 's3://b/p/', lookup: true }, []],
    ['--athena without --athena-output', { athena: 't' }, []],
    ['--athena with a PATH', { athena: 't', athenaOutput: 's3://b/p/' }, ['logs/']],
    ['--athena-ddl without --bucket', { athenaDdl: true, accounts: ['111111111111'] }, []],
    ['--athena-ddl without --accounts', { athenaDdl: true, bucket: 'bucket' }, []],
    ['a malformed --region', { lookup: true, region: ['us-east-1/../x'] }, []],
    ['a table name with SQL in it', { athena: 'logs; DROP TABLE x', athenaOutput: 's3://b/p/' }, []],
  ];
  for (const [name, flags, paths] of usage) {
    it(`${name} is a usage error`, async () => {
      await assert.rejects(runRemoteTrail(ctx, flags, {}, paths), UsageError);
    });
  }

  it('--lookup with --since older than 90 days says it reads 90 days only', async () => {
    let err = '';
    const stderr = new PassThrough();
    stderr.on('data', (d) => {
      err += d;
    });
    const summary = await runRemoteTrail(
      { ...ctx, stderr: stderr as unknown as NodeJS.WriteStream },
      { lookup: true, endpointUrl: moto.endpoint, region: ['us-east-1'] },
      { since: Date.UTC(2025, 0, 1) },
    );
    assert.match(
      err,
      /^credsweep: note: LookupEvents keeps 90 days; reading from 2026-08-03T00:00:00Z, not --since\n/,
    );
    // moto has no LookupEvents: the Region is reported, not thrown.
    assert.equal(summary?.files.bad[0]?.path, 'lookup-events:us-east-1');
  });

  it('--athena runs on moto and returns the summary', async () => {
    const s3 = new S3Client(moto.s3ClientConfig());
    await s3.send(new CreateBucketCommand({ Bucket: 'athena-results' }));
    s3.destroy();
    const rows = [
      [...AGGREGATION_COLUMNS],
      ['records', '', '', '7', '', '', '', ''],
      ['login', 'arn:aws:iam::111122223333:user/alice', '1', '1', '', '2026-10-01T07:00:00Z', '', ''],
    ].map((cells) => ({ Data: cells.map((c) => (c === '' ? {} : { VarCharValue: c })) }));
    const queued = await fetch(`${moto.endpoint}/moto-api/static/athena/query-results`, {
      method: 'POST',
      body: JSON.stringify({ results: [{ rows, column_info: [] }] }),
    });
    await queued.arrayBuffer();
    const summary = await runRemoteTrail(
      ctx,
      {
        athena: 'cloudtrail_logs',
        athenaOutput: 's3://athena-results/x/',
        endpointUrl: moto.endpoint,
        region: ['us-east-1'],
      },
      {},
    );
    assert.equal(summary?.records, 7);
    assert.deepEqual(summary?.consoleLogins, [
      {
        principalArn: 'arn:aws:iam::111122223333:user/alice',
        lastSuccess: '2026-10-01T07:00:00Z',
        successes: 1,
        failures: 0,
      },
    ]);
  });
});
