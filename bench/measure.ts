/** Helpers shared by the benchmarks: run a child process and read its wall time and peak RSS. */
import { spawn } from 'node:child_process';

export interface ProcessMeasure {
  wallMs: number;
  peakRssMb: number;
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command and measures wall time and peak RSS: the child's own report at exit (Node processes
 * started with `--import bench/report-peak-rss.mjs`), else sampling of /proc/PID/status VmHWM.
 */
export function measureProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProcessMeasure> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    child.stdout.on('data', (d) => {
      if (stdout.length < 1 << 20) stdout += d;
    });
    child.stderr.on('data', (d) => {
      if (stderr.length < 1 << 20) stderr += d;
    });
    const sample = async () => {
      try {
        const { readFile } = await import('node:fs/promises');
        const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+)/.exec(status);
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        // the process has ended
      }
    };
    const timer = setInterval(sample, 25);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      const reported = /@@peak_rss_kb (\d+)/.exec(stderr);
      if (reported) peakKb = Math.max(peakKb, Number(reported[1]));
      resolve({
        wallMs: performance.now() - started,
        peakRssMb: peakKb / 1024,
        code: code ?? -1,
        stdout,
        stderr,
      });
    });
  });
}

export function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
