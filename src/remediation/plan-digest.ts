/**
 * Tamper evidence for plans and journals. A plan carries a digest of its canonical content (keys
 * sorted, no whitespace, without the `digest` field): SHA-256, or with a plan key an HMAC-SHA256, so
 * a plan made in one place (a CI job) cannot be altered before it is applied elsewhere. Without a key
 * the digest catches edits by hand and corruption, not someone who recomputes it: apply's live
 * re-checks are what stand between such a plan and AWS (docs/remediation.md). Journal lines carry the
 * plan's digest, and with a key an HMAC of themselves.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { InputError, UsageError } from '../errors.ts';
import { MIB, readWholeFileSync } from '../files/read-whole.ts';
import type { JournalEntry } from '../model/remediation-journal.ts';
import type { PlanDigest, RemediationPlan, UnsealedPlan } from '../model/remediation-plan.ts';

/** The plan key: raw bytes, never printed. */
export type PlanKey = Buffer;

/** JSON with object keys sorted at every level and no whitespace: one text per value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function digestOf(content: unknown, key: PlanKey | undefined): PlanDigest {
  const text = canonicalJson(content);
  return key
    ? { algorithm: 'hmac-sha256', value: createHmac('sha256', key).update(text).digest('hex') }
    : { algorithm: 'sha256', value: createHash('sha256').update(text).digest('hex') };
}

export function sealPlan(plan: UnsealedPlan, key: PlanKey | undefined): RemediationPlan {
  return { ...plan, digest: digestOf(plan, key) };
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** Throws an InputError (exit 2, one line) unless the plan's digest is its content's, sealed as expected. */
export function verifyPlanDigest(plan: RemediationPlan, file: string, key: PlanKey | undefined): void {
  const { digest, ...content } = plan;
  if (key && digest.algorithm !== 'hmac-sha256') {
    throw new InputError(
      'the plan is not sealed with the plan key (sha256 digest, a key is set): refusing it',
      file,
      undefined,
      'make the plan again where CREDSWEEP_PLAN_KEY (or --plan-key-file) is set',
    );
  }
  if (!key && digest.algorithm === 'hmac-sha256') {
    throw new UsageError(
      `${file}: the plan is sealed with a plan key: set CREDSWEEP_PLAN_KEY or give --plan-key-file`,
    );
  }
  if (!sameHex(digestOf(content, key).value, digest.value)) {
    throw new InputError(
      `the plan does not match its digest (${digest.algorithm}): it was changed after it was made`,
      file,
      undefined,
      'make the plan again with credsweep plan',
    );
  }
}

/**
 * True when the plan is sealed with `key`: an HMAC-SHA256 digest that matches its content. Only such a
 * plan was made by someone holding the key; anyone can recompute any other digest.
 */
export function sealedWithKey(plan: RemediationPlan, key: PlanKey | undefined): boolean {
  if (!key || plan.digest.algorithm !== 'hmac-sha256') return false;
  const { digest, ...content } = plan;
  return sameHex(digestOf(content, key).value, digest.value);
}

/** The journal line with its HMAC (with a key), else as is. */
export function macJournalEntry(entry: JournalEntry, key: PlanKey | undefined): JournalEntry {
  if (!key) return entry;
  const { mac: _, ...content } = entry;
  return { ...content, mac: createHmac('sha256', key).update(canonicalJson(content)).digest('hex') };
}

/** True when the line's HMAC is right (always true without a key: nothing to check against). */
export function journalEntryMacValid(entry: JournalEntry, key: PlanKey | undefined): boolean {
  if (!key) return true;
  if (entry.mac === undefined) return false;
  return sameHex(macJournalEntry(entry, key).mac!, entry.mac);
}

const MAX_PLAN_KEY_BYTES = MIB;

/** The plan key: --plan-key-file's bytes (trailing newline dropped), else $CREDSWEEP_PLAN_KEY, else none. */
export function resolvePlanKey(keyFile: string | undefined, env: NodeJS.ProcessEnv): PlanKey | undefined {
  if (keyFile !== undefined) {
    // A file or a pipe (<(vault read …)); a key is bytes, not megabytes: /dev/zero is refused.
    const bytes = readWholeFileSync(keyFile, { maxBytes: MAX_PLAN_KEY_BYTES });
    if (bytes === undefined) throw new InputError('no such file', keyFile);
    const trimmed = bytes.subarray(0, bytes.length - (bytes.at(-1) === 0x0a ? 1 : 0));
    if (trimmed.length < 16) throw new InputError('a plan key needs at least 16 bytes', keyFile);
    return trimmed;
  }
  const fromEnv = env.CREDSWEEP_PLAN_KEY;
  if (fromEnv === undefined || fromEnv === '') return undefined;
  if (fromEnv.length < 16)
    throw new UsageError('CREDSWEEP_PLAN_KEY: a plan key needs at least 16 characters');
  return Buffer.from(fromEnv, 'utf8');
}
