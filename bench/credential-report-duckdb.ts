/**
 * The credential-report benchmark's outside baseline: DuckDB (2 threads, the machine's cores) reads
 * the report with read_csv and applies credsweep's password and access-key rules in SQL, writing the
 * findings as JSON; and the check that its verdicts and credsweep's agree for those credentials.
 * The rules as in src/rules/password-unused.ts and access-key-unused.ts: a password exists unless
 * password_enabled is false; a key slot exists when active or ever rotated; the last activity is the
 * first known of last used, last changed/rotated, created (a password's change when later than its
 * last use); an inactive key is `inactive`, else
 * `unused` at threshold days or more (an activity after the as-of date never is), else `in_use`. (AWS writes every date in UTC: `+00:00`.)
 */
import { DuckDBInstance } from '@duckdb/node-api';

const DAY_MS = 86_400_000;

function sqlText(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function findingsSql(report: string, asOf: number, thresholdDays: number): string {
  const date = (column: string) =>
    `CASE WHEN lower(coalesce(${column}, '')) IN ('n/a', 'no_information', 'not_supported', '') THEN NULL
      ELSE epoch_ms(CAST(replace(left(${column}, 19), 'T', ' ') AS TIMESTAMP)) END`;
  const key = (slot: 1 | 2) => `
    SELECT account_id, name, arn, 'access_key_${slot}' AS credential, k${slot}_active AS active,
      coalesce(k${slot}_used, k${slot}_rotated, created) AS activity, k${slot}_used IS NULL AS never_used
    FROM r WHERE k${slot}_active OR k${slot}_rotated IS NOT NULL`;
  return `
    WITH r AS (
      SELECT "user" AS name, arn, split_part(arn, ':', 5) AS account_id,
        ${date('user_creation_time')} AS created,
        lower(password_enabled) AS password_enabled,
        ${date('password_last_used')} AS password_used, ${date('password_last_changed')} AS password_changed,
        lower(access_key_1_active) = 'true' AS k1_active,
        ${date('access_key_1_last_rotated')} AS k1_rotated, ${date('access_key_1_last_used_date')} AS k1_used,
        lower(access_key_2_active) = 'true' AS k2_active,
        ${date('access_key_2_last_rotated')} AS k2_rotated, ${date('access_key_2_last_used_date')} AS k2_used
      FROM read_csv(${sqlText(report)}, header = true, all_varchar = true, delim = ',', quote = '"')
    ),
    c AS (
      SELECT account_id, name, arn, 'password' AS credential, NULL::BOOLEAN AS active,
        CASE WHEN password_changed > password_used OR password_used IS NULL
          THEN coalesce(password_changed, created) ELSE password_used END AS activity,
        password_used IS NULL AS never_used
      FROM r WHERE password_enabled <> 'false'
      UNION ALL ${key(1)}
      UNION ALL ${key(2)}
    )
    SELECT account_id AS accountId, name AS principalName, arn, credential,
      CASE WHEN active = false THEN 'inactive'
        WHEN activity <= ${asOf} AND floor((${asOf} - activity) / ${DAY_MS}) >= ${thresholdDays} THEN 'unused' ELSE 'in_use' END AS status,
      make_timestamp(activity * 1000) AS lastActivity,
      floor((${asOf} - activity) / ${DAY_MS})::INTEGER AS ageDays, never_used AS neverUsed
    FROM c`;
}

export interface DuckDbRun {
  findings: number;
  /** Holds the findings table; `compareWithCredsweep` closes it. */
  db: DuckDBInstance;
}

/** Audits `report` in DuckDB; keeps the findings table for the comparison. */
export async function duckDbAudit(
  report: string,
  output: string,
  asOf: number,
  thresholdDays: number,
): Promise<DuckDbRun> {
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await db.connect();
  try {
    await conn.run(`CREATE TABLE f AS ${findingsSql(report, asOf, thresholdDays)}`);
    await conn.run(`COPY f TO ${sqlText(output)} (FORMAT json)`);
    const count = (await conn.runAndReadAll('SELECT count(*) AS n FROM f')).getRowObjectsJS()[0]!;
    return { findings: Number(count.n), db };
  } finally {
    conn.closeSync();
  }
}

export interface VerdictComparison {
  compared: number;
  differ: number;
  onlyDuckDb: number;
  onlyCredsweep: number;
}

/** Joins DuckDB's findings with credsweep's CSV output on (arn, credential) for the credentials both cover. */
export async function compareWithCredsweep(run: DuckDbRun, credsweepCsv: string): Promise<VerdictComparison> {
  const conn = await run.db.connect();
  try {
    const row = (
      await conn.runAndReadAll(`
        WITH cs AS (
          SELECT arn, credential, status FROM read_csv(${sqlText(credsweepCsv)}, header = true, all_varchar = true)
          WHERE credential IN ('password', 'access_key_1', 'access_key_2')
        )
        SELECT count(*) FILTER (WHERE f.arn IS NOT NULL AND cs.arn IS NOT NULL) AS compared,
          count(*) FILTER (WHERE f.status <> cs.status) AS differ,
          count(*) FILTER (WHERE cs.arn IS NULL) AS only_duckdb,
          count(*) FILTER (WHERE f.arn IS NULL) AS only_credsweep
        FROM f FULL OUTER JOIN cs ON f.arn = cs.arn AND f.credential = cs.credential`)
    ).getRowObjectsJS()[0]!;
    return {
      compared: Number(row.compared),
      differ: Number(row.differ),
      onlyDuckDb: Number(row.only_duckdb),
      onlyCredsweep: Number(row.only_credsweep),
    };
  } finally {
    conn.closeSync();
    run.db.closeSync();
  }
}
