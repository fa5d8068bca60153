/**
 * Auditing a credential report: a 5 000-user report (the IAM maximum per account) and a 1 000 000-row
 * organisation-wide export. Baseline measured in the same run: csv-parse alone reading the same file
 * (the floor for any CSV-based audit). Memory must stay flat: peak RSS of the 1M-row audit against the
 * 5 000-row one.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, measureProcess } from './measure.ts';
import type { Benchmark } from './run.ts';
import { writeCredentialReport } from './generate-credential-report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = join(ROOT, 'bench/.data');
const CLI = join(ROOT, 'dist/cli/main.js');
const PEAK = join(ROOT, 'bench/report-peak-rss.mjs');
const PARSE_ONLY = join(ROOT, 'bench/parse-only.mjs');

export const credentialReportBench: Benchmark = {
  name: 'credential-report',
  description: 'audit a 5 000-user and a 1 000 000-row credential report (streamed)',
  async run() {
    mkdirSync(DATA, { recursive: true });
    const cases = [
      { label: '5 000 users', rows: 5_000, perAccount: 4_999, file: join(DATA, 'report-5k.csv') },
      { label: '1 000 000 rows', rows: 1_000_000, perAccount: 499, file: join(DATA, 'report-1m.csv') },
    ];
    const results: Array<{
      label: string;
      rows: number;
      auditMs: number;
      parseMs: number;
      rss: number;
      parseRss: number;
    }> = [];
    for (const c of cases) {
      await writeCredentialReport(c.file, c.rows, c.perAccount);
      const mb = statSync(c.file).size / 1e6;
      const parse = await measureProcess(process.execPath, ['--import', PEAK, PARSE_ONLY, c.file]);
      const audit = await measureProcess(process.execPath, [
        '--import',
        PEAK,
        CLI,
        'audit',
        '--report',
        c.file,
        '--as-of',
        '2026-11-01',
        '--format',
        'json',
        '--output',
        join(DATA, 'out.json'),
      ]);
      if (audit.code !== 0) throw new Error(`audit failed: ${audit.stderr}`);
      results.push({
        label: c.label,
        rows: c.rows,
        auditMs: audit.wallMs,
        parseMs: parse.wallMs,
        rss: audit.peakRssMb,
        parseRss: parse.peakRssMb,
      });
      console.log(
        `${c.label} (${fmt(mb)} MB): audit ${fmt(audit.wallMs / 1000, 2)} s = ${fmt(c.rows / (audit.wallMs / 1000), 0)} rows/s, peak RSS ${fmt(audit.peakRssMb)} MB | csv-parse alone ${fmt(parse.wallMs / 1000, 2)} s, ${fmt(parse.peakRssMb)} MB | audit/parse ${fmt(audit.wallMs / parse.wallMs, 2)}×`,
      );
    }
    const [small, big] = results;
    if (small && big) {
      console.log(
        `memory: peak RSS at 1M rows / at 5k rows = ${fmt(big.rss / small.rss, 2)}× (${fmt(big.rows / small.rows, 0)}× the rows): ${big.rss / small.rss < 2 ? 'flat' : 'NOT flat'}`,
      );
    }
  },
};
