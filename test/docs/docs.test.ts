/**
 * README.md and docs/*.md stay true: every relative link resolves to a file of the repository, and
 * every offline `credsweep` command in a ```sh block runs (exit 0, or 1 for a --fail-on that matched)
 * in a scratch directory holding the files the pages name (report.csv, findings.json, credsweep.db,
 * ./AWSLogs). Commands that need AWS are marked: a ```sh online block, or `# online` in the line.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { REPO_ROOT, runCredsweep } from '../helpers/cli.ts';

const PAGES = [
  'README.md',
  ...readdirSync(join(REPO_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const read = (page: string) => readFileSync(join(REPO_ROOT, page), 'utf8');

interface Shown {
  page: string;
  line: string;
  online: boolean;
}

/** The credsweep commands of a page's shell blocks (continuation lines joined, comments dropped). */
export function commandsIn(page: string, text: string): Shown[] {
  const shown: Shown[] = [];
  for (const block of text.matchAll(/```(sh|bash|shell)([^\n]*)\n([\s\S]*?)```/g)) {
    const blockOnline = /\bonline\b/.test(block[2]!);
    for (const raw of block[3]!.replace(/\\\n\s*/g, ' ').split('\n')) {
      const online = blockOnline || /#\s*online\b/.test(raw);
      const line = raw.replace(/\s+#.*$/, '').trim();
      if (/^(npx )?credsweep\b/.test(line)) shown.push({ page, line: line.replace(/^npx /, ''), online });
    }
  }
  return shown;
}

/** Splits a shown command into argv (single quotes and `< file` / `> file` redirections). */
function argvOf(line: string): { argv: string[]; stdin?: string; stdout?: string } {
  const words = [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  const out: { argv: string[]; stdin?: string; stdout?: string } = { argv: [] };
  for (let i = 1; i < words.length; i++) {
    if (words[i] === '<') out.stdin = words[++i]!;
    else if (words[i] === '>') out.stdout = words[++i]!;
    else out.argv.push(words[i]!);
  }
  return out;
}

describe('README and docs', () => {
  it('README keeps the two Quick start commands and stays short', () => {
    const readme = read('README.md');
    assert.match(readme, /## Quick start\n\n```sh\nnpm ci && npm start\nnpm test\n```/);
    assert.ok(readme.split('\n').length <= 250, `README.md has ${readme.split('\n').length} lines`);
  });

  for (const page of PAGES) {
    it(`${page}: every relative link resolves inside the repository`, () => {
      const text = read(page).replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split('#')[0]!;
        if (target === '' || /^[a-z]+:/.test(target)) continue;
        const resolved = join(REPO_ROOT, dirname(page), decodeURI(target));
        assert.ok(resolved.startsWith(REPO_ROOT), `${page}: ${m[1]} leaves the repository`);
        assert.ok(existsSync(resolved), `${page}: ${m[1]} does not exist`);
      }
      assert.doesNotMatch(read(page), /\.\.\/shared\//, `${page}: cites a file outside the repository`);
    });
  }

  describe('every offline command shown runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'credsweep-docs-'));
    const shown = PAGES.flatMap((page) => commandsIn(page, read(page)));
    before(async () => {
      cpSync(join(REPO_ROOT, 'examples/demo/credential-report.csv'), join(dir, 'report.csv'));
      cpSync(join(REPO_ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
      cpSync(join(REPO_ROOT, 'examples/demo/cloudtrail'), join(dir, 'AWSLogs'), { recursive: true });
      const audit = await runCredsweep(['audit', '--report', 'report.csv', '--format', 'json'], { cwd: dir });
      writeFileSync(join(dir, 'findings.json'), audit.stdout);
      for (const asOf of ['2026-10-01', '2026-11-01']) {
        await runCredsweep(
          ['audit', '--report', 'report.csv', '--as-of', asOf, '--db', 'credsweep.db', '--output', 'o.txt'],
          { cwd: dir },
        );
      }
    });

    it('the pages show offline commands at all', () => {
      assert.ok(shown.filter((s) => !s.online).length >= 10, JSON.stringify(shown));
    });

    for (const { page, line, online } of shown) {
      if (online) continue;
      it(`${page}: ${line}`, async () => {
        const { argv, stdin, stdout } = argvOf(line);
        const run = await runCredsweep(argv, {
          cwd: dir,
          ...(stdin ? { stdin: readFileSync(join(dir, stdin)) } : {}),
          env: {
            AWS_ACCESS_KEY_ID: '',
            AWS_SECRET_ACCESS_KEY: '',
            AWS_PROFILE: '',
            AWS_CONFIG_FILE: '/nonexistent',
            AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
            AWS_EC2_METADATA_DISABLED: 'true',
          },
        });
        assert.ok(
          run.code === 0 || (run.code === 1 && argv.includes('--fail-on')),
          `exit ${run.code}: ${run.stderr}`,
        );
        if (stdout) writeFileSync(join(dir, stdout), run.stdout);
      });
    }
  });
});
