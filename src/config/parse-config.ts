/**
 * Validates a configuration text. JSON is parsed as YAML (a subset), so both get the same error
 * messages: `credsweep: <file>:<line>: <key.path>: <what>`.
 */
import { type Document, isMap, isNode, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../errors.ts';
import { assertSize, MAX_ALIAS_EXPANSIONS } from './config-limits.ts';
import { type CredsweepConfig, configSchema } from './schema.ts';

/** The document as plain data; an alias bomb is an input error at its first alias, not a crash. */
function toData(doc: Document, lineCounter: LineCounter, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch (e) {
    let offset: number | undefined;
    visit(doc, {
      Alias(_, node) {
        offset = node.range?.[0];
        return visit.BREAK;
      },
    });
    const line = offset === undefined ? undefined : lineCounter.linePos(offset).line;
    const what =
      e instanceof ReferenceError && /alias/i.test(e.message)
        ? `YAML aliases expand past the limit of ${MAX_ALIAS_EXPANSIONS} (an alias bomb?)`
        : `not valid JSON or YAML: ${(e as Error).message.split('\n')[0]}`;
    throw new InputError(what, file, line);
  }
}

/** Pure: text in, validated config out; errors name the file, the line and the key path. */
export function parseConfig(text: string, file: string): CredsweepConfig {
  assertSize(text, file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = syntax.linePos?.[0]?.line;
    throw new InputError(
      `not valid JSON or YAML: ${syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      file,
      line,
    );
  }
  const data = toData(doc, lineCounter, file) ?? {};
  const result = configSchema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const keys = (issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path) as (
    | string
    | number
  )[];
  // An unknown key's own line (its value, when a mapping, starts on the next); otherwise the line of
  // the offending value, or of the nearest enclosing one that exists (a missing key).
  let line =
    issue.code === 'unrecognized_keys'
      ? keyLine(doc, issue.path as (string | number)[], issue.keys[0]!, lineCounter)
      : undefined;
  for (let n = keys.length; n >= 0 && line === undefined; n--) {
    const node = doc.getIn(keys.slice(0, n), true);
    const offset = isNode(node) ? node.range?.[0] : undefined;
    if (offset !== undefined) line = lineCounter.linePos(offset).line;
  }
  const path = keys.map(String).join('.') || '(top level)';
  const missing = issue.code === 'invalid_type' && doc.getIn(keys) === undefined && !doc.hasIn(keys);
  return throwIssue(issue, path, file, line, missing);
}

function throwIssue(
  issue: z.core.$ZodIssue,
  path: string,
  file: string,
  line: number | undefined,
  missing: boolean,
): never {
  const what =
    issue.code === 'unrecognized_keys'
      ? `unknown key (known: ${knownKeys(issue.path)})`
      : missing
        ? 'required'
        : issue.message;
  throw new InputError(`${path}: ${what}`, file, line);
}

/** The line of `key` in the mapping at `path`. */
function keyLine(
  doc: Document,
  path: readonly (string | number)[],
  key: string,
  lineCounter: LineCounter,
): number | undefined {
  const parent = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => (isScalar(p.key) ? String(p.key.value) : p.key) === key);
  const offset = isNode(pair?.key) ? pair.key.range?.[0] : undefined;
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

/**
 * The keys the schema knows at `path`, read from the schema itself (a hand-kept list for each
 * section drifted: it missed notifications.plannedSteps, and gave plannedSteps' unknown keys the
 * list of notifications'). Keys that exist only to be refused with a reason (webhookUrl) are left out.
 */
export function knownKeys(path: readonly PropertyKey[]): string {
  let schema: z.core.$ZodType | undefined = configSchema;
  for (const segment of path) schema = schema && childSchema(unwrap(schema), segment);
  const def = schema && unwrap(schema)._zod.def;
  if (def?.type === 'object') {
    const shape = (def as z.core.$ZodObjectDef).shape;
    return Object.keys(shape)
      .filter((k) => unwrap(shape[k]!)._zod.def.type !== 'undefined')
      .join(', ');
  }
  if (def?.type === 'record') {
    const keyType = unwrap((def as z.core.$ZodRecordDef).keyType)._zod.def;
    if (keyType.type === 'enum') return Object.values((keyType as z.core.$ZodEnumDef).entries).join(', ');
  }
  return 'see docs/configuration.md';
}

/** The schema inside optional(), default(), nullable() and the like. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let s = schema;
  for (;;) {
    const def = s._zod.def as { type: string; innerType?: z.core.$ZodType };
    if (
      def.innerType === undefined ||
      !['optional', 'default', 'nullable', 'readonly', 'catch', 'prefault'].includes(def.type)
    )
      return s;
    s = def.innerType;
  }
}

function childSchema(schema: z.core.$ZodType, segment: PropertyKey): z.core.$ZodType | undefined {
  const def = schema._zod.def;
  if (def.type === 'object') return (def as z.core.$ZodObjectDef).shape[String(segment)];
  if (def.type === 'array') return (def as z.core.$ZodArrayDef).element;
  if (def.type === 'record') return (def as z.core.$ZodRecordDef).valueType;
  return undefined;
}
