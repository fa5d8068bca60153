/**
 * Reading and linting CloudFormation templates in tests: cfn-lint on PATH (a missing cfn-lint
 * fails, never skips), the short-form tags (!Ref, !Sub, !If, …) read as plain `{ Ref: … }` values,
 * and `!If [cond, a, b]` statements expanded to both branches.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export function cfnLint(file: string, ...args: string[]) {
  const run = spawnSync('cfn-lint', [...args, '--', file], { encoding: 'utf8', timeout: 180_000 });
  if (run.error)
    throw new Error(`cfn-lint could not run (is it on PATH? pip install cfn-lint): ${run.error.message}`);
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

const NAMES = ['Ref', 'Sub', 'GetAtt', 'If', 'Equals', 'Not', 'Condition', 'Select', 'Split', 'Join'];
// CloudFormation's short-form tags as plain values: enough to read the structure.
const CFN_TAGS = NAMES.flatMap((name) =>
  (['scalar', 'seq'] as const).map((collection) => ({
    tag: `!${name}`,
    collection: collection === 'seq' ? ('seq' as const) : undefined,
    // A sequence arrives as a YAMLSeq node: made plain so `!If [cond, a, b]` can be read.
    resolve: (value: unknown) => ({ [name]: (value as { toJSON?: () => unknown }).toJSON?.() ?? value }),
  })),
);

// biome-ignore lint/suspicious/noExplicitAny: walking an untyped CloudFormation tree
export type Json = Record<string, any>;

export function readTemplate(file: string): { text: string; template: Json } {
  const text = readFileSync(file, 'utf8');
  return { text, template: parse(text, { customTags: CFN_TAGS as never }) as Json };
}

/** A value, or each branch of an `!If [cond, a, b]` (AWS::NoValue dropped). */
export function everyBranch<T = Json>(value: T | T[]): T[] {
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((s) => {
    const node = s as Json;
    return node?.If ? [node.If[1], node.If[2]].filter((b: Json) => b?.Ref !== 'AWS::NoValue') : [s];
  });
}

export function actionsOf(statement: Json): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}
