/**
 * Validates a configuration text. JSON is parsed as YAML (a subset), so both get the same error
 * messages: `credsweep: <file>:<line>: <key.path>: <what>`.
 */
import { type Document, isNode, LineCounter, parseDocument, visit } from 'yaml';
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
  // The line of the offending value, or of the nearest enclosing one that exists (a missing key).
  let line: number | undefined;
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

function knownKeys(path: readonly PropertyKey[]): string {
  if (path.length === 0) return Object.keys(configSchema.shape).join(', ');
  if (path[0] === 'notifications')
    return 'snsTopicArn, ownerWarningDays, graceDays, ownerWebhookAllow, webhookTimeoutMs, exemptionHowTo';
  if (path[0] === 'exemptions') return 'principal, arn, tag, credentials, owner, reason, expires';
  return 'see the README';
}
