/**
 * Start-up: what a `credsweep` process costs before it does anything, against bare Node (`node -e ''`)
 * measured in the same run, interleaved, median of STARTUP_BENCH_RUNS (default 15) runs each: wall
 * time, CPU time (user + system, read by a one-line preload at exit, the same for bare Node) and the
 * ratio of each to bare Node's; then, in one more run each, the files the process loaded (JavaScript
 * and JSON modules, through module hooks). STARTUP_BENCH_BASELINE=<another build's
 * dist/cli/main.js> runs every command with that build too, interleaved, for a before/after in one
 * run (docs/performance.md). Needs `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './run.ts';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const DEMO_REPORT = fileURLToPath(new URL('../examples/demo/credential-report.csv', import.meta.url));

/** Prints the process's CPU time (µs) to the file CREDSWEEP_BENCH_CPU_FILE names, at exit. */
const CPU_PRELOAD = `process.on('exit', () => require('node:fs').writeFileSync(process.env.CREDSWEEP_BENCH_CPU_FILE, String(process.cpuUsage().user + process.cpuUsage().system)));`;

/** Appends every file loaded (CommonJS here, ECMAScript modules through the hook below) to CREDSWEEP_BENCH_FILES. */
const CJS_COUNTER = `const Module = require('node:module'); const fs = require('node:fs');
for (const ext of ['.js', '.cjs', '.json']) { const load = Module._extensions[ext];
  Module._extensions[ext] = function (m, file) { fs.appendFileSync(process.env.CREDSWEEP_BENCH_FILES, file + '\\n'); return load.call(this, m, file); }; }`;
const ESM_HOOKS = `import { appendFileSync } from 'node:fs'; import { fileURLToPath } from 'node:url';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.CREDSWEEP_BENCH_FILES, fileURLToPath(url) + '\\n');
  return next(url, context); }`;
const ESM_REGISTER = `import { register } from 'node:module'; register('./hooks.mjs', import.meta.url);`;

interface Sample {
  wallMs: number;
  cpuMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export const startupBench: Benchmark = {
  name: 'startup',
  description: "credsweep's start-up per command against bare node -e '' (wall, CPU, files loaded; same run)",
  async run() {
    const runs = Number(process.env.STARTUP_BENCH_RUNS ?? 15);
    const baseline = process.env.STARTUP_BENCH_BASELINE;
    const work = mkdtempSync(join(tmpdir(), 'credsweep-startup-bench-'));
    try {
      writeFileSync(join(work, 'cpu.cjs'), CPU_PRELOAD);
      writeFileSync(join(work, 'count.cjs'), CJS_COUNTER);
      writeFileSync(join(work, 'hooks.mjs'), ESM_HOOKS);
      writeFileSync(join(work, 'register.mjs'), ESM_REGISTER);
      const cpuFile = join(work, 'cpu');
      const filesFile = join(work, 'files');
      const env = { ...process.env, CREDSWEEP_BENCH_CPU_FILE: cpuFile, CREDSWEEP_BENCH_FILES: filesFile };
      const spawn = (args: string[], preload: string[]) => {
        const start = process.hrtime.bigint();
        const child = spawnSync(process.execPath, [...preload, ...args], { stdio: 'ignore', env });
        const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
        if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited ${child.status}`);
        return wallMs;
      };
      const timed = (args: string[]): Sample => {
        const wallMs = spawn(args, ['--require', join(work, 'cpu.cjs')]);
        return { wallMs, cpuMs: Number(readFileSync(cpuFile, 'utf8')) / 1000 };
      };
      const filesLoaded = (args: string[]) => {
        writeFileSync(filesFile, '');
        spawn(args, ['--require', join(work, 'count.cjs'), '--import', join(work, 'register.mjs')]);
        const files = new Set(readFileSync(filesFile, 'utf8').split('\n').filter(Boolean));
        return files.size;
      };

      const commands: string[][] = [
        ['--version'],
        ['--help'],
        ['audit', '--report', DEMO_REPORT, '--as-of', '2026-11-01'],
        ['audit', '--help'],
        ['plan', '--help'],
        ['apply', '--help'],
        ['undo', '--help'],
      ];
      const builds: Array<[string, string]> = baseline
        ? [
            ['before', baseline],
            ['after', CLI],
          ]
        : [['', CLI]];
      const cases: Array<[string, string[]]> = [["node -e ''", ['-e', '']]];
      for (const command of commands) {
        for (const [build, main] of builds) {
          cases.push([`${build ? `${build}: ` : ''}credsweep ${command.join(' ')}`, [main, ...command]]);
        }
      }
      const samples = new Map(cases.map(([name]) => [name, [] as Sample[]]));
      for (let i = 0; i < runs; i++) for (const [name, args] of cases) samples.get(name)!.push(timed(args));
      const bare = samples.get("node -e ''")!;
      const bareWall = median(bare.map((s) => s.wallMs));
      const bareCpu = median(bare.map((s) => s.cpuMs));
      console.log(
        `median of ${runs} runs each, interleaved; demo report: examples/demo/credential-report.csv`,
      );
      console.log('| command | wall ms | × bare node | CPU ms | × bare node | files loaded |');
      console.log('|---|---:|---:|---:|---:|---:|');
      for (const [name, args] of cases) {
        const wall = median(samples.get(name)!.map((s) => s.wallMs));
        const cpu = median(samples.get(name)!.map((s) => s.cpuMs));
        const shown = name.replace(DEMO_REPORT, 'demo.csv');
        console.log(
          `| ${shown} | ${wall.toFixed(0)} | ${(wall / bareWall).toFixed(2)} | ${cpu.toFixed(0)} | ${(cpu / bareCpu).toFixed(2)} | ${filesLoaded(args)} |`,
        );
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};
