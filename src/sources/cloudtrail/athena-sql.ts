/**
 * The SQL credsweep sends to Athena, built from validated parts only (identifiers and dates are
 * checked here, so nothing from the command line is pasted into SQL unchecked):
 * - `athenaTrailDdl`: CREATE EXTERNAL TABLE with partition projection over a trail bucket, for one
 *   account or an organisation trail (docs/aws-behaviour.md §4.1 layout, §4.6 DDL).
 * - `athenaAggregationSql`: the trail aggregation of aggregate.ts as one query, one row per
 *   (kind, key); athena.ts folds the rows back into a TrailSummary.
 */
import { UsageError } from '../../errors.ts';
import { type EpochMs, MS_PER_DAY } from '../../time.ts';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX = /^[A-Za-z0-9!_.*()/-]*$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Commercial Regions CloudTrail can deliver from; `--regions` narrows or extends it. */
export const DEFAULT_TRAIL_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
] as const;

function check(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new UsageError(`${what}: '${value}' is not valid`);
  return value;
}

/** A Region name as `--region`/`--regions` take it. */
export function checkRegionName(region: string, flag = '--region'): string {
  return check(region, REGION, flag);
}

/** `table` or `database.table`, each part a plain identifier. */
export function checkTableName(name: string, flag = '--athena'): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) {
    throw new UsageError(
      `${flag}: '${name}' is not a table name (letters, digits, _; optionally database.table)`,
    );
  }
  return name;
}

export function checkDatabaseName(name: string): string {
  return check(name, IDENTIFIER, '--athena-database');
}

/** Partition projection's date format for the `timestamp` partition (the delivery date in the key). */
export function projectionDate(ms: EpochMs): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll('-', '/');
}

export interface TrailDdlOptions {
  bucket: string;
  prefix?: string;
  /** For an organisation trail: `AWSLogs/<org-id>/<account>/…`. */
  orgId?: string;
  accounts: readonly string[];
  regions?: readonly string[];
  table?: string;
  /** First day partition projection covers (default 2015/01/01). */
  since?: EpochMs;
}

/**
 * The columns are the Athena user guide's CloudTrail table (ATH-UG:cloudtrail-logs.md, 2023), with
 * the partitions `account`, `region`, `timestamp` projected so no MSCK REPAIR or crawler is needed.
 * `enum` projection keeps the account and Region lists in the table metadata (keep them to a few
 * dozen values each: table metadata is capped near 1 MB, docs/aws-behaviour.md §4.6).
 */
export function athenaTrailDdl(options: TrailDdlOptions): string {
  const bucket = check(options.bucket, BUCKET, '--bucket');
  const prefix = check((options.prefix ?? '').replace(/^\/+|\/+$/g, ''), PREFIX, '--prefix');
  const org = options.orgId === undefined ? undefined : check(options.orgId, ORG_ID, '--org-id');
  if (options.accounts.length === 0) {
    throw new UsageError('--accounts: give the account ids whose logs the bucket holds (comma-separated)');
  }
  const accounts = options.accounts.map((a) => check(a, ACCOUNT, '--accounts'));
  const regions = (options.regions ?? DEFAULT_TRAIL_REGIONS).map((r) => check(r, REGION, '--regions'));
  const table = checkTableName(options.table ?? 'cloudtrail_logs', '--table');
  const base = `s3://${bucket}/${prefix ? `${prefix}/` : ''}AWSLogs/${org ? `${org}/` : ''}`;
  const start = projectionDate(options.since ?? Date.UTC(2015, 0, 1));
  return `CREATE EXTERNAL TABLE IF NOT EXISTS ${table} (
  eventVersion STRING,
  userIdentity STRUCT<
    type: STRING, principalId: STRING, arn: STRING, accountId: STRING,
    invokedBy: STRING, accessKeyId: STRING, userName: STRING,
    sessionContext: STRUCT<
      attributes: STRUCT<mfaAuthenticated: STRING, creationDate: STRING>,
      sessionIssuer: STRUCT<type: STRING, principalId: STRING, arn: STRING, accountId: STRING, userName: STRING>,
      ec2RoleDelivery: STRING,
      webIdFederationData: MAP<STRING, STRING>>>,
  eventTime STRING,
  eventSource STRING,
  eventName STRING,
  awsRegion STRING,
  sourceIpAddress STRING,
  userAgent STRING,
  errorCode STRING,
  errorMessage STRING,
  requestParameters STRING,
  responseElements STRING,
  additionalEventData STRING,
  requestId STRING,
  eventId STRING,
  readOnly STRING,
  resources ARRAY<STRUCT<arn: STRING, accountId: STRING, type: STRING>>,
  eventType STRING,
  apiVersion STRING,
  recipientAccountId STRING,
  serviceEventDetails STRING,
  sharedEventID STRING,
  vpcEndpointId STRING,
  tlsDetails STRUCT<tlsVersion: STRING, cipherSuite: STRING, clientProvidedHostHeader: STRING>)
PARTITIONED BY (account STRING, region STRING, \`timestamp\` STRING)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION '${base}'
TBLPROPERTIES (
  'projection.enabled'='true',
  'projection.account.type'='enum',
  'projection.account.values'='${accounts.join(',')}',
  'projection.region.type'='enum',
  'projection.region.values'='${regions.join(',')}',
  'projection.timestamp.type'='date',
  'projection.timestamp.format'='yyyy/MM/dd',
  'projection.timestamp.range'='${start},NOW',
  'projection.timestamp.interval'='1',
  'projection.timestamp.interval.unit'='DAYS',
  'storage.location.template'='${base}\${account}/CloudTrail/\${region}/\${timestamp}');
`;
}

export interface AggregationSqlOptions {
  table: string;
  includeTemporary?: boolean;
  /** Inclusive lower bound on eventTime. */
  since?: EpochMs;
  /** Exclusive upper bound on eventTime. */
  until?: EpochMs;
  /**
   * Prune on the `timestamp` partition of the table --athena-ddl creates (default true). The path
   * date is the *delivery* date, and a file can hold records from before it (docs/aws-behaviour.md §4.1):
   * the lower bound is exact (delivery is never before the event), the upper bound is widened a day.
   */
  partitionPruning?: boolean;
}

/** The result columns, in order; the first row of Athena's first page repeats them. */
export const AGGREGATION_COLUMNS = [
  'kind',
  'id',
  'detail',
  'n',
  'first_time',
  'last_time',
  'services',
  'regions',
] as const;

function isoLiteral(ms: EpochMs): string {
  return new Date(ms).toISOString();
}

/**
 * One query, one row per aggregate: `records` (the count), `key` (per access key), `ip` (per key and
 * source IP, so top-5 and distinct counts are computed exactly as aggregate.ts does), `role` (per
 * assumed role) and `login` (per console principal). "Last" values are the max of `eventtime TAB x`,
 * the same tie-break as aggregate.ts (CloudTrail writes eventTime in one fixed-width format,
 * docs/aws-behaviour.md §4.2, so the text order is the time order).
 */
export function athenaAggregationSql(options: AggregationSqlOptions): string {
  const table = checkTableName(options.table);
  const where: string[] = [];
  if (options.partitionPruning ?? true) {
    if (options.since !== undefined) where.push(`"timestamp" >= '${projectionDate(options.since)}'`);
    if (options.until !== undefined)
      where.push(`"timestamp" <= '${projectionDate(options.until + MS_PER_DAY)}'`);
  }
  if (options.since !== undefined) {
    where.push(
      `try(from_iso8601_timestamp(eventtime)) >= from_iso8601_timestamp('${isoLiteral(options.since)}')`,
    );
  }
  if (options.until !== undefined) {
    where.push(
      `try(from_iso8601_timestamp(eventtime)) < from_iso8601_timestamp('${isoLiteral(options.until)}')`,
    );
  }
  // long-term keys and SSH public keys (CodeCommit over SSH, aggregate.ts), and temporary keys if asked
  const keyFilter = options.includeTemporary
    ? `(access_key_id LIKE 'AKIA%' OR access_key_id LIKE 'APKA%' OR access_key_id LIKE 'ASIA%')`
    : `(access_key_id LIKE 'AKIA%' OR access_key_id LIKE 'APKA%')`;
  const success = `json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success'`;
  const roleArn = `json_extract_scalar(requestparameters, '$.roleArn')`;
  return `WITH e AS (
  SELECT eventtime, eventsource, eventname, awsregion, sourceipaddress, errorcode,
         useridentity.arn AS identity_arn, useridentity.accesskeyid AS access_key_id,
         useridentity.principalid AS principal_id, useridentity.invokedby AS invoked_by,
         requestparameters, responseelements
  FROM ${table}${where.length ? `\n  WHERE ${where.join('\n    AND ')}` : ''}
)
SELECT 'records' AS kind, CAST(NULL AS varchar) AS id, CAST(NULL AS varchar) AS detail,
       CAST(count(*) AS varchar) AS n, CAST(NULL AS varchar) AS first_time, CAST(NULL AS varchar) AS last_time,
       CAST(NULL AS varchar) AS services, CAST(NULL AS varchar) AS regions
FROM e
UNION ALL
SELECT 'key', access_key_id, max(identity_arn), CAST(count(*) AS varchar), min(eventtime),
       max(eventtime || chr(9) || coalesce(eventname, '')),
       array_join(array_sort(array_agg(DISTINCT eventsource)), ','),
       array_join(array_sort(array_agg(DISTINCT awsregion)), ',')
FROM e WHERE ${keyFilter} AND eventtime IS NOT NULL
GROUP BY access_key_id
UNION ALL
SELECT 'ip', access_key_id, sourceipaddress, CAST(count(*) AS varchar), NULL, NULL, NULL, NULL
FROM e WHERE ${keyFilter} AND eventtime IS NOT NULL AND sourceipaddress IS NOT NULL
GROUP BY access_key_id, sourceipaddress
UNION ALL
SELECT 'role', ${roleArn}, NULL, CAST(count(*) AS varchar), NULL,
       max(eventtime || chr(9) || coalesce(identity_arn, invoked_by, principal_id, '') || chr(9) || coalesce(sourceipaddress, '')),
       NULL, NULL
FROM e WHERE errorcode IS NULL AND eventtime IS NOT NULL
  AND eventname IN ('AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity')
  AND ${roleArn} IS NOT NULL
GROUP BY ${roleArn}
UNION ALL
SELECT 'login', identity_arn, CAST(count_if(${success}) AS varchar), CAST(count(*) AS varchar), NULL,
       max(CASE WHEN ${success} THEN eventtime END), NULL, NULL
FROM e WHERE eventname = 'ConsoleLogin' AND identity_arn IS NOT NULL AND eventtime IS NOT NULL
GROUP BY identity_arn`;
}
