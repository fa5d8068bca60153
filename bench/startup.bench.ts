/**
 * Start-up: `credsweep --version`, `credsweep --help` and `credsweep audit --help` (which loads the
 * audit command) against bare Node (`node -e ''`), measured in the same run, interleaved, median of
 * 15 runs each. Target: --version and --help within 150 ms of bare Node (docs/performance.md).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './run.ts';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const RUNS = 15;

function wallMs(args: string[]): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export const startupBench: Benchmark = {
  name: 'startup',
  description: 'credsweep --version / --help against bare node -e "" (median of 15, same run)',
  async run() {
    const cases: Array<[string, string[]]> = [
      ["node -e ''", ['-e', '']],
      ['credsweep --version', [CLI, '--version']],
      ['credsweep --help', [CLI, '--help']],
      ['credsweep audit --help', [CLI, 'audit', '--help']],
    ];
    const times = new Map(cases.map(([name]) => [name, [] as number[]]));
    for (let i = 0; i < RUNS; i++) for (const [name, args] of cases) times.get(name)!.push(wallMs(args));
    const base = median(times.get("node -e ''")!);
    console.log('| command | median ms | over bare node |');
    console.log('|---|---:|---:|');
    for (const [name] of cases) {
      const m = median(times.get(name)!);
      console.log(
        `| ${name} | ${m.toFixed(0)} | ${name.startsWith('node') ? '' : `+${(m - base).toFixed(0)} ms`} |`,
      );
    }
  },
};
