/**
 * `credsweep trail PATH...` as a library call: find the trail objects (local trees, files, S3), scan
 * them in parallel on worker threads, merge, summarise. Each worker reads a small object whole and
 * streams a large one (read-object.ts), so memory stays flat however much is read.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { InternalError } from '../../errors.ts';
import type { TrailSummary } from '../../model/trail-summary.ts';
import { createTrailAggregator, type TrailAggregateState } from './aggregate.ts';
import { locateLocalTrailFiles } from './locate.ts';
import {
  describeTrailObject,
  type ObjectOpener,
  scanTrailObject,
  type TrailObject,
  type TrailReadOptions,
} from './read-object.ts';
import { isS3Url, parseS3Url, type S3Connection } from './s3-location.ts';
import { startWorkerBeside } from '../../threads/start-worker.ts';

export { S3_TRAIL_PERMISSIONS } from './s3-location.ts';

export interface TrailScanOptions extends TrailReadOptions {
  /** Worker threads; default one per core (at most 8), none for a handful of files. */
  workers?: number;
  /** How to reach S3 for s3:// paths. */
  s3?: S3Connection;
  /** Objects each worker reads at once; default IN_FLIGHT_FILES, or IN_FLIGHT_S3 with S3 objects. */
  inFlight?: number;
}

export interface WorkerSetup {
  options: TrailReadOptions;
  s3?: S3Connection;
}
export type ToWorker = { type: 'scan'; object: TrailObject } | { type: 'finish' };
type FromWorker =
  | { type: 'done' }
  | { type: 'crash'; message: string }
  | { type: 'state'; state: TrailAggregateState };

/**
 * Objects each worker holds at once. A local file: one being scanned, one being read, so no worker
 * idles. An S3 object spends most of its time in the network, so a worker keeps several downloads
 * going while it scans (each buffered whole only up to S3_WHOLE_OBJECT_BYTES, read-object.ts).
 */
const IN_FLIGHT_FILES = 2;
const IN_FLIGHT_S3 = 8;
const MAX_WORKERS = 8;
const INLINE_BELOW = 4;
/**
 * A worker scans one object at a time: a small one read whole, inflated and copied into the scanner
 * (≤ 16 MiB each), or one chunk and one record of a large one; besides it holds the objects being
 * read (IN_FLIGHT_*: ≤ 4 MiB each from S3). Bounded heaps make V8 collect early, so the process stays
 * well under 256 MB however much is scanned. The young generation is sized for the strings of one
 * object: at 4 MB the collector ran twice as often and the scan took 10 % longer (bench cloudtrail).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 48 };

export async function scanCloudTrail(
  paths: readonly string[],
  options: TrailScanOptions = {},
): Promise<TrailSummary> {
  const objects = await locateTrailObjects(paths, options);
  const state = await scanTrailObjects(objects, options);
  const total = createTrailAggregator(options);
  total.merge(state);
  return total.summary();
}

/** Every object under the paths, in the order given (each path's files sorted). */
export async function locateTrailObjects(
  paths: readonly string[],
  options: TrailScanOptions,
): Promise<TrailObject[]> {
  const window = { since: options.since, until: options.until };
  const objects: TrailObject[] = [];
  const seen = new Set<string>();
  for (const path of paths) if (isS3Url(path)) parseS3Url(path); // every URL checked before any call
  // the SDK is loaded only for s3:// paths: a local scan starts faster without it
  const s3 = paths.some(isS3Url) ? await import('./s3.ts') : undefined;
  const client = s3?.createS3Client(options.s3 ?? {});
  try {
    for (const path of paths) {
      const found = isS3Url(path)
        ? await s3!.listS3TrailObjects(client!, path, window)
        : await locateLocalTrailFiles(path, window);
      for (const o of found) {
        const id = describeTrailObject(o);
        if (!seen.has(id)) {
          seen.add(id);
          objects.push(o);
        }
      }
    }
  } finally {
    client?.destroy();
  }
  return objects;
}

export async function scanTrailObjects(
  objects: readonly TrailObject[],
  options: TrailScanOptions,
): Promise<TrailAggregateState> {
  const aggregatorOptions: TrailReadOptions = {
    includeTemporary: options.includeTemporary,
    since: options.since,
    until: options.until,
    maxInflatedBytes: options.maxInflatedBytes,
  };
  const workers = Math.min(
    options.workers ?? (objects.length < INLINE_BELOW ? 0 : availableParallelism()),
    MAX_WORKERS,
    objects.length,
  );
  if (workers <= 0) return scanInline(objects, aggregatorOptions, options.s3);
  const inFlight =
    options.inFlight ?? (objects.some((o) => o.kind === 's3') ? IN_FLIGHT_S3 : IN_FLIGHT_FILES);
  return scanOnWorkers(objects, workers, inFlight, { options: aggregatorOptions, s3: options.s3 });
}

async function scanInline(
  objects: readonly TrailObject[],
  options: TrailReadOptions,
  s3?: S3Connection,
): Promise<TrailAggregateState> {
  const total = createTrailAggregator(options);
  const s3Module = objects.some((o) => o.kind === 's3') ? await import('./s3.ts') : undefined;
  const client = s3Module?.createS3Client(s3 ?? {});
  const opener: ObjectOpener = client ? { s3: s3Module!.s3ObjectReader(client) } : {};
  try {
    for (const object of objects) {
      const result = await scanTrailObject(object, options, opener);
      if ('error' in result) total.fileBad(describeTrailObject(object), result.error);
      else {
        total.merge(result.aggregator.state());
        total.fileScanned();
      }
    }
  } finally {
    client?.destroy();
  }
  return total.state();
}

function startWorker(setup: WorkerSetup): Worker {
  return startWorkerBeside(import.meta.url, 'scan-worker', {
    workerData: setup,
    resourceLimits: WORKER_LIMITS,
  });
}

function scanOnWorkers(
  objects: readonly TrailObject[],
  count: number,
  inFlight: number,
  setup: WorkerSetup,
): Promise<TrailAggregateState> {
  return new Promise((resolve, reject) => {
    const total = createTrailAggregator(setup.options);
    const pool: Worker[] = [];
    let next = 0;
    let finished = 0;
    let failed = false;
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      for (const w of pool) void w.terminate();
      reject(e);
    };
    const feed = (worker: Worker) => {
      if (next < objects.length)
        worker.postMessage({ type: 'scan', object: objects[next++]! } satisfies ToWorker);
    };
    for (let w = 0; w < count; w++) {
      const worker = startWorker(setup);
      pool.push(worker);
      let outstanding = 0;
      let finishing = false;
      let delivered = false;
      const send = () => {
        while (outstanding < inFlight && next < objects.length) {
          feed(worker);
          outstanding++;
        }
        if (outstanding === 0 && next >= objects.length && !finishing) {
          finishing = true;
          worker.postMessage({ type: 'finish' } satisfies ToWorker);
        }
      };
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'done') {
          outstanding--;
          send();
        } else if (m.type === 'crash') {
          fail(new InternalError(`trail scan worker: ${m.message}`));
        } else {
          delivered = true;
          total.merge(m.state);
          void worker.terminate();
          finished++;
          if (finished === count) resolve(total.state());
        }
      });
      worker.on('error', (e) => fail(new InternalError(`trail scan worker: ${e.stack ?? e.message}`)));
      worker.on('exit', (code) => {
        // an exit before the state arrived is a crash (out of memory, a bug)
        if (!delivered) fail(new InternalError(`trail scan worker exited early (code ${code})`));
      });
      send();
    }
  });
}
