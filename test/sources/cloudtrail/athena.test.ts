/**
 * `runAthenaTrailQuery` against moto_server's Athena: moto accepts the query and returns the rows
 * queued through POST /moto-api/static/athena/query-results (docs/aws-behaviour.md §7.4); it does not run
 * SQL (athena-sql.test.ts runs the same SQL in DuckDB). Two behaviours moto lacks are checked with
 * aws-sdk-client-mock below, and say so: GetQueryResults paging (moto ignores NextToken and returns
 * every row at once) and a FAILED query (moto's queries always succeed).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  ListQueryExecutionsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { AwsAccessError, InputError } from '../../../src/errors.ts';
import { runAthenaTrailQuery } from '../../../src/sources/cloudtrail/athena.ts';
import { AGGREGATION_COLUMNS } from '../../../src/sources/cloudtrail/athena-sql.ts';
import { type MotoServer, startMoto } from '../../helpers/moto.ts';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const ALICE = 'arn:aws:iam::111122223333:user/alice';
const DEPLOYER = 'arn:aws:iam::111122223333:role/deployer';

/** The aggregation's result rows (header first, as Athena returns them); null cells are absent values. */
const ROWS: Array<Array<string | null>> = [
  [...AGGREGATION_COLUMNS],
  ['records', null, null, '1234', null, null, null, null],
  [
    'key',
    KEY,
    ALICE,
    '42',
    '2026-09-01T10:00:00Z',
    '2026-10-20T08:30:00Z\tListBuckets',
    'iam.amazonaws.com,s3.amazonaws.com',
    'eu-west-1,us-east-1',
  ],
  ['ip', KEY, '198.51.100.7', '30', null, null, null, null],
  ['ip', KEY, '203.0.113.9', '12', null, null, null, null],
  ['role', DEPLOYER, null, '5', null, `2026-10-19T12:00:00Z\t${ALICE}\t198.51.100.7`, null, null],
  [
    'role',
    'arn:aws:iam::111122223333:role/ec2-app',
    null,
    '3',
    null,
    '2026-10-18T00:00:00Z\tec2.amazonaws.com\t',
    null,
    null,
  ],
  ['login', ALICE, '2', '3', null, '2026-10-01T07:00:00Z', null, null],
  ['login', 'arn:aws:iam::111122223333:user/mallory', '0', '4', null, null, null, null],
];

const EXPECTED = {
  schemaVersion: 1,
  files: { scanned: 0, bad: [] },
  records: 1234,
  accessKeys: [
    {
      accessKeyId: KEY,
      principalArn: ALICE,
      firstSeen: '2026-09-01T10:00:00Z',
      lastSeen: '2026-10-20T08:30:00Z',
      events: 42,
      sourceIps: { count: 2, top: ['198.51.100.7', '203.0.113.9'] },
      services: ['iam.amazonaws.com', 's3.amazonaws.com'],
      regions: ['eu-west-1', 'us-east-1'],
      lastEventName: 'ListBuckets',
    },
  ],
  roles: [
    {
      roleArn: DEPLOYER,
      lastAssumed: '2026-10-19T12:00:00Z',
      lastAssumedBy: ALICE,
      lastSourceIp: '198.51.100.7',
      assumeEvents: 5,
    },
    {
      roleArn: 'arn:aws:iam::111122223333:role/ec2-app',
      lastAssumed: '2026-10-18T00:00:00Z',
      lastAssumedBy: 'ec2.amazonaws.com',
      lastSourceIp: null,
      assumeEvents: 3,
    },
  ],
  consoleLogins: [
    { principalArn: ALICE, lastSuccess: '2026-10-01T07:00:00Z', successes: 2, failures: 1 },
    { principalArn: 'arn:aws:iam::111122223333:user/mallory', lastSuccess: null, successes: 0, failures: 4 },
  ],
};

function athenaRows(rows: Array<Array<string | null>>) {
  return rows.map((cells) => ({ Data: cells.map((c) => (c === null ? {} : { VarCharValue: c })) }));
}

const noSleep = async () => {};

describe('runAthenaTrailQuery on moto', () => {
  let moto: MotoServer;
  let athena: AthenaClient;
  before(async () => {
    moto = await startMoto();
  });
  after(async () => {
    athena?.destroy();
    await moto.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    athena = new AthenaClient(moto.clientConfig());
    const s3 = new S3Client(moto.s3ClientConfig());
    await s3.send(new CreateBucketCommand({ Bucket: 'athena-results' }));
    s3.destroy();
  });

  async function queueResults(rows: Array<Array<string | null>>) {
    const response = await fetch(`${moto.endpoint}/moto-api/static/athena/query-results`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        region: 'us-east-1',
        results: [
          {
            rows: athenaRows(rows),
            column_info: AGGREGATION_COLUMNS.map((Name) => ({ Name, Type: 'varchar' })),
          },
        ],
      }),
    });
    await response.arrayBuffer();
    assert.equal(response.status, 201);
  }

  it('sends the aggregation SQL and maps the result rows into a TrailSummary', async () => {
    await queueResults(ROWS);
    const summary = await runAthenaTrailQuery(athena, {
      table: 'cloudtrail_logs',
      database: 'trails',
      workgroup: 'primary',
      outputLocation: 's3://athena-results/credsweep/',
      since: Date.UTC(2026, 8, 1),
      sleep: noSleep,
    });
    assert.deepEqual(summary, EXPECTED);
  });

  it('records what it ran: the query, database and output location', async () => {
    await queueResults(ROWS);
    await runAthenaTrailQuery(athena, {
      table: 'trails.cloudtrail_logs',
      outputLocation: 's3://athena-results/q/',
      since: Date.UTC(2026, 8, 1),
      until: Date.UTC(2026, 9, 1),
      sleep: noSleep,
    });
    const { QueryExecutionIds } = await athena.send(new ListQueryExecutionsCommand({}));
    assert.equal(QueryExecutionIds?.length, 1);
    const { QueryExecution } = await athena.send(
      new GetQueryExecutionCommand({ QueryExecutionId: QueryExecutionIds![0] }),
    );
    assert.match(QueryExecution!.Query!, /FROM trails\.cloudtrail_logs/);
    assert.match(QueryExecution!.Query!, /"timestamp" >= '2026\/09\/01'/);
    assert.match(QueryExecution!.Query!, /"timestamp" <= '2026\/10\/02'/);
    // Like Athena, moto reports the result file under the location we gave.
    assert.match(
      QueryExecution!.ResultConfiguration?.OutputLocation ?? '',
      /^s3:\/\/athena-results\/q\/.+\.csv$/,
    );
  });

  it('an empty result (no rows queued) is an empty summary, not an error', async () => {
    const summary = await runAthenaTrailQuery(athena, {
      table: 'cloudtrail_logs',
      outputLocation: 's3://athena-results/empty/',
      sleep: noSleep,
    });
    assert.deepEqual(summary, { ...EXPECTED, records: 0, accessKeys: [], roles: [], consoleLogins: [] });
  });

  it('rejects an output location that is not s3:// before any call', async () => {
    await assert.rejects(
      runAthenaTrailQuery(athena, { table: 'cloudtrail_logs', outputLocation: '/tmp/out', sleep: noSleep }),
      InputError,
    );
  });
});

describe('runAthenaTrailQuery where moto cannot help (aws-sdk-client-mock)', () => {
  // Mocking AthenaClient's prototype would also capture the moto tests' client: only while these run.
  let athenaMock: AwsClientStub<AthenaClient>;
  before(() => {
    athenaMock = mockClient(AthenaClient);
  });
  after(() => athenaMock.restore());
  afterEach(() => athenaMock.reset());

  it('follows NextToken across GetQueryResults pages; the header row is skipped on the first page only', async () => {
    const rows = athenaRows(ROWS);
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athenaMock
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athenaMock
      .on(GetQueryResultsCommand)
      .resolvesOnce({ ResultSet: { Rows: rows.slice(0, 4) }, NextToken: 'page-2' })
      .resolvesOnce({ ResultSet: { Rows: rows.slice(4) } });
    const waits: number[] = [];
    const summary = await runAthenaTrailQuery(new AthenaClient({ region: 'us-east-1' }), {
      table: 'cloudtrail_logs',
      outputLocation: 's3://athena-results/',
      sleep: async (ms) => void waits.push(ms),
    });
    assert.deepEqual(summary, EXPECTED);
    assert.deepEqual(waits, [500, 1000]);
    const calls = athenaMock.commandCalls(GetQueryResultsCommand);
    assert.equal(calls[1]!.args[0].input.NextToken, 'page-2');
  });

  it('a query failing on the timestamp partition hints at --athena-ddl', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-3' });
    athenaMock.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: {
          State: 'FAILED',
          StateChangeReason: "COLUMN_NOT_FOUND: line 7:9: Column 'timestamp' cannot be resolved",
        },
      },
    });
    await assert.rejects(
      runAthenaTrailQuery(new AthenaClient({ region: 'us-east-1' }), {
        table: 'console_made_table',
        outputLocation: 's3://athena-results/',
        since: Date.UTC(2026, 0, 1),
        sleep: noSleep,
      }),
      (e: unknown) => e instanceof AwsAccessError && /--athena-ddl/.test(e.hint ?? ''),
    );
  });

  it('a FAILED query is an AWS error with Athena’s reason', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-2' });
    athenaMock.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: { State: 'FAILED', StateChangeReason: "TABLE_NOT_FOUND: Table 'x' does not exist" },
      },
    });
    await assert.rejects(
      runAthenaTrailQuery(new AthenaClient({ region: 'us-east-1' }), {
        table: 'x',
        outputLocation: 's3://athena-results/',
        sleep: noSleep,
      }),
      (e: unknown) =>
        e instanceof AwsAccessError && /TABLE_NOT_FOUND/.test(e.message) && e.awsCode === 'QueryFailed',
    );
  });
});
