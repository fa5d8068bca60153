/**
 * The pure planner: audit findings in, a remediation plan out. No AWS, no clock: key ids, the caller's
 * identity and earlier deactivation dates are resolved by the caller and passed in.
 *
 * Staging: an unused active key or certificate is deactivated (reversible). Irreversible steps only
 * with `allowIrreversible`: a key credsweep's own journal shows it deactivated at least
 * `deleteAfterDays` ago is deleted (an Inactive key with no such record is listed as
 * `deactivation_unknown`); an unused console password is deleted; member-account root keys with
 * `includeRoot`. Root, service-linked roles, roles, exempt and excluded principals and the tool's
 * own key are never planned, each listed with its reason. Roles with `roles` (plan-roles.ts), users
 * none of whose credentials is in use with `quarantineUsers` (plan-users.ts), unused permissions with
 * `permissions` (plan-permissions.ts). The plan is sealed with a digest (plan-digest.ts).
 */
import { matchesAnyIgnoringCase } from '../config/glob.ts';
import type { Finding } from '../model/finding.ts';
import { credentialIdOf, USER_CREDENTIAL_KINDS } from '../model/finding.ts';
import {
  PLAN_SCHEMA_VERSION,
  type PlanStep,
  type RemediationActionId,
  type RemediationPlan,
  type SkippedCredential,
} from '../model/remediation-plan.ts';
import { type EpochMs, toIso, wholeDaysBetween } from '../time.ts';
import { sealPlan } from './plan-digest.ts';
import { type Decision, pastPlanThreshold } from './plan-decision.ts';
import type { PlannableFinding, PlanOptions } from './plan-options.ts';
import { decideRole } from './plan-roles.ts';
import {
  decideUnusedPassword,
  judgeUsers,
  type UserVerdict,
  userKey,
  userQuarantineFinding,
} from './plan-users.ts';
import { planRestrictions } from './plan-permissions.ts';

export type { CallerIdentity, PlannableFinding, PlanOptions } from './plan-options.ts';

const PLANNABLE = new Set(['unused', 'inactive', 'unverified']);
const CREDENTIALS: ReadonlySet<string> = new Set(USER_CREDENTIAL_KINDS);

/** Credentials the planner acts on; an unassigned MFA device (no principal of its own) is report-only. */
function isPlannable(f: Finding): f is PlannableFinding {
  // Permission findings are planned per principal, with --permissions only (plan-permissions.ts).
  if (f.credential === 'permission') return false;
  return f.principalType !== 'mfa_device' && (CREDENTIALS.has(f.credential) || f.principalType === 'role');
}

/** Identifies a finding's credential (before its key id is known): `account/arn/credential`. */
export function findingKey(f: Pick<Finding, 'accountId' | 'arn' | 'credential'>): string {
  return `${f.accountId}/${f.arn}/${f.credential}`;
}

/**
 * `*` matches any run of characters; everything else is literal, compared ignoring case as IAM names
 * are (linear time, src/config/glob.ts).
 */
export function matchesPattern(pattern: string, values: readonly string[]): boolean {
  return matchesAnyIgnoringCase(pattern, values);
}

export function assembleRemediationPlan(findings: readonly Finding[], options: PlanOptions): RemediationPlan {
  const asOf = options.asOf ?? options.createdAt;
  const steps: PlanStep[] = [];
  const skipped: SkippedCredential[] = [];
  const users = options.quarantineUsers
    ? judgeUsers(findings, { ...options, unresolved: options.unresolved, findingKey })
    : new Map<string, UserVerdict>();
  const plan = (f: PlannableFinding, listFiltered = true) => {
    const decision = decide(f, options, asOf, users);
    const ref = credentialRef(f);
    if ('skip' in decision) {
      // A user-level step filtered out by --include/--exclude: its credentials already say so.
      if (!listFiltered && (decision.skip === 'excluded' || decision.skip === 'not_included')) return;
      skipped.push({ ...ref, reason: decision.skip, detail: decision.detail });
      return;
    }
    const { action, reversible, reason } = decision.step;
    steps.push({
      id: stepId(f, action),
      action,
      ...ref,
      reversible,
      reason,
      expected: {
        ...expectedStatus(f, action),
        lastUsed: decision.step.lastUsed !== undefined ? decision.step.lastUsed : f.lastUsed,
      },
    });
  };
  for (const f of findings) if (isPlannable(f)) plan(f);
  // Users without a console password: their quarantine is a step of its own (credential `none`).
  for (const v of users.values()) {
    if (v.quarantine && !v.hasPassword) plan(userQuarantineFinding(v.first, v.lastUsed), false);
  }
  if (options.permissions) {
    const restricted = planRestrictions(findings, {
      ...options.permissions,
      include: options.include,
      exclude: options.exclude,
      callerArn: options.caller.arn,
      memberRoleNames: options.memberRoleNames ?? [],
    });
    steps.push(...restricted.steps);
    skipped.push(...restricted.skipped);
  }
  const irreversible = steps.filter((s) => !s.reversible).length;
  const auditedAccounts = options.auditedAccounts ?? findings.map((f) => f.accountId);
  return sealPlan(
    {
      schemaVersion: PLAN_SCHEMA_VERSION,
      createdAt: toIso(options.createdAt),
      dataCollectedAt: toIso(options.dataCollectedAt),
      asOf: toIso(asOf),
      audit: {
        accounts: [...new Set(auditedAccounts)].sort(),
        thresholdDays: options.thresholdDays,
        thresholds: { ...options.thresholds },
      },
      options: {
        deleteAfterDays: options.deleteAfterDays,
        allowIrreversible: options.allowIrreversible,
        includeRoot: options.includeRoot,
        include: [...options.include],
        exclude: [...options.exclude],
        journals: [...(options.journals ?? [])],
        ...(options.roles ? { roles: true } : {}),
        ...(options.includeServiceRoles ? { includeServiceRoles: true } : {}),
        ...(options.quarantineUsers ? { quarantineUsers: true } : {}),
        ...(options.permissions ? { permissions: true } : {}),
        ...(options.configFile !== undefined ? { configFile: options.configFile } : {}),
        ...(options.exemptTags?.length
          ? { exemptTags: options.exemptTags.map(({ tagKey, tagValue }) => ({ tagKey, tagValue })) }
          : {}),
      },
      caller: { ...options.caller },
      summary: {
        steps: steps.length,
        reversible: steps.length - irreversible,
        irreversible,
        skipped: skipped.length,
      },
      steps,
      skipped,
    },
    options.planKey,
  );
}

/**
 * The status apply expects: none for passwords and delete-role (whose role is Quarantined), `Active`
 * (not quarantined) for quarantine-user, else Active/Inactive.
 */
function expectedStatus(f: Finding, action: RemediationActionId): { status?: 'Active' | 'Inactive' } {
  if (action === 'quarantine-user') return { status: 'Active' };
  if (f.credential === 'password' || action === 'delete-role') return {};
  return { status: f.status === 'inactive' ? 'Inactive' : 'Active' };
}

function credentialRef(f: PlannableFinding) {
  return {
    accountId: f.accountId,
    principalType: f.principalType,
    principalName: f.principalName,
    arn: f.arn,
    credential: f.credential,
    ...(f.accessKeyId !== undefined ? { accessKeyId: f.accessKeyId } : {}),
    ...(f.certificateId !== undefined ? { certificateId: f.certificateId } : {}),
    ...(f.sshPublicKeyId !== undefined ? { sshPublicKeyId: f.sshPublicKeyId } : {}),
    ...(f.serviceSpecificCredentialId !== undefined
      ? { serviceSpecificCredentialId: f.serviceSpecificCredentialId }
      : {}),
  };
}

function stepId(f: Finding, action: RemediationActionId): string {
  const target = credentialIdOf(f) ?? (f.principalType === 'root' ? `root:${f.credential}` : f.principalName);
  return `${f.accountId}/${action}/${target}`;
}

function decide(
  f: Finding,
  o: PlanOptions,
  asOf: EpochMs,
  users: ReadonlyMap<string, UserVerdict>,
): Decision {
  // Who is never planned, whatever the credential's state.
  if (f.status === 'service_linked') {
    return { skip: 'service_linked', detail: 'service-linked roles are managed by their AWS service' };
  }
  if (f.principalType === 'role' && !o.roles) {
    return { skip: 'role', detail: 'roles are planned only with --roles' };
  }
  if (f.status === 'exempt') return { skip: 'exempt', detail: f.reason };
  const names = [f.principalName, f.arn, f.accountId];
  const excludedBy = o.exclude.find((p) => matchesPattern(p, names));
  if (excludedBy !== undefined) return { skip: 'excluded', detail: `matches --exclude ${excludedBy}` };
  if (o.include.length > 0 && !o.include.some((p) => matchesPattern(p, names))) {
    return { skip: 'not_included', detail: 'matches no --include pattern' };
  }
  if (f.accessKeyId !== undefined && f.accessKeyId === o.caller.accessKeyId) {
    return { skip: 'caller_key', detail: 'credsweep is calling AWS with this access key' };
  }
  const unreadable = o.unresolved?.get(findingKey(f));
  if (unreadable !== undefined && PLANNABLE.has(f.status)) return { skip: 'unresolved', detail: unreadable };
  if (f.principalType === 'root') return decideRoot(f, o);
  if (f.principalType === 'role') return decideRole(f, o, asOf);
  // A credential IAM lists in a status this version does not know (caveat status_unknown) may be
  // usable: nothing is planned for it (apply's live read would refuse it too).
  if (f.caveats.includes('status_unknown')) return { skip: 'unresolved', detail: f.reason };

  switch (f.credential) {
    case 'none':
      // Only the user-level finding built above reaches here (its verdict is a quarantine).
      return {
        step: {
          action: 'quarantine-user',
          reversible: true,
          reason: `${f.reason}; quarantined (undo removes it)`,
        },
      };
    case 'password':
      if (f.status !== 'unused') return { skip: 'in_use', detail: f.reason };
      if (o.quarantineUsers) return decideUnusedPassword(f, o, users.get(userKey(f)));
      if (!o.allowIrreversible) {
        return {
          skip: 'irreversible',
          detail: `${f.reason}; deleting a login profile cannot be undone (--allow-irreversible)`,
        };
      }
      return {
        step: { action: 'delete-login-profile', reversible: false, reason: `${f.reason}; irreversible` },
      };
    case 'access_key_1':
    case 'access_key_2':
      return decideAccessKey(f, o, asOf);
    case 'ssh_public_key':
      return decideAgeJudged(f, f.sshPublicKeyId, 'deactivate-ssh-public-key', 'SSH key id');
    case 'service_specific_credential':
      return decideAgeJudged(
        f,
        f.serviceSpecificCredentialId,
        'deactivate-service-specific-credential',
        'credential id',
      );
    default:
      return decideCertificate(f, o);
  }
}

function decideAccessKey(f: Finding, o: PlanOptions, asOf: EpochMs): Decision {
  if (f.status !== 'unused' && f.status !== 'inactive') return { skip: 'in_use', detail: f.reason };
  if (f.accessKeyId === undefined) {
    return { skip: 'unresolved', detail: o.unresolved?.get(findingKey(f)) ?? 'access key id unknown' };
  }
  if (f.status === 'unused') {
    return {
      step: { action: 'deactivate-access-key', reversible: true, reason: `${f.reason}; reversible (undo)` },
    };
  }
  // Inactive: since when? Only credsweep's own journal knows (an admin may have deactivated it
  // yesterday for forensics, whatever its last activity says), so without that record it stays.
  const since = o.deactivatedAt?.get(f.accessKeyId);
  if (since === undefined) {
    return {
      skip: 'deactivation_unknown',
      detail: `inactive since an unknown date: credsweep's journals (--journal) do not show it deactivating this key`,
    };
  }
  const days = wholeDaysBetween(since, asOf);
  if (days < o.deleteAfterDays) {
    return {
      skip: 'inactive_too_recent',
      detail: `inactive; deactivated by credsweep ${days} days ago, deleted after ${o.deleteAfterDays}`,
    };
  }
  if (!o.allowIrreversible) {
    return {
      skip: 'irreversible',
      detail: `inactive; deactivated by credsweep ${days} days ago; deleting a key cannot be undone (--allow-irreversible)`,
    };
  }
  return {
    step: {
      action: 'delete-access-key',
      reversible: false,
      reason: `inactive; deactivated by credsweep ${days} days ago (>= ${o.deleteAfterDays}); irreversible`,
    },
  };
}

/**
 * SSH public keys and service-specific credentials: AWS records no use of them
 * (docs/aws-behaviour.md §9), so the audit judges them by age (`unverified` when old) or by a use
 * CloudTrail saw (`unused`); either way only a reversible deactivation is ever planned.
 */
function decideAgeJudged(
  f: Finding,
  id: string | undefined,
  action: 'deactivate-ssh-public-key' | 'deactivate-service-specific-credential',
  what: string,
): Decision {
  if (f.status === 'inactive') return { skip: 'already_inactive', detail: f.reason };
  if (f.status !== 'unverified' && f.status !== 'unused') return { skip: 'recent', detail: f.reason };
  if (id === undefined) return { skip: 'unresolved', detail: `${what} unknown` };
  return { step: { action, reversible: true, reason: `${f.reason}; reversible (undo)` } };
}

function decideCertificate(f: Finding, o: PlanOptions): Decision {
  if (f.status === 'inactive') return { skip: 'already_inactive', detail: f.reason };
  if (f.certificateId === undefined) {
    return { skip: 'unresolved', detail: o.unresolved?.get(findingKey(f)) ?? 'certificate id unknown' };
  }
  // AWS records no last use for signing certificates (docs/aws-behaviour.md §1.1, cols 19-22):
  // age since upload is all there is, so only deactivation (reversible) is ever planned.
  if (!pastPlanThreshold(f, o.thresholdDays)) return { skip: 'recent', detail: f.reason };
  return {
    step: {
      action: 'deactivate-signing-certificate',
      reversible: true,
      reason: `${f.reason}; older than ${o.thresholdDays} days; reversible (undo)`,
    },
  };
}

function decideRoot(f: Finding, o: PlanOptions): Decision {
  const isKey = f.credential === 'access_key_1' || f.credential === 'access_key_2';
  if (!o.includeRoot || !isKey) {
    return { skip: 'root', detail: 'the root user is not remediable through IAM' };
  }
  if (f.status !== 'unused' && f.status !== 'inactive') return { skip: 'in_use', detail: f.reason };
  if (!o.allowIrreversible) {
    return {
      skip: 'irreversible',
      detail: `${f.reason}; deleting a root access key cannot be undone (--allow-irreversible)`,
    };
  }
  if (!o.rootAccessAccounts?.has(f.accountId)) {
    return {
      skip: 'root_access_not_centralised',
      detail: 'sts:AssumeRoot needs centralised root access, and works on member accounts only',
    };
  }
  if (f.accessKeyId === undefined) {
    return { skip: 'unresolved', detail: o.unresolved?.get(findingKey(f)) ?? 'root access key id unknown' };
  }
  return {
    step: {
      action: 'delete-root-access-key',
      reversible: false,
      reason: `${f.reason}; deleted with sts:AssumeRoot; irreversible`,
    },
  };
}
