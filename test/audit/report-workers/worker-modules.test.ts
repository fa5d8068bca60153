/**
 * What a report audit worker thread loads (dist, as the package runs it): every module a worker loads
 * costs each thread CPU at start-up and RSS for the whole audit (zod, pulled in through
 * src/model/finding.ts, cost ~0.1 s and ~6 MB a thread), so the worker's module graph is the
 * parser, grouping, rules, judge, exemptions and the per-finding renderers, and no other package
 * than papaparse. Static imports only: the worker has no dynamic ones.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;

function moduleGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const walk = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = (m[1] ?? m[2])!;
      if (specifier.startsWith('.')) walk(resolve(dirname(file), specifier));
      else if (!specifier.startsWith('node:')) packages.add(specifier);
    }
  };
  walk(resolve(root, entry));
  return { files: [...files].map((f) => relative(root, f)).sort(), packages: [...packages].sort() };
}

describe('report audit worker modules', () => {
  it('loads papaparse and no other package (no zod, no schemas, no AWS SDK)', () => {
    const { files, packages } = moduleGraph('dist/audit/report-workers/part-worker.js');
    assert.deepEqual(packages, ['papaparse']);
    assert.ok(files.includes('dist/audit/judge.js'), files.join('\n'));
    assert.ok(!files.includes('dist/model/finding.js'), files.join('\n'));
  });
});
