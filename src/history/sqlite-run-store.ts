/**
 * The embedded history store: one SQLite file, run through sql.js (SQLite compiled to WebAssembly, no
 * native build). The whole database is loaded into memory, changed, and written back atomically (a
 * temporary file renamed over the old one), under an exclusive lock file so two runs cannot lose each
 * other's writes. Runs a retention removes go in the same write, and the file is compacted (VACUUM).
 */
import { realpath, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import initSqlJs, { type Database, type SqlValue } from 'sql.js';
import { InputError, isCredsweepError } from '../errors.ts';
import { formatBytes, MIB, readWholeFile } from '../files/read-whole.ts';
import { writeFileSafely } from '../files/safe-write.ts';
import { requireWritable } from '../files/target.ts';
import type { AccountResult, AuditReport, Finding } from '../model/finding.ts';
import { acquireLock } from '../files/pid-lock.ts';
import type { EpochMs } from '../time.ts';
import { type Retention, runsPastRetention } from './retention.ts';
import { readStoredJson } from './stored-json.ts';
import type { PruneOutcome, RunStore, RunSummary, SavedRun, StoredRun } from './run-store.ts';

const SCHEMA_VERSION = 1;

/**
 * `PRAGMA application_id` of a credsweep history database: 0x43725377, "CrSw" in ASCII (SQLite's
 * file header offset 68, for `file(1)` and other tools to tell what the file is). Set when the file
 * is created; a database with another id is another application's and is never written to.
 */
export const HISTORY_APPLICATION_ID = 0x43725377;

const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_at TEXT NOT NULL,
  as_of TEXT NOT NULL,
  threshold_days INTEGER NOT NULL,
  accounts TEXT NOT NULL,
  summary TEXT NOT NULL,
  finding_count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS findings (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  account_id TEXT NOT NULL,
  arn TEXT NOT NULL,
  credential TEXT NOT NULL,
  status TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS findings_by_run ON findings(run_id);
`;

/**
 * sql.js holds the whole database in memory, as read and again as written back (its export): past
 * 1 GiB a run would need several GB. A write that would pass it is refused, so that every file this
 * store wrote can be read again (and pruned).
 */
export const MAX_DATABASE_BYTES = 1024 * MIB;

/**
 * The database is at its cap: past it when opened (written by an older credsweep, which did not
 * refuse), or this write would take it past. Nothing is written; the audit's report is unaffected.
 */
export class HistoryFullError extends InputError {}

const FULL_HINT =
  'keep fewer runs (--keep-runs N, --keep-days N, or credsweep history prune), or give --db a new file';

const DAMAGED_HINT = 'restore it from a backup, or give --db a new file';

/**
 * What SQLite or a stored JSON text says past the checks at open (sql.js throws a plain Error:
 * `database disk image is malformed` for a page damaged on disk, `no such column` for a table edited
 * by hand): the file is damaged, which is one line naming it, never a stack trace. Anything else
 * (credsweep's own errors, a TypeError: a bug) goes on as it is.
 */
function damaged(e: unknown, path: string): unknown {
  if (isCredsweepError(e) || !(e instanceof Error)) return e;
  if (e.constructor !== Error && !(e instanceof SyntaxError)) return e;
  return new InputError(`the history database is damaged (${e.message})`, path, undefined, DAMAGED_HINT);
}

export interface SqliteRunStoreOptions {
  /** The largest file read or written (default MAX_DATABASE_BYTES; tests give a small one). */
  maxBytes?: number;
}

type SqlJs = Awaited<ReturnType<typeof initSqlJs>>;
let sqlJs: Promise<SqlJs> | undefined;

function loadSqlJs(): Promise<SqlJs> {
  // The wasm file sits next to sql.js's entry point in node_modules.
  const wasmDir = dirname(createRequire(import.meta.url).resolve('sql.js'));
  sqlJs ??= initSqlJs({ locateFile: (name: string) => `${wasmDir}/${name}` });
  return sqlJs;
}

/** Opens (or creates) the history file. Reads see the file as it was when opened. */
export async function openSqliteRunStore(
  path: string,
  options: SqliteRunStoreOptions = {},
): Promise<RunStore> {
  const maxBytes = options.maxBytes ?? MAX_DATABASE_BYTES;
  return new SqliteRunStore((await loadDatabase(path, maxBytes)).db, path, maxBytes);
}

async function loadDatabase(path: string, maxBytes: number): Promise<{ db: Database; bytes: number }> {
  const SQL = await loadSqlJs();
  const size = await stat(path).then(
    (s) => (s.isFile() ? s.size : 0),
    () => 0,
  );
  if (size > maxBytes) {
    throw new HistoryFullError(
      `${formatBytes(size)}: larger than the ${formatBytes(maxBytes)} credsweep reads whole`,
      path,
      undefined,
      'give --db a new file, and --keep-runs N or --keep-days N to keep it under the cap',
    );
  }
  // Only a regular file: the database is written back over what was read (a temporary file renamed
  // onto it), which a device or FIFO cannot be (--db /dev/null said "stored" and kept nothing).
  const bytes = await readWholeFile(path, { maxBytes, regularOnly: true, tooLargeHint: FULL_HINT });
  try {
    const db = bytes ? new SQL.Database(bytes) : new SQL.Database();
    const version = checkOwnDatabase(db, path);
    db.exec(DDL);
    // Also set on a database of an older credsweep that did not set it (with its next run).
    db.exec(`PRAGMA application_id = ${HISTORY_APPLICATION_ID}`);
    if (version === undefined)
      db.run(`INSERT INTO meta VALUES ('schemaVersion', ?)`, [String(SCHEMA_VERSION)]);
    else if (Number(version) > SCHEMA_VERSION) {
      throw new InputError(`written by a newer credsweep (history schema ${version})`, path);
    }
    return { db, bytes: bytes?.length ?? 0 };
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`not a credsweep history database (${(e as Error).message})`, path);
  }
}

/**
 * The schema version of a credsweep database, undefined for an empty one (new, or a 0-byte file).
 * Any other database is refused before a table is added: sql.js writes the whole file back, so
 * `audit --db app.db` would have rewritten another application's database with credsweep's tables.
 */
function checkOwnDatabase(db: Database, path: string): string | undefined {
  const applicationId = Number(db.exec('PRAGMA application_id')[0]?.values[0]?.[0] ?? 0);
  if (applicationId !== 0 && applicationId !== HISTORY_APPLICATION_ID) {
    throw new InputError(
      `not a credsweep history database (another application's: application_id 0x${(applicationId >>> 0).toString(16)})`,
      path,
    );
  }
  const tables = (db.exec(`SELECT name FROM sqlite_master WHERE type = 'table'`)[0]?.values ?? []).map((r) =>
    String(r[0]),
  );
  if (tables.length === 0) return undefined;
  const version = tables.includes('meta')
    ? db.exec(`SELECT value FROM meta WHERE key = 'schemaVersion'`)[0]?.values[0]?.[0]
    : undefined;
  if (version === undefined || version === null) {
    // (the tables' names are not shown: another application's names are no text of ours to print)
    throw new InputError(
      `not a credsweep history database (another application's: ${tables.length} table(s), no credsweep schema version)`,
      path,
      undefined,
      'give --db a new file or one credsweep audit --db wrote',
    );
  }
  return String(version);
}

class SqliteRunStore implements RunStore {
  constructor(
    private db: Database,
    private readonly path: string,
    private readonly maxBytes: number,
  ) {}

  /**
   * Under the lock: re-reads the file (another run may have written since we opened it), appends the
   * run, removes the runs past the retention, and writes the whole database to a temporary file
   * renamed over the old one: one write, so the run is stored and the old ones removed, or neither.
   */
  async saveRun(report: AuditReport, retention?: Retention): Promise<SavedRun> {
    let id = 0;
    const { removed } = await this.rewrite((db) => {
      id = insertRun(db, report);
      const removed = retention
        ? runsPastRetention(runTimes(db), retention, Date.parse(report.generatedAt))
        : [];
      deleteRuns(db, removed);
      return removed;
    });
    return { ...summaries(this.db, id)[0]!, removed };
  }

  async pruneRuns(retention: Retention, now: EpochMs): Promise<PruneOutcome> {
    let kept = 0;
    const { removed, bytesBefore, bytesAfter } = await this.rewrite((db) => {
      const runs = runTimes(db);
      const removed = runsPastRetention(runs, retention, now);
      kept = runs.length - removed.length;
      if (removed.length === 0) return undefined;
      deleteRuns(db, removed);
      return removed;
    });
    return { removed, kept, bytesBefore, bytesAfter };
  }

  /**
   * Under the lock: the file re-read, `change` made in one transaction (it returns the runs it
   * removed; undefined: nothing to write), and the file written back whole, compacted when runs were
   * removed (SQLite only marks their pages free). A write past the cap is refused and the file left
   * as it was; reads then still see the database as it was opened.
   */
  private async rewrite(
    change: (db: Database) => number[] | undefined,
  ): Promise<{ removed: number[]; bytesBefore: number; bytesAfter: number }> {
    return this.locked(async () => {
      const { db, bytes: bytesBefore } = await loadDatabase(this.path, this.maxBytes);
      try {
        db.run('BEGIN');
        let removed: number[] | undefined;
        try {
          removed = change(db);
          db.run('COMMIT');
        } catch (e) {
          // (SQLite may have rolled back already: the change's own error is the one to report)
          try {
            db.run('ROLLBACK');
          } catch {}
          throw e;
        }
        let bytesAfter = bytesBefore;
        if (removed !== undefined) {
          // (refused here, before the VACUUM, with what to do about a read-only history)
          await requireWritable(
            this.path,
            this.path,
            'make it writable (chmod u+w) to store runs in it or prune it, or give --db another file',
          );
          // (VACUUM cannot run inside a transaction)
          if (removed.length > 0) db.exec('VACUUM');
          const bytes = db.export();
          if (bytes.length > this.maxBytes) {
            throw new HistoryFullError(
              `the database would be ${formatBytes(bytes.length)}, larger than the ${formatBytes(this.maxBytes)} credsweep reads whole`,
              this.path,
              undefined,
              FULL_HINT,
            );
          }
          // A temporary file beside it (O_EXCL, 0600, removed on any exit) renamed over it; the file keeps its mode.
          await writeFileSafely(this.path, bytes);
          bytesAfter = bytes.length;
        }
        this.db.close();
        this.db = db;
        return { removed: removed ?? [], bytesBefore, bytesAfter };
      } catch (e) {
        db.close();
        throw damaged(e, this.path);
      }
    });
  }

  async listRuns(): Promise<RunSummary[]> {
    return this.reading(() => summaries(this.db));
  }

  async loadRun(id: number): Promise<StoredRun | undefined> {
    return this.reading(() => {
      const [summary] = summaries(this.db, id);
      if (!summary) return undefined;
      const rows =
        this.db.exec('SELECT body FROM findings WHERE run_id = ? ORDER BY rowid', [id])[0]?.values ?? [];
      const findings = rows.map(
        (r, i) => readStoredJson(r[0], 'finding', `run ${id}, finding ${i + 1}`) as Finding,
      );
      return { ...summary, findings };
    });
  }

  /** A read of the database as opened; a damaged one is one line (damaged()). */
  private reading<T>(read: () => T): T {
    try {
      return read();
    } catch (e) {
      throw damaged(e, this.path);
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }

  /**
   * The shared lock file (src/files/pid-lock.ts, the journal's): it holds the writer's pid, so a
   * lock left by a run that was killed or interrupted (Ctrl-C while it wrote: the signal ends the
   * process before any finally) is taken over, where an empty lock file refused every later audit
   * until someone removed it by hand. It sits beside the file itself, a symbolic link followed (as
   * the write follows it): `--db link.db` and `--db real.db` are one database, and two runs locking
   * link.db.lock and real.db.lock could each write back what they read, one losing the other's run.
   */
  private async locked<T>(work: () => Promise<T>): Promise<T> {
    const file = await realpath(this.path).catch(() => this.path);
    const lock = acquireLock(`${file}.lock`, `the history database ${this.path}`, {
      file: this.path,
      what: 'cannot lock the history database',
    });
    try {
      return await work();
    } finally {
      lock.release();
    }
  }
}

/** Appends the run (inside the caller's transaction) and returns its id. */
function insertRun(db: Database, report: AuditReport): number {
  db.run(
    'INSERT INTO runs (run_at, as_of, threshold_days, accounts, summary, finding_count) VALUES (?, ?, ?, ?, ?, ?)',
    [
      report.generatedAt,
      report.asOf,
      report.thresholdDays,
      JSON.stringify(report.accounts),
      JSON.stringify(report.summary),
      report.findings.length,
    ],
  );
  const id = Number(db.exec('SELECT last_insert_rowid()')[0]!.values[0]![0]);
  const insert = db.prepare(
    'INSERT INTO findings (run_id, account_id, arn, credential, status, body) VALUES (?, ?, ?, ?, ?, ?)',
  );
  try {
    for (const f of report.findings) {
      insert.run([id, f.accountId, f.arn, f.credential, f.status, JSON.stringify(f)]);
    }
  } finally {
    insert.free();
  }
  return id;
}

/** Whole runs: their findings, then the run (inside the caller's transaction). */
function deleteRuns(db: Database, ids: readonly number[]): void {
  for (const sql of ['DELETE FROM findings WHERE run_id = ?', 'DELETE FROM runs WHERE id = ?']) {
    const statement = db.prepare(sql);
    try {
      for (const id of ids) statement.run([id]);
    } finally {
      statement.free();
    }
  }
}

/** Every run's id and time, what a retention judges by. */
function runTimes(db: Database): { id: number; runAt: string }[] {
  const rows = db.exec('SELECT id, run_at FROM runs ORDER BY id')[0]?.values ?? [];
  return rows.map((r) => ({ id: Number(r[0]), runAt: String(r[1]) }));
}

function summaries(db: Database, id?: number): RunSummary[] {
  const where = id === undefined ? '' : 'WHERE id = ?';
  const params: SqlValue[] = id === undefined ? [] : [id];
  const rows =
    db.exec(
      `SELECT id, run_at, as_of, threshold_days, accounts, summary, finding_count FROM runs ${where} ORDER BY id`,
      params,
    )[0]?.values ?? [];
  return rows.map((r) => ({
    id: Number(r[0]),
    runAt: String(r[1]),
    asOf: String(r[2]),
    thresholdDays: Number(r[3]),
    accounts: readStoredJson(r[4], 'accounts', `run ${r[0]}, its accounts`) as AccountResult[],
    summary: readStoredJson(r[5], 'summary', `run ${r[0]}, its summary`) as Record<string, number>,
    findingCount: Number(r[6]),
  }));
}
