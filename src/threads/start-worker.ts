/**
 * Starts a worker thread on a module that sits beside the caller: `name.js` in the built package, or
 * `name.ts` when credsweep runs from source under tsx (tests, benchmarks). From source, the worker
 * loads tsx first, since Node 20 does not pass the parent's module hooks on to worker threads.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startWorkerBeside(callerUrl: string, name: string, options: WorkerOptions): Worker {
  if (callerUrl.endsWith('.js')) return new Worker(new URL(`./${name}.js`, callerUrl), options);
  const source = new URL(`./${name}.ts`, callerUrl).href;
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(boot, { ...options, eval: true });
}
