/**
 * What makes a plan file unusable as a whole (exit 2, one line, before any AWS call): a digest that
 * does not match its content (plan-digest.ts), a step that appears twice, or a step whose expected
 * last use is later than the plan's data was collected (a real audit cannot have seen it), or a plan
 * dated after now.
 */
import { InputError } from '../errors.ts';
import { credentialIdOf, type PlanStep, type RemediationPlan } from '../model/remediation-plan.ts';
import { type EpochMs, parseIsoDateTime, toIso } from '../time.ts';
import { type PlanKey, verifyPlanDigest } from './plan-digest.ts';

/** The credential a step acts on, whatever its id says. */
export function stepTarget(s: PlanStep): string {
  const id = credentialIdOf(s) ?? '';
  return `${s.accountId}/${s.principalType}/${s.principalName.toLowerCase()}/${s.credential}/${id}`;
}

export function verifyPlan(plan: RemediationPlan, file: string, key: PlanKey | undefined): void {
  verifyPlanDigest(plan, file, key);
  const collected = parseIsoDateTime(plan.dataCollectedAt)!;
  const ids = new Set<string>();
  const targets = new Set<string>();
  const credentialIds = new Set<string>();
  for (const [i, s] of plan.steps.entries()) {
    const where = `steps.${i} (${s.id})`;
    const credentialId = credentialIdOf(s);
    if (
      ids.has(s.id) ||
      targets.has(stepTarget(s)) ||
      (credentialId !== undefined && credentialIds.has(credentialId))
    ) {
      throw new InputError(`${where}: the same step or credential appears twice: the plan is invalid`, file);
    }
    ids.add(s.id);
    targets.add(stepTarget(s));
    if (credentialId !== undefined) credentialIds.add(credentialId);
    // Whole seconds: the credential report and the audit's generatedAt may differ in precision.
    const lastUsed = s.expected.lastUsed === null ? null : parseIsoDateTime(s.expected.lastUsed);
    if (lastUsed !== null && Math.floor(lastUsed / 1000) > Math.floor(collected / 1000)) {
      throw new InputError(
        `${where}: expected.lastUsed ${s.expected.lastUsed} is later than dataCollectedAt ${plan.dataCollectedAt}: the plan is invalid`,
        file,
      );
    }
  }
}

/** How far a plan's own clock may run ahead of apply's (two machines' clocks, NTP aside). */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * A plan made, or its data collected, later than now is not one a real run made: apply's "used since
 * the plan" check counts from that date, and a forged future date (an unsealed plan) would hide any
 * use before it. Exit 2, one line, before any AWS call.
 */
export function checkPlanNotFromFuture(plan: RemediationPlan, file: string, now: EpochMs): void {
  for (const [field, value] of [
    ['dataCollectedAt', plan.dataCollectedAt],
    ['createdAt', plan.createdAt],
  ] as const) {
    const at = parseIsoDateTime(value);
    if (at !== null && at > now + CLOCK_SKEW_MS) {
      throw new InputError(
        `${field} ${value} is later than now (${toIso(now)}): the plan is invalid (edited, or a clock is wrong)`,
        file,
      );
    }
  }
}
