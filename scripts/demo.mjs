#!/usr/bin/env node
// `npm start`: audits the bundled demo account (examples/demo) with a fixed as-of date, so the output
// is the same on every machine, and prints the findings table.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = `${root}dist/cli/main.js`;
if (!existsSync(cli)) {
  console.error('npm start: the CLI is not built; run `npm ci` (or `npm run build`) first');
  process.exit(1);
}
const AS_OF = '2026-11-01T18:00:00Z';
const demo = (...args) => {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0 && run.status !== 1) process.exit(run.status ?? 1);
};

console.log(`credsweep demo: examples/demo/credential-report.csv, as of ${AS_OF}\n`);
demo('audit', '--report', 'examples/demo/credential-report.csv', '--as-of', AS_OF);
demo('trail', 'examples/demo/cloudtrail'); // who used each key, from which source IPs (examples/demo/cloudtrail/README.md)
