/**
 * A rule turns one principal into findings for the credentials it is about. Rules are pure: the
 * evaluation date comes in through the context, never from the clock.
 */
import type { ActivitySource, Caveat, CredentialKind, Finding, FindingStatus } from '../model/finding.ts';
import type { EvidenceSource, Principal } from '../model/inventory.ts';
import { type EpochMs, toIso, wholeDaysBetween } from '../time.ts';
import { counted } from '../plural.ts';

export interface EvaluationContext {
  asOf: EpochMs;
  /** A credential unused for at least this many days is `unused`. */
  thresholdDays: number;
  /** Per-kind overrides of `thresholdDays` (from the configuration file); a missing kind uses the default. */
  thresholds?: Partial<Record<ThresholdKind, number>>;
}

/**
 * The credential kinds a threshold applies to (both access-key slots share one). SSH public keys and
 * service-specific credentials have no last use in AWS: theirs is the age past which an active one is
 * `unverified` (or, with CloudTrail evidence of an SSH key's use, `unused`).
 */
export const THRESHOLD_KINDS = [
  'password',
  'access_key',
  'role',
  'permission',
  'ssh_public_key',
  'service_specific_credential',
] as const;
export type ThresholdKind = (typeof THRESHOLD_KINDS)[number];

/** The threshold for one kind of credential: its override, else the default. */
export function thresholdFor(ctx: EvaluationContext, kind?: ThresholdKind): number {
  return (kind === undefined ? undefined : ctx.thresholds?.[kind]) ?? ctx.thresholdDays;
}

/** How much an unused credential of a rule matters, lowest first (see ./severity.ts for a finding's). */
export const RULE_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof RULE_SEVERITIES)[number];

/** What the reports say about a rule: its id, title and the severity of its unused credentials. */
export interface RuleFacts {
  id: string;
  title: string;
  /** The severity of a finding of this rule whose credential is unused (./severity.ts adjusts it). */
  severity: Severity;
  /** The credential kinds this rule's findings carry: how a finding is traced back to its rule. */
  credentials: readonly CredentialKind[];
}

export interface Rule extends RuleFacts {
  rationale: string;
  /** Its findings for the principal; NO_FINDINGS (shared, frozen) when it has nothing to say. */
  evaluate(principal: Principal, ctx: EvaluationContext): readonly Finding[];
}

/**
 * What a rule returns for a principal without a credential of its kind: one frozen list, not a new
 * empty one per rule and principal (eight rules, a million rows).
 */
export const NO_FINDINGS: readonly Finding[] = Object.freeze([]);

/** ` according to CloudTrail` (or IAM Access Analyzer) when the last use is that evidence's. */
export function seenBy(source: EvidenceSource | undefined): string {
  if (source === 'cloudtrail') return ' according to CloudTrail';
  return source === 'access_analyzer' ? ' according to IAM Access Analyzer' : '';
}

function ageInWords(ageDays: number): string {
  if (ageDays === 0) return 'today';
  return `${counted(ageDays, 'day')} ago`;
}

/**
 * A finding's own facts, decided by its rule. A million-row report makes about 1.45 million findings:
 * the rule computes the age once (`ageDaysOf`) and passes plain values, with no closures or
 * option objects made per finding; the fields a kind of finding adds (key id, service, …) are set
 * on the returned finding, after the common ones.
 */
export interface FindingParts {
  credential: CredentialKind;
  status: FindingStatus;
  lastUsed: EpochMs | null;
  lastActivity: EpochMs;
  lastActivitySource: ActivitySource;
  /** `ageDaysOf(lastActivity, ctx)`. */
  ageDays: number;
  neverUsed: boolean;
  caveats: Caveat[];
  reason: string;
}

/**
 * Whole days from the last activity to the as-of date, rounded down; 0 for an activity after it (an
 * `--as-of` in the past, or a role used moments ago by a clock a little ahead of ours): such an
 * activity is in use at the as-of date, never a negative age, and never a day older than it is. The
 * finding says so (caveat `used_after_as_of`, buildFinding) and its reason too (whenInWords).
 */
export function ageDaysOf(lastActivity: EpochMs, ctx: EvaluationContext): number {
  return Math.max(0, wholeDaysBetween(lastActivity, ctx.asOf));
}

/** `90 days ago`, `today`, or `after the as-of date`: when `at` was, seen from the as-of date. */
export function whenInWords(at: EpochMs, ctx: EvaluationContext): string {
  return at > ctx.asOf ? 'after the as-of date' : ageInWords(ageDaysOf(at, ctx));
}

export function buildFinding(principal: Principal, ctx: EvaluationContext, parts: FindingParts): Finding {
  const lastActivity = toIso(parts.lastActivity);
  const caveats: Caveat[] =
    parts.lastActivity > ctx.asOf ? [...parts.caveats, 'used_after_as_of'] : parts.caveats;
  return {
    accountId: principal.accountId,
    principalType: principal.type,
    principalName: principal.name,
    arn: principal.arn,
    credential: parts.credential,
    status: parts.status,
    // The last use is often the last activity: one date formatted, not two.
    lastUsed:
      parts.lastUsed === null
        ? null
        : parts.lastUsed === parts.lastActivity
          ? lastActivity
          : toIso(parts.lastUsed),
    lastActivity,
    lastActivitySource: parts.lastActivitySource,
    ageDays: parts.ageDays,
    neverUsed: parts.neverUsed,
    caveats,
    reason: parts.reason,
  };
}

/**
 * True when an activity is at least `threshold` days before the as-of date. An activity after the
 * as-of date is never past it, whatever the threshold (`--days 0` included): its age reads 0, but the
 * credential was in use then.
 */
export function pastThreshold(lastActivity: EpochMs, ctx: EvaluationContext, threshold: number): boolean {
  return lastActivity <= ctx.asOf && ageDaysOf(lastActivity, ctx) >= threshold;
}

/** The status of an active, usage-tracked credential last active at `lastActivity`. */
export function statusByThreshold(
  lastActivity: EpochMs,
  ctx: EvaluationContext,
  kind?: ThresholdKind,
): FindingStatus {
  return pastThreshold(lastActivity, ctx, thresholdFor(ctx, kind)) ? 'unused' : 'in_use';
}

export function thresholdNote(ctx: EvaluationContext, kind?: ThresholdKind): string {
  const days = thresholdFor(ctx, kind);
  let note = THRESHOLD_NOTES.get(days);
  if (note === undefined) {
    note = `(threshold ${days})`;
    if (THRESHOLD_NOTES.size < 64) THRESHOLD_NOTES.set(days, note);
  }
  return note;
}

// The few thresholds a run uses, their notes made once rather than for every finding.
const THRESHOLD_NOTES = new Map<number, string>();

/**
 * The reason's note for a credential IAM listed in a status this version does not know (reported as if
 * active, caveat `status_unknown`): empty for a known status.
 */
export function unknownStatusNote(status: string | undefined): string {
  return status === undefined ? '' : `; IAM lists it ${inUnknownStatus(status)}`;
}

/** `in status X, which this version of credsweep does not know (reported as if active)`; '' reads (none). */
export function inUnknownStatus(status: string): string {
  return `in status ${status || '(none)'}, which this version of credsweep does not know (reported as if active)`;
}
