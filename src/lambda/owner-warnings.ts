/**
 * Warn before acting: which owners to tell, N days ahead, that a credential is going to be
 * deactivated, and what the notice says. Pure: findings, tags, settings and the date come in.
 *
 * A credential's deactivation date is the day it crosses its threshold plus the grace period, but
 * never sooner than `warningDays` after its owner was first told (state carried between runs), so
 * nobody loses a key without notice. Each credential is warned once per crossing: used again, it
 * starts over.
 */
import type { Finding } from '../model/finding.ts';
import { credentialIdentity } from '../history/diff-runs.ts';
import { serviceCredentialLabel } from '../rules/service-specific-credential.ts';
import { type EvaluationContext, type ThresholdKind, thresholdFor } from '../rules/rule.ts';
import { type EpochMs, MS_PER_DAY, parseIsoDateTime, toIso } from '../time.ts';

export interface OwnerWarningSettings {
  warningDays: number;
  graceDays: number;
  /** URL prefixes an `owner` tag may name as a webhook (ownerWebhookAllow); any other URL is refused. */
  ownerWebhookAllow: readonly string[];
  exemptionHowTo: string;
}

export type OwnerTarget = { kind: 'email'; address: string } | { kind: 'webhook'; url: string };

/** The step of the scheduled `plan` + `apply` a notice announces (src/lambda/step-warnings.ts: the principal steps). */
export const ANNOUNCED_STEPS = [
  'deactivate-access-key',
  'delete-login-profile',
  'deactivate-ssh-public-key',
  'deactivate-service-specific-credential',
  'quarantine-role',
  'delete-role',
  'quarantine-user',
  'restrict-permissions',
] as const;
export type AnnouncedStep = (typeof ANNOUNCED_STEPS)[number];

/** Steps due within the notice period, by step: announced now or earlier, or with an unreachable owner. */
export type UpcomingSteps = Partial<Record<AnnouncedStep, number>>;

export interface OwnerWarning {
  identity: string;
  step: AnnouncedStep;
  target: OwnerTarget;
  /** The credential's finding; for a principal step, the principal's own finding (its role or user). */
  finding: Finding;
  /** YYYY-MM-DD (UTC). */
  deactivateOn: string;
  subject: string;
  message: string;
}

/**
 * Per credential identity (or principal step): the lastActivity it was warned about and the date
 * announced. A restrict-permissions notice also keeps the unused services it named (`detail`): more
 * of them is a new notice. `step` is absent in state written before it existed.
 */
export type WarnedState = Record<
  string,
  { lastActivity: string; deactivateOn: string; warnedAt: string; step?: AnnouncedStep; detail?: string }
>;

export interface OwnerWarningPlan {
  warnings: OwnerWarning[];
  /** Credentials due for a warning whose owner tag is missing or unusable, with why. */
  unreachable: { finding: Finding; step: AnnouncedStep; why: string }[];
  /** The state to carry to the next run. */
  warned: WarnedState;
}

// No `:` or `/`: `https://user@host/…` is a URL with user info, not an address.
const EMAIL = /^[^\s@<>:/]+@[^\s@<>:/]+\.[^\s@<>:/]+$/;

/**
 * Where an `owner` tag may send a notice. Anyone with iam:TagUser writes the tag, so a URL must be
 * https on the default port, carry no user info, and start with one of the allowed prefixes (host
 * and path: `https://hooks.slack.com/services/T0123/` admits that workspace's hooks, not every
 * workspace on the host). WHATWG URL parsing resolves `..` and `%2e%2e` segments and lower-cases
 * the host first, so the prefix is compared on the URL that would be requested.
 */
export function ownerTarget(
  tag: string | undefined,
  allowedPrefixes: readonly string[],
): OwnerTarget | string {
  if (tag === undefined || tag.trim() === '') return 'no owner tag';
  const value = tag.trim();
  if (EMAIL.test(value)) return { kind: 'email', address: value };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'owner tag is neither an email address nor a URL';
  }
  if (url.protocol !== 'https:') return `owner webhook scheme ${url.protocol} refused (https: only)`;
  if (url.port !== '') return `owner webhook port ${url.port} refused (the default port only)`;
  if (url.username !== '' || url.password !== '')
    return 'owner webhook with user info (user:password@) refused';
  const href = url.toString();
  if (!allowedPrefixes.some((prefix) => href.startsWith(prefix) && href.length > prefix.length))
    return `owner webhook on ${url.host} is not under an ownerWebhookAllow prefix`;
  return { kind: 'webhook', url: href };
}

/**
 * The credentials a scheduled remediation acts on: console passwords, active access keys, and the
 * active SSH public keys and service-specific credentials (judged by age at their kind's threshold:
 * AWS records no use of them, so `unverified` is what an old one is, `unused` an SSH key CloudTrail
 * last saw long ago). null: no notice for it.
 */
function thresholdKind(f: Finding): { kind?: ThresholdKind; step: AnnouncedStep } | null {
  if (f.credential === 'ssh_public_key' || f.credential === 'service_specific_credential') {
    if (f.status !== 'unverified' && f.status !== 'in_use' && f.status !== 'unused') return null;
    return {
      kind: f.credential,
      step:
        f.credential === 'ssh_public_key'
          ? 'deactivate-ssh-public-key'
          : 'deactivate-service-specific-credential',
    };
  }
  if (f.status !== 'unused' && f.status !== 'in_use') return null;
  if (f.credential === 'password') return { kind: 'password', step: 'delete-login-profile' };
  if (f.credential === 'access_key_1' || f.credential === 'access_key_2')
    return { kind: 'access_key', step: 'deactivate-access-key' };
  return null;
}

/** `the console password`, `access key AKIA…`, `SSH public key APKA…`, `Amazon Bedrock API key ACCA…`. */
function credentialWords(f: Finding): string {
  if (f.credential === 'password') return 'the console password';
  if (f.credential === 'ssh_public_key') return `SSH public key ${f.sshPublicKeyId ?? ''}`.trim();
  if (f.credential === 'service_specific_credential') {
    return `${serviceCredentialLabel(f.service ?? '')} ${f.serviceSpecificCredentialId ?? ''}`.trim();
  }
  return `access key ${f.accessKeyId ?? `in slot ${f.credential.slice(-1)}`}`;
}

export function day(ms: EpochMs): string {
  return toIso(ms).slice(0, 10);
}

export function startOfDay(ms: EpochMs): EpochMs {
  return Math.floor(ms / MS_PER_DAY) * MS_PER_DAY;
}

/**
 * The date a step announced now is due: the day it becomes due (`dueMs`), but never sooner than the
 * notice period from today. null: not yet within the notice period, no notice this run.
 */
export function noticeDate(
  dueMs: EpochMs,
  asOf: EpochMs,
  settings: Pick<OwnerWarningSettings, 'warningDays'>,
): string | null {
  const today = startOfDay(asOf);
  const notice = settings.warningDays * MS_PER_DAY;
  if (dueMs - today > notice) return null;
  return day(Math.max(dueMs, today + notice));
}

/** How many of each step a plan holds: announced (now or before) or with an unreachable owner. */
export function upcomingSteps(plan: Pick<OwnerWarningPlan, 'warned' | 'unreachable'>): UpcomingSteps {
  const counts: UpcomingSteps = {};
  const add = (step: AnnouncedStep | undefined) => {
    if (step) counts[step] = (counts[step] ?? 0) + 1;
  };
  for (const entry of Object.values(plan.warned)) add(entry.step);
  for (const u of plan.unreachable) add(u.step);
  return counts;
}

export function planOwnerWarnings(
  findings: readonly Finding[],
  tagsOf: (f: Finding) => Record<string, string> | undefined,
  ctx: EvaluationContext,
  settings: OwnerWarningSettings,
  previouslyWarned: WarnedState,
): OwnerWarningPlan {
  const plan: OwnerWarningPlan = { warnings: [], unreachable: [], warned: {} };
  for (const finding of findings) {
    const judged = thresholdKind(finding);
    if (judged === null) continue;
    const { kind, step } = judged;
    const identity = credentialIdentity(finding);
    const earlier = previouslyWarned[identity];
    if (earlier && earlier.lastActivity === finding.lastActivity) {
      plan.warned[identity] = { ...earlier, step }; // told already; keep the announced date
      continue;
    }
    const lastActivity = parseIsoDateTime(finding.lastActivity)!;
    const crosses = startOfDay(lastActivity) + (thresholdFor(ctx, kind) + settings.graceDays) * MS_PER_DAY;
    const deactivateOn = noticeDate(crosses, ctx.asOf, settings);
    if (deactivateOn === null) continue; // not yet within the notice period
    const target = ownerTarget(tagsOf(finding)?.owner, settings.ownerWebhookAllow);
    if (typeof target === 'string') {
      plan.unreachable.push({ finding, step, why: target });
      continue;
    }
    plan.warned[identity] = {
      lastActivity: finding.lastActivity,
      deactivateOn,
      warnedAt: toIso(ctx.asOf),
      step,
    };
    plan.warnings.push({
      identity,
      step,
      target,
      finding,
      deactivateOn,
      ...ownerMessage(finding, deactivateOn, settings.exemptionHowTo),
    });
  }
  return plan;
}

/** The notice: which credential (key id when known), what happens when, how to keep it. No secrets. */
export function ownerMessage(
  f: Finding,
  deactivateOn: string,
  exemptionHowTo: string,
): { subject: string; message: string } {
  const what = credentialWords(f);
  const ageJudged = f.credential === 'ssh_public_key' || f.credential === 'service_specific_credential';
  const action =
    f.credential === 'password'
      ? // Deleting a login profile cannot be undone (credsweep apply does it only with --allow-irreversible).
        'the console password may be removed; that cannot be undone (an administrator would have to set a new one)'
      : ageJudged
        ? 'it will be deactivated (not deleted; credsweep undo reactivates it)'
        : 'the key will be deactivated (not deleted; credsweep undo reactivates it)';
  const lastUse = f.lastUsed
    ? `was last used on ${f.lastUsed.slice(0, 10)}`
    : ageJudged
      ? `was ${f.credential === 'ssh_public_key' ? 'uploaded' : 'created'} on ${f.lastActivity.slice(0, 10)} (AWS records no use of it)`
      : 'has never been used';
  return {
    subject: `credsweep: ${what} of ${f.principalName} will be deactivated on ${deactivateOn}`.slice(0, 99),
    message: [
      `${what[0]!.toUpperCase()}${what.slice(1)} of ${f.principalType} ${f.principalName} (account ${f.accountId}) ${lastUse}.`,
      `On ${deactivateOn}, ${action}.`,
      `To keep it: use it before then, or claim an exemption: ${exemptionHowTo}.`,
      `Principal: ${f.arn}`,
    ].join('\n'),
  };
}
