/**
 * The thresholds apply judges a plan's steps with (pure). A plan sealed with the plan key was made by
 * someone holding the key: apply keeps its recorded thresholds and --delete-after, and its own
 * `--days` / `--delete-after` can only raise them (raising is always the safe side). Anyone can
 * recompute any other plan's digest (plan-digest.ts), so its recorded values only count when they are
 * stricter: apply judges each kind with the largest of the plan's, the configuration file's
 * (`thresholds[kind]` ?? `days`) and `apply --days` (the audit's default when neither of the last two is
 * given): --days raises the configuration's value, never lowers it. It deletes after
 * the larger of the plan's --delete-after and its own (`apply --delete-after`, else plan's default).
 */
import { AUDIT_DEFAULTS } from '../audit/settings.ts';
import type { RemediationPlan } from '../model/remediation-plan.ts';
import { counted } from '../plural.ts';
import { THRESHOLD_KINDS, type ThresholdKind } from '../rules/rule.ts';

/** plan's --delete-after when not given, and apply's own when it is not given either. */
export const DEFAULT_DELETE_AFTER_DAYS = 30;

/** What apply itself would judge by: its flags and the configuration file it read. */
export interface ApplyOwnThresholds {
  /** `apply --days`: every kind. */
  days?: number;
  /** `apply --delete-after`. */
  deleteAfterDays?: number;
  /** The configuration file apply read. */
  config?: { days?: number | undefined; thresholds?: Partial<Record<ThresholdKind, number>> | undefined };
}

/**
 * What an action's re-check is judged by: a threshold kind, `default` (the plan's default threshold:
 * signing certificates have no kind) or `delete_after` (credsweep deletes what it deactivated or
 * quarantined that many days ago).
 */
export type JudgedBy = ThresholdKind | 'default' | 'delete_after';

/** One value where apply's judgement and the plan's record differ. */
export interface JudgedValue {
  by: JudgedBy;
  /** The plan's recorded value. */
  plan: number;
  /** What apply judges with (raised), or the flag given (not lowered). */
  value: number;
  /** Raised to the configuration file's value, which `apply --days` can raise but not lower. */
  byConfig?: true;
}

export interface ApplyThresholds {
  /** The plan is sealed with the plan key apply was given. */
  sealed: boolean;
  thresholdDays(kind?: ThresholdKind): number;
  deleteAfterDays: number;
  /** Where apply judges with a larger value than the plan recorded. */
  raised: JudgedValue[];
  /** Where `apply --days` / `--delete-after` was smaller than the plan's: the plan's holds. */
  notLowered: JudgedValue[];
}

const ALL: readonly (ThresholdKind | undefined)[] = [undefined, ...THRESHOLD_KINDS];

export function applyThresholds(
  plan: RemediationPlan,
  own: ApplyOwnThresholds,
  sealed: boolean,
): ApplyThresholds {
  const recorded = (kind?: ThresholdKind) =>
    (kind === undefined ? undefined : plan.audit.thresholds[kind]) ?? plan.audit.thresholdDays;
  // A sealed plan's values stand unless a flag raises them; any other plan's meet apply's own: the
  // configuration's value for the kind, which apply --days may raise but never lower (without a
  // configuration, --days replaces the audit's default).
  const configured = (kind?: ThresholdKind): number | undefined =>
    (kind === undefined ? undefined : own.config?.thresholds?.[kind]) ?? own.config?.days;
  const floor = (kind?: ThresholdKind): number | undefined => {
    if (sealed) return own.days;
    const fromConfig = configured(kind);
    if (own.days === undefined) return fromConfig ?? AUDIT_DEFAULTS.days;
    return Math.max(own.days, fromConfig ?? 0);
  };
  const judged = (kind?: ThresholdKind) => Math.max(recorded(kind), floor(kind) ?? 0);
  const deleteFloor = sealed ? own.deleteAfterDays : (own.deleteAfterDays ?? DEFAULT_DELETE_AFTER_DAYS);
  const deleteAfterDays = Math.max(plan.options.deleteAfterDays, deleteFloor ?? 0);

  const raised: JudgedValue[] = [];
  const notLowered: JudgedValue[] = [];
  for (const kind of ALL) {
    const by = kind ?? 'default';
    if (judged(kind) > recorded(kind)) {
      const fromConfig = sealed ? undefined : configured(kind);
      const byConfig =
        fromConfig !== undefined && judged(kind) === fromConfig && (own.days ?? 0) < fromConfig;
      raised.push({ by, plan: recorded(kind), value: judged(kind), ...(byConfig ? { byConfig } : {}) });
    }
    if (own.days !== undefined && own.days < recorded(kind))
      notLowered.push({ by, plan: recorded(kind), value: own.days });
  }
  if (deleteAfterDays > plan.options.deleteAfterDays) {
    raised.push({ by: 'delete_after', plan: plan.options.deleteAfterDays, value: deleteAfterDays });
  }
  if (own.deleteAfterDays !== undefined && own.deleteAfterDays < plan.options.deleteAfterDays) {
    notLowered.push({ by: 'delete_after', plan: plan.options.deleteAfterDays, value: own.deleteAfterDays });
  }
  return { sealed, thresholdDays: judged, deleteAfterDays, raised, notLowered };
}

const LABELS: Record<Exclude<JudgedBy, 'delete_after'>, string> = {
  default: 'signing certificates',
  password: 'passwords',
  access_key: 'access keys',
  role: 'roles',
  permission: 'permissions',
  ssh_public_key: 'SSH public keys',
  service_specific_credential: 'service-specific credentials',
};

/** Values grouped by (value, plan): `access keys and roles with 90 days, not the plan's 0`. */
function describeRaised(values: readonly JudgedValue[]): string {
  return grouped(values)
    .map(({ labels, value, plan }) =>
      labels === 'deletions'
        ? `deletes after ${counted(value, 'day')}, not the plan's ${plan}`
        : `judges ${labels} with ${counted(value, 'day')}, not the plan's ${plan}`,
    )
    .join('; ');
}

function grouped(values: readonly JudgedValue[]): { labels: string; value: number; plan: number }[] {
  const groups = new Map<string, { labels: string[]; value: number; plan: number }>();
  for (const v of values) {
    const key = v.by === 'delete_after' ? 'delete' : `${v.value}/${v.plan}`;
    const group = groups.get(key) ?? { labels: [], value: v.value, plan: v.plan };
    group.labels.push(v.by === 'delete_after' ? 'deletions' : LABELS[v.by]);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => ({ ...g, labels: andList(g.labels) }));
}

function andList(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * Which flag changes the raised values of an unsealed plan: `apply --days` / `--delete-after`, except
 * where the configuration file set the value, which `apply --days` can only raise.
 */
function howToChange(raised: readonly JudgedValue[]): string {
  const flags = [
    ...(raised.some((v) => v.by !== 'delete_after' && !v.byConfig) ? ['--days'] : []),
    ...(raised.some((v) => v.by === 'delete_after') ? ['--delete-after'] : []),
  ];
  const configured = raised.filter((v) => v.byConfig);
  const parts = flags.length > 0 ? [`apply ${flags.join(' and ')} to change it`] : [];
  if (configured.length > 0) {
    const labels = andList(configured.map((v) => LABELS[v.by as Exclude<JudgedBy, 'delete_after'>]));
    parts.push(`the configuration file sets it for ${labels}, and apply --days can only raise that`);
  }
  return parts.join('; ');
}

/**
 * The lines apply shows before the steps (and with --yes) when it judges with other values than the
 * plan recorded, for what the steps are judged by (`used`); none when it judges as the plan says.
 */
export function describeApplyThresholds(t: ApplyThresholds, used: ReadonlySet<JudgedBy>): string[] {
  const lines: string[] = [];
  const raised = t.raised.filter((v) => used.has(v.by));
  if (raised.length > 0) {
    const flags = [
      ...(raised.some((v) => v.by !== 'delete_after') ? ['--days'] : []),
      ...(raised.some((v) => v.by === 'delete_after') ? ['--delete-after'] : []),
    ];
    const rejudged = 'each step below is judged again with it right before it is carried out';
    lines.push(
      t.sealed
        ? `apply ${flags.join(' and ')} raise${flags.length > 1 ? '' : 's'} the sealed plan's values: apply ${describeRaised(raised)}; ${rejudged}`
        : `this plan is not sealed with a plan key: apply ${describeRaised(raised)} (${howToChange(raised)}); ${rejudged}`,
    );
  }
  const kept = t.notLowered.filter((v) => used.has(v.by));
  for (const flag of ['--days', '--delete-after'] as const) {
    const mine = kept.filter((v) => (v.by === 'delete_after') === (flag === '--delete-after'));
    if (mine.length === 0) continue;
    const stay = grouped(mine)
      .map(({ labels, plan }) => `${labels} stay at the plan's ${counted(plan, 'day')}`)
      .join('; ');
    lines.push(`apply ${flag} ${mine[0]!.value} only raises a plan's values, never lowers them: ${stay}`);
  }
  return lines;
}
