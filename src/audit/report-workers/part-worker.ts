/**
 * A worker thread of the credential report audit (audit-report-parallel.ts): audits the parts it is
 * sent, one at a time, and posts each result back, the rendered bytes transferred (not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { auditPart, type Part, type PartSetup } from './audit-part.ts';

const setup = workerData as PartSetup;
const port = parentPort!;

port.on('message', (message: { id: number; part: Part }) => {
  try {
    const result = auditPart(message.part, setup);
    port.postMessage(
      { id: message.id, result },
      result.kind === 'done' ? [result.rendered.buffer as ArrayBuffer] : [],
    );
  } catch (e) {
    const err = e as Error;
    port.postMessage({ id: message.id, crash: err?.stack ?? String(e) });
  }
});
