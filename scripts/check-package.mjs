#!/usr/bin/env node
// CI: the package as users get it. `npm pack`, install the tarball globally into an empty prefix and
// run `credsweep --version` and the demo audit from there; install it into an empty project and run
// the library example of docs/library.md against it.
//
//   node scripts/check-package.mjs [TARBALL]
//
// Given a TARBALL (.ci/run packs first), it checks that one and never touches dist/, so it can run
// while the tests do (the installs wait on npm for a minute or more).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd, args, options = {}) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
// The installs (~230 MB) are removed when the check ends, and with a TARBALL they are made in its
// folder, which .ci/run removes even when it stops the check with a signal. (No signal handler here:
// execFileSync would hold it until the install ended, where the default action stops the check now.)
const work = mkdtempSync(
  join(process.argv[2] ? dirname(resolve(process.argv[2])) : tmpdir(), 'credsweep-package-'),
);
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const tarball = process.argv[2]
  ? resolve(process.argv[2])
  : join(
      work,
      run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root }).trim().split('\n').at(-1),
    );
console.log(`${process.argv[2] ? 'checking' : 'packed'} ${tarball}`);

const prefix = join(work, 'prefix');
run('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', tarball]);
const bin = join(prefix, 'bin', 'credsweep');
const version = run(bin, ['--version']).trim();
const expected = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
if (version !== expected) throw new Error(`credsweep --version printed ${version}, expected ${expected}`);
const demo = join(root, 'examples/demo/credential-report.csv');
const audit = run(bin, ['audit', '--report', demo, '--as-of', '2026-11-01T18:00:00Z']);
if (!/^52 credentials: 22 unused/m.test(audit))
  throw new Error(`the demo audit from the global install:\n${audit}`);
console.log(`global install: credsweep ${version}, demo audit ok`);

const project = join(work, 'project');
run('mkdir', ['-p', join(project, 'examples/demo')]);
writeFileSync(
  join(project, 'package.json'),
  '{ "name": "uses-credsweep", "private": true, "type": "module" }\n',
);
writeFileSync(join(project, 'examples/demo/credential-report.csv'), readFileSync(demo));
run('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: project });
const doc = readFileSync(join(root, 'docs/library.md'), 'utf8');
const example = /```js\n([\s\S]*?)```/.exec(doc)?.[1];
if (!example) throw new Error('docs/library.md: no ```js example');
writeFileSync(join(project, 'audit-report.mjs'), example);
const printed = run(process.execPath, ['audit-report.mjs'], { cwd: project }).trim();
const promised = /It prints `([^`]+)`/.exec(doc)?.[1];
if (printed !== promised)
  throw new Error(`docs/library.md example printed ${printed}, the page says ${promised}`);
console.log(`library example against the tarball: ${printed}`);
