/**
 * Warn before the principal steps too: the notices for the role, user and permission steps a
 * scheduled `plan` takes (configuration `notifications.plannedSteps`, mirroring its flags), like
 * those before key deactivations (./owner-warnings.ts). Pure: findings, tags, settings, the date and
 * the unused permissions come in.
 *
 *   quarantine-role       an unused role (`--roles`), due the day it crosses the role threshold
 *   delete-role           a role credsweep quarantined (its credsweep:quarantined-at tag), due
 *                         deleteRolesAfterDays later (`--allow-irreversible --delete-after N`)
 *   quarantine-user       a user with a password or active key, none used within the threshold
 *                         (`--quarantine-users`), due the day the latest use crosses it
 *   restrict-permissions  a user or role with unused services or actions (`--permissions`), due
 *                         after the notice period
 *
 * The owner is the principal's `owner` tag (a role's comes with the role, GetAccountAuthorizationDetails).
 * Service-linked and exempt principals never get a step, so never a notice. A role whose trust policy
 * names an AWS service is not known here (apply skips it without --include-service-roles).
 */
import { principalOfIamArn } from '../arn.ts';
import type { Finding, UserCredentialKind } from '../model/finding.ts';
import type { AccessAnalyzerEvidence } from '../model/inventory.ts';
import { QUARANTINED_AT_TAG } from '../remediation/quarantine-policy.ts';
import { type EvaluationContext, type ThresholdKind, thresholdFor } from '../rules/rule.ts';
import { type EpochMs, MS_PER_DAY, parseIsoDateTime, toIso } from '../time.ts';
import {
  type AnnouncedStep,
  noticeDate,
  type OwnerWarningPlan,
  type OwnerWarningSettings,
  ownerTarget,
  startOfDay,
  type WarnedState,
} from './owner-warnings.ts';
import { counted } from '../plural.ts';

/** `notifications.plannedSteps`: which principal steps the scheduled plan takes. */
export interface PlannedSteps {
  roles?: boolean;
  deleteRolesAfterDays?: number;
  quarantineUsers?: boolean;
  permissions?: boolean;
}

/** What a principal has not used within the permission threshold. */
export interface UnusedPermissions {
  accountId: string;
  arn: string;
  /** Service namespaces (`s3`). */
  services: string[];
  /** `namespace:Action`, of services otherwise in use. */
  actions: string[];
  source: 'access_analyzer' | 'access_advisor';
}

/** IAM Access Analyzer's UnusedPermission verdicts (read once per run), as unused services and actions. */
export function unusedPermissionsFromAnalyzer(
  evidence: ReadonlyMap<string, AccessAnalyzerEvidence>,
  ctx: EvaluationContext,
): UnusedPermissions[] {
  const threshold = thresholdFor(ctx, 'permission') * MS_PER_DAY;
  const unused = (lastAccessed: EpochMs | null) =>
    lastAccessed === null || ctx.asOf - lastAccessed >= threshold;
  const out: UnusedPermissions[] = [];
  for (const [arn, e] of evidence) {
    const accountId = principalOfIamArn(arn)?.accountId;
    if (!accountId) continue;
    const verdicts = Object.entries(e.permissions);
    const services = verdicts
      .filter(([, v]) => v.wholeService && unused(v.lastAccessed))
      .map(([service]) => service)
      .sort();
    const actions = verdicts
      .filter(([service]) => !services.includes(service))
      .flatMap(([, v]) => Object.entries(v.actions))
      .filter(([, a]) => unused(a.lastAccessed))
      .map(([action]) => action)
      .sort();
    if (services.length + actions.length > 0)
      out.push({ accountId, arn, services, actions, source: 'access_analyzer' });
  }
  return out.sort((a, b) => a.arn.localeCompare(b.arn));
}

type Tags = (f: Finding) => Record<string, string> | undefined;

interface Due {
  step: AnnouncedStep;
  finding: Finding;
  /** What the notice is about: a later use or a new quarantine is news (a new notice). */
  lastActivity: string;
  /** restrict-permissions: the unused services and actions named (other ones are news). */
  detail?: string;
  dueMs: EpochMs;
  words: { subject: string; lines: string[] };
}

/** The principal steps due within the notice period, and the users whose quarantine replaces a password removal. */
export function planStepWarnings(
  findings: readonly Finding[],
  tagsOf: Tags,
  ctx: EvaluationContext,
  settings: OwnerWarningSettings,
  previouslyWarned: WarnedState,
  planned: PlannedSteps,
  unusedPermissions: readonly UnusedPermissions[] = [],
): OwnerWarningPlan & { quarantinedUsers: Set<string> } {
  const byArn = new Map<string, Finding[]>();
  for (const f of findings) byArn.set(f.arn, [...(byArn.get(f.arn) ?? []), f]);
  const due: Due[] = [];
  if (planned.roles) due.push(...roleSteps(findings, tagsOf, ctx, settings, planned));
  if (planned.quarantineUsers) due.push(...userSteps(byArn, tagsOf, ctx, settings));
  if (planned.permissions) due.push(...permissionSteps(byArn, unusedPermissions, ctx));

  const plan = {
    warnings: [],
    unreachable: [],
    warned: {},
    quarantinedUsers: new Set<string>(),
  } as OwnerWarningPlan & { quarantinedUsers: Set<string> };
  for (const d of due) {
    const identity = `${d.finding.accountId}/${d.finding.arn}/${d.step}`;
    const earlier = previouslyWarned[identity];
    // A permission notice is news when it names other services or actions; the rest when used since.
    const same =
      earlier !== undefined &&
      (d.detail !== undefined ? earlier.detail === d.detail : earlier.lastActivity === d.lastActivity);
    const deactivateOn = same ? earlier.deactivateOn : noticeDate(d.dueMs, ctx.asOf, settings);
    if (deactivateOn === null) continue;
    if (d.step === 'quarantine-user') plan.quarantinedUsers.add(d.finding.arn);
    if (same) {
      plan.warned[identity] = { ...earlier, step: d.step }; // told already; keep the announced date
      continue;
    }
    const target = ownerTarget(tagsOf(d.finding)?.owner, settings.ownerWebhookAllow);
    if (typeof target === 'string') {
      plan.unreachable.push({ finding: d.finding, step: d.step, why: target });
      continue;
    }
    plan.warned[identity] = {
      lastActivity: d.lastActivity,
      deactivateOn,
      warnedAt: toIso(ctx.asOf),
      step: d.step,
      ...(d.detail !== undefined ? { detail: d.detail } : {}),
    };
    const f = d.finding;
    plan.warnings.push({
      identity,
      step: d.step,
      target,
      finding: f,
      deactivateOn,
      subject: `credsweep: ${d.words.subject} on ${deactivateOn}`.slice(0, 99),
      message: [
        ...d.words.lines.map((line) => line.replaceAll('{date}', deactivateOn)),
        `To keep it: use it before then, or claim an exemption: ${settings.exemptionHowTo}.`,
        `Principal: ${f.arn}`,
      ].join('\n'),
    });
  }
  return plan;
}

const dayOf = (iso: string) => iso.slice(0, 10);

function roleSteps(
  findings: readonly Finding[],
  tagsOf: Tags,
  ctx: EvaluationContext,
  settings: OwnerWarningSettings,
  planned: PlannedSteps,
): Due[] {
  const due: Due[] = [];
  for (const f of findings) {
    if (f.principalType !== 'role' || f.credential !== 'role') continue;
    if (f.status !== 'unused' && f.status !== 'in_use') continue; // exempt, service-linked: never planned
    const who = `role ${f.principalName} (account ${f.accountId})`;
    const quarantinedAt = parseIsoDateTime(tagsOf(f)?.[QUARANTINED_AT_TAG] ?? '');
    if (quarantinedAt !== null) {
      if (planned.deleteRolesAfterDays === undefined) continue;
      const since = toIso(quarantinedAt);
      due.push({
        step: 'delete-role',
        finding: f,
        lastActivity: since,
        dueMs: startOfDay(quarantinedAt) + planned.deleteRolesAfterDays * MS_PER_DAY,
        words: {
          subject: `role ${f.principalName} (quarantined) will be deleted`,
          lines: [
            `The ${who} was quarantined by credsweep on ${dayOf(since)} and has not been used since.`,
            'On {date}, it may be deleted. credsweep journals the whole role first and `credsweep undo` recreates it, with a new RoleId (resource policies naming the old one need attention).',
          ],
        },
      });
      continue;
    }
    const lastActivity = parseIsoDateTime(f.lastActivity)!;
    due.push({
      step: 'quarantine-role',
      finding: f,
      lastActivity: f.lastActivity,
      dueMs: startOfDay(lastActivity) + (thresholdFor(ctx, 'role') + settings.graceDays) * MS_PER_DAY,
      words: {
        subject: `role ${f.principalName} will be quarantined`,
        lines: [
          `The ${who} ${f.lastUsed ? `was last used on ${dayOf(f.lastUsed)}` : `has not been used since it was created on ${dayOf(f.lastActivity)}`}.`,
          'On {date}, it will be quarantined: a deny-all inline policy (CredsweepQuarantine) that also revokes its sessions; nothing else about the role changes, and `credsweep undo` removes it.',
        ],
      },
    });
  }
  return due;
}

/**
 * The credentials `plan --quarantine-users` weighs (USER_CREDENTIAL_KINDS, as src/remediation/plan-users.ts
 * does), with the threshold each is judged by: typed by that list, so a kind added there must be mapped here.
 */
const USER_CREDENTIAL_THRESHOLDS: Record<UserCredentialKind, ThresholdKind | undefined> = {
  password: 'password',
  access_key_1: 'access_key',
  access_key_2: 'access_key',
  cert_1: undefined,
  cert_2: undefined,
  ssh_public_key: 'ssh_public_key',
  service_specific_credential: 'service_specific_credential',
};

/**
 * The day a user's credential stops counting as in use, as the planner judges it: inactive and
 * unverified (an old key AWS records no use of) already have; the rest when their last activity
 * crosses their kind's threshold (a signing certificate: its upload, the default threshold).
 */
function credentialIdleFrom(f: Finding, ctx: EvaluationContext): EpochMs {
  const isCert = f.credential === 'cert_1' || f.credential === 'cert_2';
  if (f.status === 'inactive' || (f.status === 'unverified' && !isCert)) return Number.NEGATIVE_INFINITY;
  const kind = USER_CREDENTIAL_THRESHOLDS[f.credential as UserCredentialKind];
  return startOfDay(parseIsoDateTime(f.lastActivity)!) + thresholdFor(ctx, kind) * MS_PER_DAY;
}

function userSteps(
  byArn: ReadonlyMap<string, Finding[]>,
  tagsOf: Tags,
  ctx: EvaluationContext,
  settings: OwnerWarningSettings,
): Due[] {
  const due: Due[] = [];
  for (const [, all] of byArn) {
    const first = all[0]!;
    if (first.principalType !== 'user') continue;
    if (all.some((f) => f.status === 'exempt')) continue;
    if (tagsOf(first)?.[QUARANTINED_AT_TAG] !== undefined) continue; // quarantined already
    const held = all.filter((f) => f.credential in USER_CREDENTIAL_THRESHOLDS);
    if (held.length === 0) continue; // no credential: nothing a quarantine would lock out
    // Due the day the last of its credentials stops counting as in use.
    const idleFrom = Math.max(...held.map((f) => credentialIdleFrom(f, ctx)));
    const dueMs = Number.isFinite(idleFrom) ? idleFrom : startOfDay(ctx.asOf);
    const uses = held.flatMap((f) => (f.lastUsed ? [parseIsoDateTime(f.lastUsed)!] : []));
    const lastUse = uses.length > 0 ? toIso(Math.max(...uses)) : null;
    const finding = held.find((f) => f.credential === 'password') ?? held[0]!;
    const who = `user ${first.principalName} (account ${first.accountId})`;
    due.push({
      step: 'quarantine-user',
      finding,
      // news when any credential is used (or added) since: its idle day moves
      lastActivity: toIso(dueMs),
      dueMs: dueMs + settings.graceDays * MS_PER_DAY,
      words: {
        subject: `user ${first.principalName} will be quarantined`,
        lines: [
          `The ${who} holds ${counted(held.length, 'credential')} (${[...new Set(held.map((f) => f.credential))].join(', ')}), ${lastUse ? `none used since ${dayOf(lastUse)}` : 'none ever used'}.`,
          'On {date}, it will be quarantined: a deny-all inline policy (CredsweepQuarantine), so that no credential of it can be used; nothing is deleted, and `credsweep undo` removes it.',
        ],
      },
    });
  }
  return due;
}

function permissionSteps(
  byArn: ReadonlyMap<string, Finding[]>,
  unusedPermissions: readonly UnusedPermissions[],
  ctx: EvaluationContext,
): Due[] {
  const due: Due[] = [];
  for (const u of unusedPermissions) {
    const all = byArn.get(u.arn);
    if (!all) continue; // not audited in this run
    if (all.some((f) => f.status === 'exempt' || f.status === 'service_linked')) continue;
    const finding = all.find((f) => f.credential === 'role') ?? all[0]!;
    const names = (list: readonly string[]) =>
      list.length > 12 ? `${list.slice(0, 12).join(', ')} and ${list.length - 12} more` : list.join(', ');
    const unused = [
      ...(u.services.length
        ? [`${counted(u.services.length, 'granted service')} it has not used: ${names(u.services)}`]
        : []),
      ...(u.actions.length
        ? [`${counted(u.actions.length, 'action')} of services in use: ${names(u.actions)}`]
        : []),
    ].join('; and ');
    const source = u.source === 'access_analyzer' ? 'IAM Access Analyzer' : 'Access Advisor';
    due.push({
      step: 'restrict-permissions',
      finding,
      lastActivity: toIso(startOfDay(ctx.asOf)),
      detail: [...u.services, ...u.actions].join(' '),
      dueMs: startOfDay(ctx.asOf),
      words: {
        subject: `permissions of ${finding.principalName} will be restricted`,
        lines: [
          `The ${finding.principalType} ${finding.principalName} (account ${u.accountId}) holds ${unused} (${source}, threshold ${thresholdFor(ctx, 'permission')} days).`,
          'On {date}, a permissions boundary will allow only what it uses; an existing boundary stays in force, and `credsweep undo` restores the previous boundary (or none).',
        ],
      },
    });
  }
  return due;
}
