/**
 * A worker thread of the credential report audit (audit-report-parallel.ts): audits the parts it is
 * sent, one at a time, and posts each result back, the rendered bytes transferred (not copied), and
 * the part's own bytes with them, for the main thread to read a next part into. A `spare` is a
 * buffer of rendered findings already written, to render into again.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { auditPart, keepSpareBuffer, type Part, type PartSetup } from './audit-part.ts';

const setup = workerData as PartSetup;
const port = parentPort!;

port.on('message', (message: { id: number; part: Part } | { spare: ArrayBuffer }) => {
  if ('spare' in message) {
    keepSpareBuffer(message.spare);
    return;
  }
  try {
    const result = auditPart(message.part, setup);
    const input = message.part.bytes;
    const transfer = [input.buffer as ArrayBuffer];
    if (result.kind === 'done') transfer.push(result.rendered.buffer as ArrayBuffer);
    port.postMessage({ id: message.id, result, input }, transfer);
  } catch (e) {
    const err = e as Error;
    port.postMessage({ id: message.id, crash: err?.stack ?? String(e) });
  }
});
