/**
 * Is a principal's credential exempt now? The exempt tag (src/rules/index.ts: `credsweep:exempt=true`
 * always, and any `--exempt-tag` besides) and the configuration file's exemptions
 * (src/config/exemptions.ts: name, ARN glob, tag, expiry) — the same code the audit uses, asked again
 * by `plan --from` (the credential report has no tags) and by `apply` right before each step (an
 * exemption added after planning wins).
 */
import { ExemptionMatcher } from '../config/exemptions.ts';
import type { Exemption } from '../config/schema.ts';
import type { CredentialKind, Finding } from '../model/finding.ts';
import type { PlanStep } from '../model/remediation-plan.ts';
import { DEFAULT_EXEMPTION, type ExemptionPolicy, exemptTagReason } from '../rules/index.ts';
import type { EpochMs } from '../time.ts';
import type { LivePrincipal, Tags } from './principal.ts';

export type CredentialRef = Pick<
  Finding,
  'accountId' | 'principalType' | 'principalName' | 'arn' | 'credential'
>;

/** Why the credential is exempt at `asOf`, or null. */
export type ExemptionCheck = (credential: CredentialRef, tags: Tags) => string | null;

/**
 * The default exempt tag, the configuration's `exemptions` at `asOf`, and `exemptTags` besides (plan's
 * `--exempt-tag`; apply's: the ones the plan recorded). Another tag only adds to the default one.
 */
export function exemptionCheck(
  exemptions: readonly Exemption[],
  asOf: EpochMs,
  exemptTags: readonly ExemptionPolicy[] = [],
): ExemptionCheck {
  const matcher = exemptions.length > 0 ? new ExemptionMatcher(exemptions, asOf) : undefined;
  const byTags = [DEFAULT_EXEMPTION, ...exemptTags];
  return (credential, tags) => {
    const byTag = firstTagReason(tags, byTags);
    if (byTag !== undefined) return byTag;
    if (!matcher) return null;
    const probe: Finding = {
      ...credential,
      status: 'unused',
      lastUsed: null,
      lastActivity: '1970-01-01T00:00:00Z',
      lastActivitySource: 'created',
      ageDays: 0,
      neverUsed: true,
      caveats: [],
      reason: 'planned',
    };
    const judged = matcher.apply(probe, tags);
    return judged.status === 'exempt' ? judged.reason : null;
  };
}

/**
 * `check`, and the exempt tags `exemptTags` besides (those a plan recorded: apply honours them
 * whatever check its caller built). A tag can only add protection: the default tag and the
 * configuration's exemptions stay `check`'s.
 */
export function withExemptTags(
  check: ExemptionCheck,
  exemptTags: readonly ExemptionPolicy[],
): ExemptionCheck {
  if (exemptTags.length === 0) return check;
  return (credential, tags) => check(credential, tags) ?? firstTagReason(tags, exemptTags) ?? null;
}

/** Why the first of `exemptTags` the principal carries exempts it, or undefined. */
function firstTagReason(tags: Tags, exemptTags: readonly ExemptionPolicy[]): string | undefined {
  for (const exemption of exemptTags) {
    const reason = exemptTagReason(tags, exemption);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/**
 * Why a step's principal is exempt now, or null, asked by apply and undo alike: matched as IAM has the
 * principal now (`live`: its name, ARN and tags), never as the step spells it. A step that locks the
 * whole principal out (`locksOut`: quarantine-user) is exempt when any of those credentials is.
 */
export function stepExemption(
  check: ExemptionCheck,
  step: PlanStep,
  live: LivePrincipal,
  locksOut: readonly CredentialKind[] = [step.credential],
): string | null {
  const principal = { ...step, principalName: live.name ?? step.principalName, arn: live.arn ?? step.arn };
  for (const credential of locksOut) {
    const exempt = check({ ...principal, credential }, live.tags);
    if (exempt !== null) return exempt;
  }
  return null;
}
