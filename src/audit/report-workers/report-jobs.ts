/**
 * How many threads audit a credential report file when neither `--jobs` nor CREDSWEEP_JOBS says.
 * Pure: the file's size and the machine's cores in, a thread count out.
 *
 * Threads pay off on a large file: on an idle 2-core machine, two threads took 0.58-0.70x one
 * thread's wall time on the 1 000 000-row bench report, for 1.10-1.17x its CPU and ~20 MB more peak
 * RSS (docs/performance.md, "Worker threads"). Below THREADS_FROM_BYTES a worker's start-up (~0.1 s
 * of CPU loading its modules) is not won back. The default stops at MAX_DEFAULT_JOBS, since each
 * thread adds ~20 MB of RSS; `--jobs N` asks for more.
 */
export const THREADS_FROM_BYTES = 16 << 20;
export const MAX_DEFAULT_JOBS = 4;

export function defaultReportJobs(fileBytes: number, cores: number): number {
  if (fileBytes < THREADS_FROM_BYTES) return 1;
  return Math.max(1, Math.min(Math.floor(cores), MAX_DEFAULT_JOBS));
}
