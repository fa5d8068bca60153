/**
 * Auditing a credential report: a 5 000-user report (the IAM maximum per account) and a 1 000 000-row
 * organisation-wide export (230 MB, 2 004 accounts). In the same run, on the same file:
 *   - csv-parse alone (the parser credsweep used before) and credsweep's parser alone, reading the file;
 *   - credsweep `audit --report` to JSON and to CSV, as processes (start-up included), peak RSS, with
 *     `--jobs <cores>` (the default for a file this size, up to 4 cores) and `--jobs 1` (outputs compared
 *     byte for byte, ratios printed);
 *   - DuckDB (2 threads, in this process, start-up not counted): read_csv + the password and access-key
 *     rules in SQL, findings written as JSON; its verdicts are checked against credsweep's CSV output.
 * Targets (1M rows): JSON ≤ 5 s, CSV ≤ 6 s, peak RSS ≤ 150 MB; the 5 000-user account ≤ 150 MB;
 * credsweep (JSON) ≤ 0.35 × DuckDB's time. The machine is shared, so each run prints its own ratios;
 * CREDENTIAL_REPORT_BENCH_RUNS=3 repeats the 1M case and prints min / median / max.
 * The reports are generated once (seeded) into CREDSWEEP_BENCH_DATA (default bench/.data) and reused.
 */
import { createReadStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareWithCredsweep, duckDbAudit } from './credential-report-duckdb.ts';
import { writeCredentialReport } from './generate-credential-report.ts';
import { fmt, measureProcess } from './measure.ts';
import type { Benchmark } from './run.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = process.env.CREDSWEEP_BENCH_DATA ?? join(ROOT, 'bench/.data');
const RUNS = Math.max(1, Number(process.env.CREDENTIAL_REPORT_BENCH_RUNS ?? 1));
const CLI = join(ROOT, 'dist/cli/main.js');
const PEAK = join(ROOT, 'bench/report-peak-rss.mjs');
const CPU = join(ROOT, 'bench/report-cpu.mjs');
const PARSE_ONLY = join(ROOT, 'bench/parse-only.mjs');
const AS_OF = '2026-11-01';
const TARGET = { jsonS: 5, csvS: 6, rssMb: 150, accountRssMb: 150, vsDuckDb: 0.35 };
/**
 * csv-parse alone on this file when the issue set the targets (its table: 11.9 s, Node 20). This VM's
 * speed varies by up to 2.2× from hour to hour (csv-parse 11.9-26 s on 2026-12-01), so the targets
 * in seconds are also judged as the same-run ratio the project measures by: a run's seconds × 11.9 s
 * ÷ that run's csv-parse time.
 */
const FILED_CSV_PARSE_S = 11.9;
/** Threads for the threaded audits (`--jobs`): the main thread and one worker per further core. */
const JOBS = Math.min(availableParallelism(), 8);

interface Measured {
  s: number;
  cpuS: number;
  rssMb: number;
}

async function node(args: string[]): Promise<Measured> {
  const m = await measureProcess(process.execPath, ['--import', PEAK, '--import', CPU, ...args]);
  if (m.code !== 0) throw new Error(`${args.join(' ')} failed: ${m.stderr.slice(0, 2000)}`);
  const cpu = /@@cpu_ms (\d+)/.exec(m.stderr);
  return { s: m.wallMs / 1000, cpuS: cpu ? Number(cpu[1]) / 1000 : Number.NaN, rssMb: m.peakRssMb };
}

/** `jobs`: `--jobs N`; undefined: the default (one thread per core for a large file). */
function audit(file: string, format: 'json' | 'csv', output: string, jobs?: number): Promise<Measured> {
  const args = [CLI, 'audit', '--report', file, '--as-of', AS_OF, '--format', format, '--output', output];
  return node(jobs === undefined ? args : [...args, '--jobs', String(jobs)]);
}

/**
 * Whether two outputs are the same bytes, apart from the JSON envelope's generatedAt (its third
 * line, of fixed length): the worker threads' output against one thread's.
 */
async function sameOutput(a: string, b: string): Promise<boolean> {
  if (statSync(a).size !== statSync(b).size) return false;
  const [fa, fb] = [await open(a, 'r'), await open(b, 'r')];
  try {
    const block = 1 << 20;
    const [ba, bb] = [Buffer.alloc(block), Buffer.alloc(block)];
    for (let at = 0; ; at += block) {
      const [ra, rb] = [await fa.read(ba, 0, block, at), await fb.read(bb, 0, block, at)];
      if (ra.bytesRead === 0) return true;
      let [ta, tb] = [ba.subarray(0, ra.bytesRead), bb.subarray(0, rb.bytesRead)];
      if (at === 0) {
        const stamp = /"generatedAt": "[^"]*"/;
        [ta, tb] = [
          Buffer.from(ta.toString('latin1').replace(stamp, ''), 'latin1'),
          Buffer.from(tb.toString('latin1').replace(stamp, ''), 'latin1'),
        ];
      }
      if (!ta.equals(tb)) return false;
    }
  } finally {
    await fa.close();
    await fb.close();
  }
}

/** The seeded report, generated once: a `.partial` file is renamed only when complete. */
async function ensureReport(name: string, rows: number, usersPerAccount: number): Promise<string> {
  const file = join(DATA, name);
  if (existsSync(file)) return file;
  await writeCredentialReport(`${file}.partial`, rows, usersPerAccount);
  renameSync(`${file}.partial`, file);
  return file;
}

function spread(values: number[], digits = 2): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return sorted.length === 1
    ? fmt(median, digits)
    : `${fmt(median, digits)} (${fmt(sorted[0]!, digits)}–${fmt(sorted.at(-1)!, digits)})`;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

async function countLines(file: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
  }
  return lines;
}

/**
 * The JSON output is whole: it ends with its summary, whose counts add up to the findings the CSV
 * output lists, one line each. (A writer that let two chunks overlap once put the summary over a
 * finding; timing alone would not have shown it.)
 */
export async function checkJsonOutput(json: string, csv: string): Promise<string> {
  const size = statSync(json).size;
  const tailSize = Math.min(size, 1 << 20);
  const handle = await open(json, 'r');
  const tail = Buffer.alloc(tailSize);
  await handle.read(tail, 0, tailSize, size - tailSize);
  await handle.close();
  const lines = tail.toString('utf8').split('\n');
  const summaryLine = lines.find((line) => line.startsWith('  "summary": '));
  const csvFindings = (await countLines(csv)) - 1;
  if (!tail.toString('utf8').endsWith('}\n') || !summaryLine)
    return 'JSON output BROKEN: no summary at its end';
  const summary = JSON.parse(summaryLine.slice('  "summary": '.length).replace(/,$/, '')) as Record<
    string,
    number
  >;
  const counted = Object.values(summary).reduce((a, b) => a + b, 0);
  // the envelope's lines around the findings: { schemaVersion generatedAt asOf thresholdDays "findings": [ … ], accounts summary }
  const findingLines = (await countLines(json)) - 10;
  const whole = counted === csvFindings && findingLines === csvFindings;
  return `JSON output ${whole ? 'whole' : 'BROKEN'}: summary counts ${counted.toLocaleString('en-US')}, ${findingLines.toLocaleString('en-US')} finding lines, CSV ${csvFindings.toLocaleString('en-US')} rows`;
}

function verdict(ok: boolean): string {
  return ok ? 'met' : 'NOT met';
}

export const credentialReportBench: Benchmark = {
  name: 'credential-report',
  description: 'audit a 5 000-user and a 1 000 000-row report: credsweep vs csv-parse, its parser, DuckDB',
  async run() {
    mkdirSync(DATA, { recursive: true });
    const small = await ensureReport('report-5k-seed42.csv', 5_000, 4_999);
    const big = await ensureReport('report-1m-seed42.csv', 1_000_000, 499);
    const out = (name: string) => join(DATA, name);
    const asOf = Date.parse(`${AS_OF}T00:00:00Z`);
    console.log(
      `node ${process.version}; 1M-row report ${fmt(statSync(big).size / 1e6)} MB; load average at start ${loadavg()
        .map((l) => fmt(l))
        .join(' ')} on 2 cores shared`,
    );

    const account = await audit(small, 'json', out('out-5k.json'));
    console.log(
      `5 000-user account → JSON: ${fmt(account.s, 2)} s, peak RSS ${fmt(account.rssMb)} MB (target ≤ ${TARGET.accountRssMb} MB: ${verdict(account.rssMb <= TARGET.accountRssMb)})`,
    );

    const runs: Array<Record<'csvParse' | 'parser' | 'json' | 'csv' | 'json1' | 'csv1' | 'duck', Measured>> =
      [];
    const identical: boolean[] = [];
    let comparison: Awaited<ReturnType<typeof compareWithCredsweep>> | undefined;
    for (let i = 0; i < RUNS; i++) {
      const csvParse = await node([PARSE_ONLY, 'csv-parse', big]);
      const parser = await node([PARSE_ONLY, 'credsweep', big]);
      const json = await audit(big, 'json', out('out-1m.json'), JOBS);
      const csv = await audit(big, 'csv', out('out-1m.csv'), JOBS);
      // The same audits on one thread (--jobs 1), in the same run, and their outputs compared.
      const json1 = await audit(big, 'json', out('out-1m-1thread.json'), 1);
      const csv1 = await audit(big, 'csv', out('out-1m-1thread.csv'), 1);
      identical.push(
        (await sameOutput(out('out-1m.json'), out('out-1m-1thread.json'))) &&
          (await sameOutput(out('out-1m.csv'), out('out-1m-1thread.csv'))),
      );
      const started = performance.now();
      const cpuStart = process.cpuUsage();
      const duckRun = await duckDbAudit(big, out('out-1m-duckdb.json'), asOf, 90);
      const cpu = process.cpuUsage(cpuStart);
      const duck = {
        s: (performance.now() - started) / 1000,
        cpuS: (cpu.user + cpu.system) / 1e6,
        rssMb: process.resourceUsage().maxRSS / 1024,
      };
      if (i === RUNS - 1) comparison = await compareWithCredsweep(duckRun, out('out-1m.csv'));
      else duckRun.db.closeSync();
      runs.push({ csvParse, parser, json, csv, json1, csv1, duck });
      console.log(
        `run ${i + 1}: csv-parse ${fmt(csvParse.s, 2)} s | credsweep parser ${fmt(parser.s, 2)} s (${fmt(parser.s / csvParse.s, 2)}× csv-parse) | ` +
          `--jobs ${JOBS}: audit→JSON ${fmt(json.s, 2)} s, ${fmt(json.rssMb)} MB (${fmt(json.s / duck.s, 2)}× DuckDB) | ` +
          `audit→CSV ${fmt(csv.s, 2)} s, ${fmt(csv.rssMb)} MB (${fmt(csv.s / duck.s, 2)}× DuckDB) | ` +
          `--jobs 1: JSON ${fmt(json1.s, 2)} s, CSV ${fmt(csv1.s, 2)} s | DuckDB ${fmt(duck.s, 2)} s | load ${fmt(loadavg()[0]!)}`,
      );
    }

    const col = (key: keyof (typeof runs)[number], field: keyof Measured) => runs.map((r) => r[key][field]);
    console.log(`\n${RUNS} run(s); median (min–max):`);
    console.log(`${''.padEnd(34)}${'wall s'.padStart(22)}${'CPU s'.padStart(22)}  peak RSS MB`);
    for (const [label, key] of [
      ['csv-parse alone', 'csvParse'],
      ['credsweep parser alone', 'parser'],
      [`credsweep audit --jobs ${JOBS} → JSON`, 'json'],
      [`credsweep audit --jobs ${JOBS} → CSV`, 'csv'],
      ['  --jobs 1 → JSON', 'json1'],
      ['  --jobs 1 → CSV', 'csv1'],
      ['DuckDB read_csv + rules → JSON', 'duck'],
    ] as const) {
      console.log(
        `${label.padEnd(34)}${spread(col(key, 's')).padStart(22)}${spread(col(key, 'cpuS')).padStart(22)}  ${key === 'duck' ? '(in process)' : spread(col(key, 'rssMb'), 0)}`,
      );
    }
    const ratio = (a: keyof (typeof runs)[number], b: keyof (typeof runs)[number]) =>
      runs.map((r) => r[a].s / r[b].s);
    const jsonVsDuck = ratio('json', 'duck');
    console.log(
      `ratios within each run: parser/csv-parse ${spread(ratio('parser', 'csvParse'))}, JSON/DuckDB ${spread(jsonVsDuck)}, CSV/DuckDB ${spread(ratio('csv', 'duck'))}, JSON/parser ${spread(ratio('json', 'parser'))}`,
    );
    const cpuRatio = (a: keyof (typeof runs)[number], b: keyof (typeof runs)[number]) =>
      runs.map((r) => r[a].cpuS / r[b].cpuS);
    console.log(
      `--jobs ${JOBS} vs one thread, within each run: JSON wall ${spread(ratio('json', 'json1'))}× CPU ${spread(cpuRatio('json', 'json1'))}×; CSV wall ${spread(ratio('csv', 'csv1'))}× CPU ${spread(cpuRatio('csv', 'csv1'))}×; ` +
        `outputs ${identical.every(Boolean) ? 'byte-identical (JSON apart from generatedAt)' : 'DIFFER'}`,
    );
    console.log(await checkJsonOutput(out('out-1m.json'), out('out-1m.csv')));
    if (comparison) {
      const agree = comparison.differ === 0 && comparison.onlyDuckDb === 0 && comparison.onlyCredsweep === 0;
      console.log(
        `verdicts: ${comparison.compared.toLocaleString('en-US')} password and access-key findings compared, ${comparison.differ} differ, ${comparison.onlyDuckDb} only in DuckDB, ${comparison.onlyCredsweep} only in credsweep: ${agree ? 'DuckDB and credsweep agree' : 'DISAGREE'}`,
      );
    }
    const rss = Math.max(
      ...col('json', 'rssMb'),
      ...col('csv', 'rssMb'),
      ...col('json1', 'rssMb'),
      ...col('csv1', 'rssMb'),
    );
    console.log(
      `targets: JSON ≤ ${TARGET.jsonS} s ${verdict(median(col('json', 's')) <= TARGET.jsonS)}; CSV ≤ ${TARGET.csvS} s ${verdict(median(col('csv', 's')) <= TARGET.csvS)}; ` +
        `peak RSS ≤ ${TARGET.rssMb} MB ${verdict(rss <= TARGET.rssMb)} (${fmt(rss)}); 5 000-user account ≤ ${TARGET.accountRssMb} MB ${verdict(account.rssMb <= TARGET.accountRssMb)}; ` +
        `JSON ≤ ${TARGET.vsDuckDb} × DuckDB ${verdict(median(jsonVsDuck) <= TARGET.vsDuckDb)} (${fmt(median(jsonVsDuck), 2)}×)`,
    );
    const scaled = (key: 'json' | 'csv') => runs.map((r) => (r[key].s * FILED_CSV_PARSE_S) / r.csvParse.s);
    console.log(
      `targets at the speed the issue was filed at (each run × ${FILED_CSV_PARSE_S} s ÷ its csv-parse time; the issue measured on Node 20): ` +
        `JSON ${spread(scaled('json'))} s ≤ ${TARGET.jsonS} s ${verdict(median(scaled('json')) <= TARGET.jsonS)}; ` +
        `CSV ${spread(scaled('csv'))} s ≤ ${TARGET.csvS} s ${verdict(median(scaled('csv')) <= TARGET.csvS)}`,
    );
  },
};
