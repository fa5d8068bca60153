/**
 * README.md and docs/*.md stay true: every relative link resolves to a file of the repository (and
 * its #anchor to a heading of the page), every flag a shown `credsweep <command>` uses is one that
 * command has (online commands too), every offline `credsweep` command in a ```sh block runs (exit 0,
 * or 1 for a --fail-on that matched) in a scratch directory holding the files the pages name
 * (report.csv, findings.json, credsweep.db, ./AWSLogs), and the library example prints what
 * docs/library.md says. Commands that need AWS are marked: a ```sh online block, or `# online` in
 * the line.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.ts';
import { capturingContext, REPO_ROOT, runCredsweep } from '../helpers/cli.ts';

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

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as `-`, repeats numbered. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of text.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} (.*)$/gm)) {
    const slug = m[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug);
    seen.set(slug, (n ?? -1) + 1);
    anchors.add(n === undefined ? slug : `${slug}-${n + 1}`);
  }
  return anchors;
}

/**
 * The shown uses of a command: each ```sh line's `credsweep …` (split at `&&`, `|`, `;`) and each
 * inline code span that is a command (starts with `credsweep `), comments dropped.
 */
function usesIn(text: string): string[] {
  const uses: string[] = [];
  for (const block of text.matchAll(/```(sh|bash|shell)[^\n]*\n([\s\S]*?)```/g))
    for (const line of block[2]!.replace(/\\\n\s*/g, ' ').split('\n'))
      for (const part of line.replace(/\s#.*$/, '').split(/&&|\||;/))
        if (/(^|\s)credsweep\s/.test(part)) uses.push(part.slice(part.search(/credsweep\s/)).trim());
  for (const m of text.replace(/```[\s\S]*?```/g, '').matchAll(/`(?:npx )?(credsweep [^`\n]+)`/g))
    uses.push(m[1]!);
  return uses;
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

    it(`${page}: every #anchor names a heading of its page`, () => {
      const text = read(page).replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]*#[^)\s]+)\)/g)) {
        const [file, anchor] = m[1]!.split('#') as [string, string];
        if (/^[a-z]+:/.test(file) || (file !== '' && !file.endsWith('.md'))) continue;
        const target = file === '' ? page : join(dirname(page), decodeURI(file));
        assert.ok(anchorsOf(read(target)).has(anchor), `${page}: ${m[1]}: no such heading in ${target}`);
      }
    });
  }

  describe('every flag shown with a command is one that command has', async () => {
    const { ctx } = capturingContext(0);
    const program = await buildProgram(ctx, () => {});
    // `history prune` has its own flags and history's; every command has --help
    const flagsOf = new Map<string, Set<string>>();
    const walk = (command: Command, path: string, inherited: readonly string[]) => {
      const own = command.options.map((o) => o.long).filter((f): f is string => f !== undefined);
      flagsOf.set(path, new Set([...inherited, ...own, '--help']));
      for (const sub of command.commands) walk(sub, `${path} ${sub.name()}`, [...inherited, ...own]);
    };
    for (const command of program.commands) walk(command, command.name(), []);
    const longestFirst = [...flagsOf.keys()].sort((a, b) => b.length - a.length);

    it('the walk found the commands', () => {
      for (const path of ['audit', 'plan', 'apply', 'undo', 'history prune', 'export securityhub'])
        assert.ok(flagsOf.has(path), path);
    });

    for (const page of PAGES) {
      it(page, () => {
        const wrong: string[] = [];
        for (const use of usesIn(read(page))) {
          const words = use.replace(/^credsweep\s+/, '');
          const path = longestFirst.find((p) => words === p || words.startsWith(`${p} `));
          if (!path) continue; // prose: "credsweep reads …"
          for (const flag of words.slice(path.length).match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? [])
            if (!flagsOf.get(path)!.has(flag)) wrong.push(`credsweep ${path} has no ${flag}: ${use}`);
        }
        assert.deepEqual(wrong, []);
      });
    }
  });

  it('docs/library.md: its example prints what the page says it prints', async () => {
    const doc = read('docs/library.md');
    const example = /```js\n([\s\S]*?)```/.exec(doc)?.[1];
    const promised = /It prints `([^`]+)`/.exec(doc)?.[1];
    assert.ok(example && promised, 'a ```js example and "It prints `…`"');
    // Inside the repository `credsweep` is the package itself (a self-reference: package.json's name
    // and exports, built in dist/), as in a project that installed it; scripts/check-package.mjs runs
    // the same example against the packed tarball.
    const dir = join(REPO_ROOT, '.credsweep', `docs-test-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(join(dir, 'audit-report.mjs'), example);
      const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'audit-report.mjs')], {
        cwd: REPO_ROOT,
      });
      assert.equal(stdout.trim(), promised);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

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
