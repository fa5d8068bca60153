/**
 * `credsweep trail --athena TABLE`: the trail aggregation run as SQL in Athena over the CloudTrail
 * table (organisation scale: the bucket is scanned by Athena, not downloaded), then folded into the
 * same TrailSummary every CloudTrail source produces, through aggregate.ts's merge and summary.
 *
 * Flow: StartQueryExecution → poll GetQueryExecution with backoff (QUEUED/RUNNING →
 * SUCCEEDED/FAILED/CANCELLED) → GetQueryResults, every page (the SDK paginator follows NextToken).
 */
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  paginateGetQueryResults,
  type Row,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { AwsAccessError, InputError } from '../../errors.ts';
import type { TrailSummary } from '../../model/trail-summary.ts';
import type { EpochMs } from '../../time.ts';
import {
  createTrailAggregator,
  emptyTrailAggregateState,
  parseEventTime,
  type TrailAggregateState,
} from './aggregate.ts';
import { AGGREGATION_COLUMNS, athenaAggregationSql, checkDatabaseName } from './athena-sql.ts';

/**
 * Every AWS call this source makes, as IAM actions. Athena reads the trail bucket and writes the
 * results with the caller's permissions, and resolves the table in the Glue Data Catalog, so those
 * are needed too (the bucket ARNs are the user's to narrow).
 */
export const ATHENA_QUERY_PERMISSIONS = [
  'athena:StartQueryExecution',
  'athena:GetQueryExecution',
  'athena:GetQueryResults',
  'glue:GetDatabase',
  'glue:GetTable',
] as const;
/** On the trail bucket (Athena reads the logs as the caller). */
export const ATHENA_TRAIL_BUCKET_PERMISSIONS = [
  's3:GetBucketLocation',
  's3:ListBucket',
  's3:GetObject',
] as const;
/** On the `--athena-output` location (Athena writes the results as the caller). */
export const ATHENA_RESULTS_PERMISSIONS = [
  's3:GetBucketLocation',
  's3:ListBucket',
  's3:GetObject',
  's3:PutObject',
] as const;
export const ATHENA_PERMISSIONS = [
  ...ATHENA_QUERY_PERMISSIONS,
  ...new Set([...ATHENA_TRAIL_BUCKET_PERMISSIONS, ...ATHENA_RESULTS_PERMISSIONS]),
] as const;

export interface AthenaTrailOptions {
  table: string;
  /** `s3://bucket/prefix/` for the query results. */
  outputLocation: string;
  database?: string;
  workgroup?: string;
  includeTemporary?: boolean;
  since?: EpochMs;
  until?: EpochMs;
  partitionPruning?: boolean;
  sleep: (ms: number) => Promise<void>;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Give up on a query still QUEUED/RUNNING after this many polls. */
  maxPolls?: number;
}

export function checkOutputLocation(location: string): string {
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(location)) {
    throw new InputError(`'${location}' is not an s3://bucket/prefix location`, '--athena-output');
  }
  return location;
}

export async function runAthenaTrailQuery(
  athena: AthenaClient,
  options: AthenaTrailOptions,
): Promise<TrailSummary> {
  const sql = athenaAggregationSql(options);
  const outputLocation = checkOutputLocation(options.outputLocation);
  const database = options.database === undefined ? undefined : checkDatabaseName(options.database);
  const started = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      ResultConfiguration: { OutputLocation: outputLocation },
      ...(database ? { QueryExecutionContext: { Database: database } } : {}),
      ...(options.workgroup ? { WorkGroup: options.workgroup } : {}),
    }),
  );
  const id = started.QueryExecutionId;
  if (!id) throw new AwsAccessError('Athena returned no QueryExecutionId', 'NoQueryExecutionId');
  await waitForQuery(athena, id, options);
  const rows: string[][] = [];
  let first = true;
  for await (const page of paginateGetQueryResults(
    { client: athena, pageSize: 1000 },
    { QueryExecutionId: id },
  )) {
    const pageRows = page.ResultSet?.Rows ?? [];
    pageRows.forEach((row, i) => {
      const cells = cellsOf(row);
      // Athena repeats the column names as the first row of the first page of a SELECT.
      if (first && i === 0 && cells[0] === AGGREGATION_COLUMNS[0]) return;
      rows.push(cells);
    });
    first = false;
  }
  return summaryFromAggregationRows(rows);
}

async function waitForQuery(athena: AthenaClient, id: string, options: AthenaTrailOptions): Promise<void> {
  const maxPolls = options.maxPolls ?? 600;
  const maxDelay = options.maxDelayMs ?? 5_000;
  let delay = options.initialDelayMs ?? 500;
  for (let poll = 1; ; poll += 1) {
    const out = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const status = out.QueryExecution?.Status;
    const state = status?.State;
    if (state === 'SUCCEEDED') return;
    if (state === 'FAILED' || state === 'CANCELLED') {
      const reason = status?.StateChangeReason ?? status?.AthenaError?.ErrorMessage ?? 'no reason given';
      // --since/--until prune on the `timestamp` partition that --athena-ddl's table has.
      const hint = /timestamp/i.test(reason)
        ? 'the table needs the `timestamp` partition of `credsweep trail --athena-ddl`'
        : undefined;
      throw new AwsAccessError(
        `Athena query ${id} ${state.toLowerCase()}: ${reason}`,
        `Query${state === 'FAILED' ? 'Failed' : 'Cancelled'}`,
        undefined,
        hint,
      );
    }
    if (poll >= maxPolls) {
      throw new AwsAccessError(
        `Athena query ${id} still ${state ?? 'unknown'} after ${maxPolls} polls`,
        'QueryTimeout',
      );
    }
    await options.sleep(delay);
    delay = Math.min(delay * 2, maxDelay);
  }
}

function cellsOf(row: Row): string[] {
  return (row.Data ?? []).map((d) => d.VarCharValue ?? '');
}

function nullable(text: string | undefined): string | null {
  return text === undefined || text === '' ? null : text;
}

function count(text: string | undefined, row: number): number {
  if (text === undefined || !/^\d+$/.test(text)) {
    throw new AwsAccessError(`Athena result row ${row}: '${text}' is not a count`, 'BadResult');
  }
  return Number(text);
}

function time(text: string | undefined, row: number): EpochMs {
  const at = text === undefined ? null : parseEventTime(text);
  if (at === null)
    throw new AwsAccessError(`Athena result row ${row}: '${text}' is not an eventTime`, 'BadResult');
  return at;
}

/**
 * Folds the aggregation query's rows (AGGREGATION_COLUMNS; an empty cell is NULL) into aggregate.ts's
 * state and lets it produce the summary, so Athena's output has exactly the shape and ordering of a
 * file scan. Pure.
 */
export function summaryFromAggregationRows(rows: readonly string[][]): TrailSummary {
  const s: TrailAggregateState = emptyTrailAggregateState();
  const ipRows: Array<[string, string, number]> = [];
  rows.forEach((cells, index) => {
    const row = index + 1;
    const [kind, id, detail, n, firstTime, lastTime, services, regions] = cells;
    switch (kind) {
      case 'records':
        s.records += count(n, row);
        break;
      case 'key': {
        const [last, lastEventName = ''] = (lastTime ?? '').split('\t');
        s.keys.set(id!, {
          principalArn: nullable(detail),
          first: time(firstTime, row),
          last: time(last, row),
          events: count(n, row),
          ips: new Map(),
          services: new Set(services ? services.split(',') : []),
          regions: new Set(regions ? regions.split(',') : []),
          lastEventName,
        });
        break;
      }
      case 'ip':
        ipRows.push([id!, detail!, count(n, row)]);
        break;
      case 'role': {
        const [last, by = '', ip = ''] = (lastTime ?? '').split('\t');
        s.roles.set(id!, {
          last: time(last, row),
          by: nullable(by),
          ip: nullable(ip),
          events: count(n, row),
        });
        break;
      }
      case 'login': {
        const successes = count(detail, row);
        s.logins.set(id!, {
          lastSuccess: nullable(lastTime) === null ? null : time(lastTime, row),
          successes,
          failures: count(n, row) - successes,
        });
        break;
      }
      default:
        throw new AwsAccessError(`Athena result row ${row}: unknown kind '${kind}'`, 'BadResult');
    }
  });
  for (const [keyId, ip, n] of ipRows) s.keys.get(keyId)?.ips.set(ip, n);
  const aggregator = createTrailAggregator();
  aggregator.merge(s);
  return aggregator.summary();
}
