/**
 * Reading and linting CloudFormation templates in tests: cfn-lint on PATH (a missing cfn-lint
 * fails, never skips), the short-form tags (!Ref, !Sub, !If, …) read as plain `{ Ref: … }` values,
 * and `!If [cond, a, b]` statements expanded to both branches.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export interface CfnLintRun {
  code: number | null;
  output: string;
}

export function cfnLint(file: string, ...args: string[]): CfnLintRun {
  const run = spawnSync('cfn-lint', [...args, '--', file], { encoding: 'utf8', timeout: 180_000 });
  if (run.error)
    throw new Error(`cfn-lint could not run (is it on PATH? pip install cfn-lint): ${run.error.message}`);
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

const LINT_EACH = fileURLToPath(new URL('./cfn_lint_each.py', import.meta.url));

/**
 * cfnLint(file, ...args) for each [file, ...args], the same exit codes and output, in one Python
 * process (cfn_lint_each.py: cfn-lint's ~2.5 s of CPU to start paid once, not per run). Run by the
 * Python of cfn-lint's own script, else python3; one cfn-lint process per run if neither imports it.
 */
export function cfnLintEach(runs: Array<[file: string, ...args: string[]]>): CfnLintRun[] {
  const argvs = runs.map(([file, ...args]) => [...args, '--', file]);
  for (const python of cfnLintPythons()) {
    const run = spawnSync(python, [LINT_EACH], {
      input: JSON.stringify(argvs),
      encoding: 'utf8',
      timeout: 180_000 + 60_000 * runs.length,
    });
    if (run.status === 0) return JSON.parse(run.stdout) as CfnLintRun[];
    if (run.error || run.status === 97) continue; // no such Python, or it has no cfn-lint
    throw new Error(`cfn_lint_each.py failed (exit ${run.status}): ${run.stderr.slice(-2000)}`);
  }
  return runs.map(([file, ...args]) => cfnLint(file, ...args));
}

function cfnLintPythons(): string[] {
  const which = spawnSync('sh', ['-c', 'command -v cfn-lint'], { encoding: 'utf8' });
  const script = which.status === 0 ? which.stdout.trim() : '';
  let shebang: string | undefined;
  try {
    shebang = /^#!\s*(\S*python[\d.]*)\s*$/.exec(readFileSync(script, 'utf8').split('\n', 1)[0] ?? '')?.[1];
  } catch {
    // no cfn-lint on PATH: cfnLint says so
  }
  return shebang ? [shebang, 'python3'] : ['python3'];
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
