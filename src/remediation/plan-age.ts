/**
 * How old a plan's data may be when it is applied (`apply --max-plan-age`): pure, "now" given. Its
 * own module, loaded by the CLI's option definitions without the AWS SDK apply.ts brings.
 */
import { InputError } from '../errors.ts';
import type { RemediationPlan } from '../model/remediation-plan.ts';
import { type EpochMs, parseIsoDateTime } from '../time.ts';

/** `apply --max-plan-age`'s default, and applyPlan's when `maxPlanAgeMs` is not given: 24 hours. */
export const DEFAULT_MAX_PLAN_AGE_MS = 24 * 3_600_000;

/** Throws an InputError when the plan's data is older than `maxAgeMs` at `now`. */
export function checkPlanAge(plan: RemediationPlan, planFile: string, now: EpochMs, maxAgeMs: number): void {
  const collected = parseIsoDateTime(plan.dataCollectedAt)!;
  const ageMs = now - collected;
  if (ageMs > maxAgeMs) {
    // rounded up to the second: the limit is whole seconds, so the age shown is always more than it
    const shownAge = Math.ceil(ageMs / 1_000) * 1_000;
    throw new InputError(
      `the plan's data was collected ${formatDuration(shownAge)} ago (${plan.dataCollectedAt}), more than --max-plan-age ${formatDuration(maxAgeMs)}`,
      planFile,
      undefined,
      'audit and plan again, or pass a larger --max-plan-age',
    );
  }
}

/**
 * `25h 3m 20s`, `7d`, `45s`: to the second, parts that are zero left out (days from 72 hours), so
 * that an age and the --max-plan-age it exceeds never read the same (`0m ago, more than 0m` did).
 */
export function formatDuration(ms: number): string {
  let seconds = Math.floor(ms / 1_000);
  const parts: string[] = [];
  const days = seconds >= 72 * 3_600 ? Math.floor(seconds / 86_400) : 0;
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3_600);
  seconds -= hours * 3_600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  for (const [n, unit] of [
    [days, 'd'],
    [hours, 'h'],
    [minutes, 'm'],
    [seconds, 's'],
  ] as const)
    if (n > 0) parts.push(`${n}${unit}`);
  return parts.length > 0 ? parts.join(' ') : '0s';
}
