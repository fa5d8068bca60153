/**
 * The Athena aggregation SQL is executed here by DuckDB (a dev dependency) with the few Presto/Trino
 * functions it uses defined as macros, over a table shaped like the Athena CloudTrail table; its rows,
 * folded by summaryFromAggregationRows, must equal what aggregate.ts computes from the same records.
 * That checks the SQL's semantics (filters, tie-breaks, counts), which moto's Athena cannot: moto
 * does not run queries (docs/aws-behaviour.md §7.4).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { UsageError } from '../../../src/errors.ts';
import {
  createTrailAggregator,
  type TrailAggregatorOptions,
} from '../../../src/sources/cloudtrail/aggregate.ts';
import { summaryFromAggregationRows } from '../../../src/sources/cloudtrail/athena.ts';
import {
  athenaAggregationSql,
  athenaTrailDdl,
  checkTableName,
} from '../../../src/sources/cloudtrail/athena-sql.ts';
import { trailRecordFromObject } from '../../../src/sources/cloudtrail/record-from-object.ts';
import { type CloudTrailObject, GENERATED_START, generateTrailRecords } from './trail-records.ts';

const DAY = 86_400_000;
const codecommitSsh: { Records: CloudTrailObject[] } = JSON.parse(
  readFileSync(new URL('../../fixtures/codecommit-ssh/gitpull-gitpush-ssh.json', import.meta.url), 'utf8'),
);

function athenaRow(r: CloudTrailObject) {
  const id = (r.userIdentity ?? {}) as Record<string, unknown>;
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  return {
    eventtime: r.eventTime ?? null,
    eventsource: r.eventSource ?? null,
    eventname: r.eventName ?? null,
    awsregion: r.awsRegion ?? null,
    sourceipaddress: r.sourceIPAddress ?? null,
    errorcode: r.errorCode ?? null,
    useridentity: {
      arn: id.arn ?? null,
      // Athena's JsonSerDe reads "" as an empty string, as here.
      accesskeyid: id.accessKeyId ?? null,
      principalid: id.principalId ?? null,
      invokedby: id.invokedBy ?? null,
    },
    requestparameters: json(r.requestParameters),
    responseelements: json(r.responseElements),
    timestamp: typeof r.eventTime === 'string' ? r.eventTime.slice(0, 10).replaceAll('-', '/') : null,
  };
}

describe('Athena aggregation SQL, run by DuckDB, equals aggregate.ts', () => {
  let dir: string;
  let db: DuckDBInstance;
  let conn: DuckDBConnection;
  const records = [
    ...generateTrailRecords(3000),
    // CodeCommit Git calls over SSH, signed with an SSH public key id (APKA…), and one over HTTPS
    ...codecommitSsh.Records,
    // A record without eventTime, a key with an empty id, a denied call from a key.
    { eventName: 'GetObject', eventSource: 's3.amazonaws.com', userIdentity: { accessKeyId: 'AKIANOTIME' } },
    {
      eventTime: '2026-09-10T00:00:00Z',
      eventName: 'ListBuckets',
      eventSource: 's3.amazonaws.com',
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.200',
      errorCode: 'AccessDenied',
      userIdentity: {
        type: 'IAMUser',
        arn: 'arn:aws:iam::111122223333:user/eve',
        accessKeyId: 'AKIADENIEDONLY00000',
      },
    },
  ];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credsweep-athena-sql-'));
    db = await DuckDBInstance.create(':memory:', { threads: '1' });
    conn = await db.connect();
    await conn.run(`CREATE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)`);
    await conn.run(`CREATE MACRO array_join(l, s) AS array_to_string(l, s)`);
    await conn.run(`CREATE MACRO from_iso8601_timestamp(t) AS CAST(t AS TIMESTAMPTZ)`);
    await loadTable('cloudtrail_logs', records);
    await loadTable('real_logs', await realRecords());
  });

  async function loadTable(table: string, rows: CloudTrailObject[]) {
    const file = join(dir, `${table}.jsonl`);
    await writeFile(file, rows.map((r) => JSON.stringify(athenaRow(r))).join('\n'));
    await conn.run(`CREATE TABLE ${table} AS SELECT * FROM read_json('${file}', columns = {
      eventtime: 'VARCHAR', eventsource: 'VARCHAR', eventname: 'VARCHAR', awsregion: 'VARCHAR',
      sourceipaddress: 'VARCHAR', errorcode: 'VARCHAR',
      useridentity: 'STRUCT(arn VARCHAR, accesskeyid VARCHAR, principalid VARCHAR, invokedby VARCHAR)',
      requestparameters: 'VARCHAR', responseelements: 'VARCHAR', "timestamp": 'VARCHAR'})`);
  }
  after(async () => {
    conn?.closeSync();
    await rm(dir, { recursive: true, force: true });
  });

  async function viaSql(options: TrailAggregatorOptions, table = 'cloudtrail_logs') {
    const reader = await conn.runAndReadAll(athenaAggregationSql({ table, ...options }));
    const rows = reader.getRows().map((row) => row.map((v) => (v === null ? '' : String(v))));
    return summaryFromAggregationRows(rows);
  }

  function viaAggregator(options: TrailAggregatorOptions, from: CloudTrailObject[] = records) {
    const aggregator = createTrailAggregator(options);
    for (const r of from) {
      const record = trailRecordFromObject(r);
      if (record) aggregator.add(record);
    }
    return aggregator.summary();
  }

  const windows: Array<[string, TrailAggregatorOptions]> = [
    ['the whole table', {}],
    ['temporary keys included', { includeTemporary: true }],
    [
      'a window (since inclusive, until exclusive)',
      { since: GENERATED_START + 10 * DAY, until: GENERATED_START + 20 * DAY + 3_600_000 },
    ],
  ];
  for (const [name, options] of windows) {
    it(name, async () => {
      const expected = viaAggregator(options);
      const actual = await viaSql(options);
      assert.ok(
        expected.accessKeys.length >= 5 && expected.roles.length >= 3 && expected.consoleLogins.length >= 3,
      );
      assert.deepEqual(actual, expected);
    });
  }

  it('counts SSH public key ids (APKA…) like long-term keys, temporary keys or not', async () => {
    for (const options of [{}, { includeTemporary: true }]) {
      const ssh = (await viaSql(options)).accessKeys.find((k) => k.accessKeyId === 'APKAEIBAERJR2EXAMPLE');
      assert.deepEqual(
        [ssh?.principalArn, ssh?.events, ssh?.lastSeen, ssh?.lastEventName, ssh?.services],
        [
          'arn:aws:iam::123456789012:user/dev',
          2,
          '2026-11-21T18:20:02Z',
          'GitPush',
          ['codecommit.amazonaws.com'],
        ],
      );
    }
  });

  it('real records (test/fixtures/cloudtrail: invictus-ir native files, stratus-red-team arrays)', async () => {
    const real = await realRecords();
    for (const options of [{}, { includeTemporary: true }]) {
      const expected = viaAggregator(options, real);
      assert.ok(
        expected.accessKeys.length > 0 && expected.roles.length > 0 && expected.consoleLogins.length > 0,
      );
      assert.deepEqual(await viaSql(options, 'real_logs'), expected);
    }
  });
});

/** Every record of the two real-data sets whose files are whole JSON documents. */
async function realRecords(): Promise<CloudTrailObject[]> {
  const root = new URL('../../fixtures/cloudtrail/', import.meta.url);
  const out: CloudTrailObject[] = [];
  for (const folder of ['invictus-ir__aws_dataset', 'DataDog__stratus-red-team']) {
    const names = (await readdir(new URL(folder, root))).filter((n) => n.endsWith('.json')).sort();
    assert.ok(names.length > 30, `${folder}: expected the real files`);
    for (const name of names) {
      const doc = JSON.parse(await readFile(new URL(`${folder}/${name}`, root), 'utf8'));
      out.push(...(Array.isArray(doc) ? doc : doc.Records));
    }
  }
  return out;
}

describe('athenaTrailDdl', () => {
  it('projects account, region and date for an organisation trail', () => {
    const ddl = athenaTrailDdl({
      bucket: 'org-trail-bucket',
      prefix: '/audit/',
      orgId: 'o-a1b2c3d4e5',
      accounts: ['111111111111', '222222222222'],
      regions: ['us-east-1', 'eu-west-1'],
      since: Date.UTC(2025, 0, 1),
    });
    assert.match(ddl, /^CREATE EXTERNAL TABLE IF NOT EXISTS cloudtrail_logs \(/);
    assert.match(ddl, /PARTITIONED BY \(account STRING, region STRING, `timestamp` STRING\)/);
    assert.match(ddl, /LOCATION 's3:\/\/org-trail-bucket\/audit\/AWSLogs\/o-a1b2c3d4e5\/'/);
    assert.match(ddl, /'projection.account.values'='111111111111,222222222222'/);
    assert.match(ddl, /'projection.region.values'='us-east-1,eu-west-1'/);
    assert.match(ddl, /'projection.timestamp.range'='2025\/01\/01,NOW'/);
    assert.match(
      ddl,
      /'storage.location.template'='s3:\/\/org-trail-bucket\/audit\/AWSLogs\/o-a1b2c3d4e5\/\$\{account\}\/CloudTrail\/\$\{region\}\/\$\{timestamp\}'/,
    );
  });

  it('a single-account trail has no organisation level and all commercial Regions by default', () => {
    const ddl = athenaTrailDdl({ bucket: 'my-trail', accounts: ['111122223333'], table: 'trail' });
    assert.match(ddl, /LOCATION 's3:\/\/my-trail\/AWSLogs\/'/);
    assert.match(ddl, /'projection.region.values'='af-south-1,.*us-east-1,.*us-west-2'/);
    assert.match(ddl, /CREATE EXTERNAL TABLE IF NOT EXISTS trail /);
  });

  const bad: Array<[string, Parameters<typeof athenaTrailDdl>[0]]> = [
    ['a quote in the bucket', { bucket: "b'; DROP", accounts: ['111122223333'] }],
    ['a quote in the prefix', { bucket: 'bucket', prefix: "x'y", accounts: ['111122223333'] }],
    ['a short account id', { bucket: 'bucket', accounts: ['1234'] }],
    ['no accounts', { bucket: 'bucket', accounts: [] }],
    ['a bad org id', { bucket: 'bucket', orgId: 'org-1', accounts: ['111122223333'] }],
    ['a bad region', { bucket: 'bucket', accounts: ['111122223333'], regions: ['moon'] }],
    ['a bad table', { bucket: 'bucket', accounts: ['111122223333'], table: 'a-b' }],
  ];
  for (const [name, options] of bad) {
    it(`rejects ${name} with a usage error`, () => {
      assert.throws(() => athenaTrailDdl(options), UsageError);
    });
  }

  it('table names for the query are plain identifiers, optionally database.table', () => {
    assert.equal(checkTableName('trails.cloudtrail_logs'), 'trails.cloudtrail_logs');
    assert.throws(() => checkTableName('x; DROP TABLE y'), UsageError);
    assert.throws(() => checkTableName('a.b.c'), UsageError);
  });
});
