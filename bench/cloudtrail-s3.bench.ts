/**
 * `credsweep trail s3://bucket/…` when the network, not the CPU, sets the pace: a seeded trail of
 * small objects (modelled like the `cloudtrail` benchmark's, 200 records per file) in a moto S3
 * bucket, read through the fault proxy adding CREDSWEEP_BENCH_S3_LATENCY_MS (default 50) to every
 * call. Measured in one run: no added latency (moto's own cost, the baseline), and with latency both
 * with the S3 default of 8 objects in flight per worker and with 2 (the files' setting, which S3
 * reads had before). Reported against the ideal `GETs × latency / (workers × in flight)`; the
 * aggregates of all runs must be identical.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mapBounded } from '../src/audit/map-bounded.ts';
import { startFaultProxy } from '../test/helpers/fault-proxy.ts';
import { MOTO_CLI_ENV, startMoto } from '../test/helpers/moto.ts';
import { generateCloudTrail } from './generate-cloudtrail.ts';
import { fmt, measureProcess } from './measure.ts';
import type { Benchmark } from './run.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const PEAK = join(ROOT, 'bench/report-peak-rss.mjs');
const DATA = join(ROOT, 'bench/.data');
const LATENCY_MS = Number(process.env.CREDSWEEP_BENCH_S3_LATENCY_MS ?? 50);
const BUCKET = 'trail-bucket';

export const cloudTrailS3Bench: Benchmark = {
  name: 'cloudtrail-s3',
  description: `trail s3:// over moto with ${LATENCY_MS} ms per call: objects in flight per worker, vs the ideal`,
  async run() {
    const trail = await generateCloudTrail(DATA, { targetBytes: 60e6, recordsPerFile: 200 });
    const moto = await startMoto();
    const proxy = await startFaultProxy({ target: moto.endpoint });
    try {
      const s3 = new S3Client(moto.s3ClientConfig());
      await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
      await mapBounded(trail.files, 16, async (f) => {
        const body = await readFile(join(trail.dir, f));
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: f, Body: body }));
      });
      s3.destroy();
      console.log(
        `data: ${trail.files.length} objects, ${fmt(trail.compressedBytes / 1e6, 1)} MB gzip (${fmt(trail.uncompressedBytes / 1e6, 0)} MB inflated), ${trail.records.toLocaleString('en-US')} records`,
      );
      const workers = Math.min(availableParallelism(), 8);
      const cases = [
        { latency: 0, inFlight: 8 },
        { latency: LATENCY_MS, inFlight: 2 },
        { latency: LATENCY_MS, inFlight: 8 },
      ];
      console.log(
        '| added latency | objects in flight per worker | wall | peak RSS | S3 calls | ideal = GETs × latency / (workers × in flight) | wall / ideal |',
      );
      console.log('|---|---|---|---|---|---|---|');
      let first: string | undefined;
      for (const c of cases) {
        proxy.configure({ latencyMs: c.latency });
        proxy.resetCounters();
        const out = join(DATA, `cloudtrail-s3-${c.latency}-${c.inFlight}.json`);
        const run = await measureProcess(
          process.execPath,
          [
            '--import',
            PEAK,
            CLI,
            'trail',
            `s3://${BUCKET}/`,
            '--endpoint-url',
            proxy.url,
            '--in-flight',
            String(c.inFlight),
            '--format',
            'json',
            '--output',
            out,
          ],
          {
            ...process.env,
            ...MOTO_CLI_ENV,
          },
        );
        if (run.code !== 0)
          throw new Error(`trail s3:// failed (exit ${run.code}): ${run.stderr.slice(-2000)}`);
        const summary = await readFile(out, 'utf8');
        if (first === undefined) first = summary;
        else assert.equal(summary, first, 'the aggregates differ between runs');
        const calls = proxy.totalCalls();
        const ideal = (trail.files.length * c.latency) / (workers * c.inFlight);
        console.log(
          `| ${c.latency} ms | ${c.inFlight} | ${fmt(run.wallMs / 1000, 2)} s | ${fmt(run.peakRssMb)} MB | ${calls} | ${c.latency ? `${fmt(ideal / 1000, 2)} s` : '—'} | ${c.latency ? `${fmt(run.wallMs / ideal, 2)}×` : '—'} |`,
        );
      }
      console.log(`(${workers} workers; the aggregates of the three runs are identical)`);
    } finally {
      await proxy.close();
      await moto.stop();
    }
  },
};
