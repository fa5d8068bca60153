#!/usr/bin/env node
// `npm start`: audits the bundled demo account (examples/demo) with a fixed as-of date, so the output
// is the same on every machine, prints the findings table and writes the HTML report (.credsweep/demo/).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// A reader that went away (`npm start | head`: EPIPE) is no reason for a stack trace: as the CLI does
// (src/cli/main.ts), the demo carries on (the HTML report is still written) and what it still
// prints there is lost, as the reader chose.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

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

const EVIDENCE = [
  '--report',
  'examples/demo/credential-report.csv',
  '--cloudtrail',
  'examples/demo/cloudtrail',
];
console.log(
  `credsweep demo: examples/demo/credential-report.csv with the CloudTrail evidence in examples/demo/cloudtrail, as of ${AS_OF}\n`,
);
demo('audit', ...EVIDENCE, '--as-of', AS_OF);
// The same audit as a self-contained HTML report (git-ignored folder), for a browser.
const html = `${root}.credsweep/demo/report.html`;
mkdirSync(`${root}.credsweep/demo`, { recursive: true });
demo('audit', ...EVIDENCE, '--as-of', AS_OF, '--format', 'html', '--output', html);
console.log(`\nHTML report: ${html} (open it in a browser; it loads nothing from the network)\n`);
demo('trail', 'examples/demo/cloudtrail'); // who used each key, from which source IPs (examples/demo/cloudtrail/README.md)
// The kinds a credential report CSV lacks and a live audit lists (SSH keys, service-specific
// credentials, unassigned MFA devices), from the recorded inventory in examples/demo/iam-api-inventory.json.
const { kindsDemoTable } = await import('./demo-kinds.mjs');
console.log(
  '\nSSH public keys, service-specific credentials and unassigned MFA devices (what a live audit adds to the credential report; recorded in examples/demo/iam-api-inventory.json):\n',
);
process.stdout.write(
  await kindsDemoTable(AS_OF, {
    color: process.stdout.isTTY === true,
    width: process.stdout.isTTY ? process.stdout.columns : undefined,
  }),
);
