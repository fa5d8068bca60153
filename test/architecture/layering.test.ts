/**
 * The layering the folder tree promises (../shared/STYLE.md "A layout that shows it"), enforced:
 * model/ and rules/ never import sources/, aws/ or cli/; no command module imports another; no
 * import cycle anywhere in src/. The import graph is a plain walk of the import specifiers (the
 * TypeScript 7 package has no JavaScript compiler API): static, dynamic (`await import(…)`),
 * re-exports and type-only imports alike, since a type-only import still ties the layers together.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The module specifiers a file names in import/export-from statements and import() calls. */
export function importSpecifiers(text: string): string[] {
  // Comments may quote imports (examples in doc comments); they are not edges.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) found.push(m[1]!);
  return found;
}

/** src-relative path → the src-relative paths it imports (relative specifiers only). */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = importSpecifiers(readFileSync(file, 'utf8'))
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => relative(SRC, resolve(dirname(file), spec)));
    graph.set(relative(SRC, file), [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle's members, one list per strongly connected component of more than one file. */
export function importCycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles;
}

const layerOf = (path: string) => path.split('/')[0]!;
const isCommand = (path: string) => path.startsWith('cli/commands/');

export function layeringViolations(graph: Map<string, string[]>): string[] {
  const violations: string[] = [];
  for (const [file, imports] of graph) {
    for (const target of imports) {
      if (['model', 'rules'].includes(layerOf(file)) && ['sources', 'aws', 'cli'].includes(layerOf(target))) {
        violations.push(`${file} imports ${target}`);
      }
      if (isCommand(file) && isCommand(target) && target !== file) {
        violations.push(`command ${file} imports command ${target}`);
      }
    }
  }
  return violations.sort();
}

const graph = importGraph(sourceFiles(SRC));

describe('layering of src/', () => {
  it('model/ and rules/ import no source, AWS or CLI module; no command module imports another', () => {
    assert.deepEqual(layeringViolations(graph), []);
  });

  it('has no import cycle', () => {
    assert.deepEqual(importCycles(graph), []);
  });

  it('sees every form of import', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      'import {',
      '  c,',
      "} from './c.ts';",
      "export { d } from './d.ts';",
      "export * from './e.ts';",
      "import './f.ts';",
      "const { g } = await import('./g.ts');",
      "/** import { z } from './in-a-comment.ts'; */",
      "// const y = await import('./commented-out.ts');",
    ].join('\n');
    assert.deepEqual(importSpecifiers(text).sort(), [
      '../b.ts',
      './a.ts',
      './c.ts',
      './d.ts',
      './e.ts',
      './f.ts',
      './g.ts',
    ]);
  });

  it('the checks catch what they are for (a small graph with each fault)', () => {
    const faulty = new Map([
      ['rules/a.ts', ['sources/x.ts']],
      ['model/b.ts', ['cli/c.ts']],
      ['cli/commands/plan.ts', ['cli/commands/audit.ts']],
      ['cli/commands/audit.ts', ['cli/emit.ts']],
      ['cli/emit.ts', ['cli/commands/audit.ts']],
      ['sources/x.ts', []],
      ['cli/c.ts', []],
    ]);
    assert.deepEqual(layeringViolations(faulty), [
      'command cli/commands/plan.ts imports command cli/commands/audit.ts',
      'model/b.ts imports cli/c.ts',
      'rules/a.ts imports sources/x.ts',
    ]);
    assert.deepEqual(importCycles(faulty), [['cli/commands/audit.ts', 'cli/emit.ts']]);
  });
});
