/**
 * A worker thread of the trail scan (scan.ts): reads the objects it is sent, aggregates them, and on
 * `finish` posts its aggregate state back. Each object is scanned into its own aggregator first and
 * merged only when it was read whole, so a bad file never counts half.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createTrailAggregator } from './aggregate.ts';
import { describeTrailObject, type ObjectOpener, scanTrailObject } from './read-object.ts';
import type { ToWorker, WorkerSetup } from './scan.ts';

const setup = workerData as WorkerSetup;
const total = createTrailAggregator(setup.options);
// The S3 client (and the SDK) is loaded only when an s3:// object arrives: local scans stay light.
let client: import('@aws-sdk/client-s3').S3Client | undefined;
let readS3: ((bucket: string, key: string) => Promise<AsyncIterable<Uint8Array>>) | undefined;
const opener: ObjectOpener = {
  s3: async (bucket, key) => {
    if (!readS3) {
      const s3 = await import('./s3.ts');
      client = s3.createS3Client(setup.s3 ?? {});
      readS3 = s3.s3ObjectReader(client);
    }
    return readS3(bucket, key);
  },
};
const inFlight = new Set<Promise<void>>();
const port = parentPort!;

port.on('message', (message: ToWorker) => {
  if (message.type === 'scan') {
    const job = (async () => {
      try {
        const result = await scanTrailObject(message.object, setup.options, opener);
        if ('error' in result) total.fileBad(describeTrailObject(message.object), result.error);
        else {
          total.merge(result.aggregator.state());
          total.fileScanned();
        }
        port.postMessage({ type: 'done' });
      } catch (e) {
        const err = e as Error;
        port.postMessage({
          type: 'crash',
          message: `${describeTrailObject(message.object)}: ${err?.stack ?? String(e)}`,
        });
      }
    })();
    inFlight.add(job);
    void job.finally(() => inFlight.delete(job));
  } else {
    void Promise.all(inFlight).then(() => {
      client?.destroy();
      port.postMessage({ type: 'state', state: total.state() });
    });
  }
});
