/**
 * `npm run bench [name...]`: runs the benchmarks (all, or those named) and prints their figures.
 * Each benchmark reports ratios against a baseline it measures in the same run, so a noisy or slow
 * machine changes the absolute numbers but not the verdict.
 */
import { cloudTrailBench } from './cloudtrail.bench.ts';
import { cloudTrailS3Bench } from './cloudtrail-s3.bench.ts';
import { credentialReportBench } from './credential-report.bench.ts';
import { orgScanBench } from './org-scan.bench.ts';
import { orgScanLoadBench } from './org-scan-load.bench.ts';
import { remediationBench } from './remediation.bench.ts';
import { reportFormatsBench } from './report-formats.bench.ts';
import { scheduledRunBench } from './scheduled-run.bench.ts';
import { startupBench } from './startup.bench.ts';

export interface Benchmark {
  name: string;
  description: string;
  run(): Promise<void>;
}

const BENCHMARKS: Benchmark[] = [
  credentialReportBench,
  cloudTrailBench,
  cloudTrailS3Bench,
  orgScanBench,
  orgScanLoadBench,
  remediationBench,
  scheduledRunBench,
  reportFormatsBench,
  startupBench,
];

// The benchmarks' own SDK clients (seeding moto) would print the SDK's Node 20 notice mid-table.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const wanted = process.argv.slice(2);
const selected = wanted.length ? BENCHMARKS.filter((b) => wanted.includes(b.name)) : BENCHMARKS;
if (wanted.length && selected.length !== wanted.length) {
  console.error(`unknown benchmark; choose from: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  process.exit(2);
}
for (const bench of selected) {
  console.log(`\n## ${bench.name}: ${bench.description}`);
  await bench.run();
}
