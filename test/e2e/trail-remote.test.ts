/**
 * `credsweep trail --athena / --athena-ddl / --lookup` as a user runs them: the built binary against
 * moto_server. moto's Athena returns the rows queued through /moto-api/static/athena/query-results;
 * moto has no LookupEvents (docs/aws-behaviour.md §7.4), which makes it a real failing Region here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { AGGREGATION_COLUMNS } from '../../src/sources/cloudtrail/athena-sql.ts';
import { runCredsweep } from '../helpers/cli.ts';
import { type MotoServer, startMoto } from '../helpers/moto.ts';

const KEY = 'AKIAIOSFODNN7EXAMPLE';

describe('credsweep trail, remote sources (built CLI, moto_server)', () => {
  let moto: MotoServer;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    moto = await startMoto();
    env = {
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEMOTO00001',
      AWS_SECRET_ACCESS_KEY: 'motoSecretThatMustNeverBePrinted0000001',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: moto.endpoint,
    };
    const s3 = new S3Client(moto.s3ClientConfig());
    await s3.send(new CreateBucketCommand({ Bucket: 'athena-results' }));
    s3.destroy();
  });
  after(() => moto.stop());

  it('--athena prints the summary Athena computed (JSON), exit 0', async () => {
    const rows = [
      [...AGGREGATION_COLUMNS],
      ['records', '', '', '99', '', '', '', ''],
      [
        'key',
        KEY,
        'arn:aws:iam::111122223333:user/alice',
        '9',
        '2026-09-01T00:00:00Z',
        '2026-10-01T00:00:00Z\tGetObject',
        's3.amazonaws.com',
        'us-east-1',
      ],
      ['ip', KEY, '198.51.100.7', '9', '', '', '', ''],
    ].map((cells) => ({ Data: cells.map((c) => (c === '' ? {} : { VarCharValue: c })) }));
    const queued = await fetch(`${moto.endpoint}/moto-api/static/athena/query-results`, {
      method: 'POST',
      body: JSON.stringify({ results: [{ rows, column_info: [] }] }),
    });
    await queued.arrayBuffer();
    const run = await runCredsweep(
      [
        'trail',
        '--athena',
        'cloudtrail_logs',
        '--athena-output',
        's3://athena-results/cs/',
        '--format',
        'json',
      ],
      { env },
    );
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.schemaVersion, 1);
    assert.equal(summary.records, 99);
    assert.deepEqual(summary.accessKeys[0].sourceIps, { count: 1, top: ['198.51.100.7'] });
    assert.equal(summary.accessKeys[0].lastEventName, 'GetObject');
  });

  it('--athena-ddl prints CREATE TABLE with partition projection, exit 0', async () => {
    const run = await runCredsweep(
      [
        'trail',
        '--athena-ddl',
        '--bucket',
        'org-trail',
        '--org-id',
        'o-a1b2c3d4e5',
        '--accounts',
        '111111111111,222222222222',
        '--since',
        '2025-01-01',
      ],
      { env },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^CREATE EXTERNAL TABLE IF NOT EXISTS cloudtrail_logs/);
    assert.match(run.stdout, /'projection.account.values'='111111111111,222222222222'/);
    assert.match(run.stdout, /'projection.timestamp.range'='2025\/01\/01,NOW'/);
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['--athena without --athena-output', ['--athena', 'cloudtrail_logs'], /--athena needs --athena-output/],
    [
      '--athena with --lookup',
      ['--athena', 't', '--athena-output', 's3://b/p/', '--lookup'],
      /cannot be combined/,
    ],
    [
      '--athena-ddl with a bad account',
      ['--athena-ddl', '--bucket', 'b-1', '--accounts', '12'],
      /--accounts: '12' is not valid/,
    ],
    [
      '--athena-output not on S3',
      ['--athena', 't', '--athena-output', '/tmp/x'],
      /--athena-output: .* is not an s3:\/\/bucket\/prefix location/,
    ],
  ];
  for (const [name, args, message] of usage) {
    it(`${name}: exit 2 and one line`, async () => {
      const run = await runCredsweep(['trail', ...args], { env });
      assert.equal(run.code, 2, run.stderr);
      const lines = run.stderr.split('\n').filter((l) => l.startsWith('credsweep:'));
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /);
    });
  }

  it('--lookup where the API fails (moto has no LookupEvents): Region reported, exit 3, no stack', async () => {
    const run = await runCredsweep(['trail', '--lookup', '--format', 'json'], { env, timeoutMs: 180_000 });
    assert.equal(run.code, 3, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.files.bad.length, 1);
    assert.equal(summary.files.bad[0].path, 'lookup-events:us-east-1');
    assert.match(run.stderr, /^credsweep: lookup-events:us-east-1: /m);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });
});
