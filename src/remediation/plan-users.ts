/**
 * `plan --quarantine-users`, pure: which users none of whose credentials is in use. A user qualifies
 * when every credential it has is unused past its threshold, inactive, or (for the kinds AWS records
 * no use of: SSH keys, service-specific credentials, signing certificates) unverified and old; none
 * exempt, none unreadable; and it is not the user credsweep calls AWS as. A user with no credentials
 * at all is not quarantined (there is nothing to lock out). apply re-reads the user live
 * (quarantine-user.ts) and re-checks all of this it can see.
 */
import { type Finding, USER_CREDENTIAL_KINDS } from '../model/finding.ts';
import type { SkipReason } from '../model/remediation-plan.ts';
import { parseIsoDateTime } from '../time.ts';
import { callerSkip } from './caller.ts';
import type { PlannableFinding } from './plan-options.ts';
import { type Decision, pastPlanThreshold } from './plan-decision.ts';

/** Whether a user is quarantined, and when not, the named reason. */
export type UserVerdict =
  | {
      quarantine: true;
      /** The latest password or access-key use the audit knew of (what apply's live read compares to). */
      lastUsed: string | null;
      /** The user has a console password finding (the quarantine step answers it). */
      hasPassword: boolean;
      /** The user's first credential finding (the step names its principal). */
      first: Finding;
    }
  | { quarantine: false; reason: SkipReason; detail: string };

export interface UserJudgement {
  thresholdDays: number;
  caller: { arn: string; accessKeyId: string | null };
  /** findingKey → why a credential (or its principal's tags) could not be read. */
  unresolved?: ReadonlyMap<string, string> | undefined;
  findingKey(f: Finding): string;
}

const USER_CREDENTIALS: ReadonlySet<string> = new Set(USER_CREDENTIAL_KINDS);
/** The credentials apply's live read of the user sees a last use of (GetUser, GetAccessKeyLastUsed). */
const LIVE_USE = new Set(['password', 'access_key_1', 'access_key_2']);

/** `account/arn` of a user: one verdict per user. */
export function userKey(f: Pick<Finding, 'accountId' | 'arn'>): string {
  return `${f.accountId}/${f.arn}`;
}

/** The verdict for every user with at least one credential finding. */
export function judgeUsers(findings: readonly Finding[], j: UserJudgement): Map<string, UserVerdict> {
  const byUser = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.principalType !== 'user' || !USER_CREDENTIALS.has(f.credential)) continue;
    const k = userKey(f);
    const list = byUser.get(k);
    if (list) list.push(f);
    else byUser.set(k, [f]);
  }
  const verdicts = new Map<string, UserVerdict>();
  for (const [k, list] of byUser) verdicts.set(k, judgeUser(list, j));
  return verdicts;
}

function judgeUser(credentials: readonly Finding[], j: UserJudgement): UserVerdict {
  const first = credentials[0]!;
  const callerKey = credentials.find(
    (f) => f.accessKeyId !== undefined && f.accessKeyId === j.caller.accessKeyId,
  );
  const caller = callerSkip(
    { accountId: first.accountId, type: 'user', name: first.principalName },
    // only the base caller can be a user (what credsweep assumes elsewhere is a role)
    { callerArn: j.caller.arn, memberRoleNames: [] },
  );
  if (caller !== null || callerKey !== undefined) {
    return { quarantine: false, reason: 'caller_user', detail: 'credsweep is calling AWS as this user' };
  }
  const exempt = credentials.find((f) => f.status === 'exempt');
  if (exempt) return { quarantine: false, reason: 'exempt', detail: exempt.reason };
  for (const f of credentials) {
    const unreadable = j.unresolved?.get(j.findingKey(f));
    if (unreadable !== undefined) return { quarantine: false, reason: 'unresolved', detail: unreadable };
  }
  const inUse = credentials.find((f) => !notInUse(f, j.thresholdDays));
  if (inUse) {
    return {
      quarantine: false,
      reason: 'credential_in_use',
      detail: `the user's ${inUse.credential} is not unused (${inUse.reason})`,
    };
  }
  const uses = credentials
    .filter((f) => LIVE_USE.has(f.credential) && f.lastUsed !== null)
    .map((f) => f.lastUsed as string)
    .sort((a, b) => (parseIsoDateTime(a) ?? 0) - (parseIsoDateTime(b) ?? 0));
  return {
    quarantine: true,
    lastUsed: uses.at(-1) ?? null,
    hasPassword: credentials.some((f) => f.credential === 'password'),
    first,
  };
}

/**
 * Unused past the threshold, inactive, or unverified (no use recorded by AWS) and, for a signing
 * certificate whose status is always `unverified` while active, uploaded at least the threshold ago.
 */
function notInUse(f: Finding, thresholdDays: number): boolean {
  // a status this version does not know may be a usable one (apply's live read refuses it too)
  if (f.caveats.includes('status_unknown')) return false;
  if (f.status === 'unused' || f.status === 'inactive') return true;
  if (f.status !== 'unverified') return false;
  return f.credential === 'cert_1' || f.credential === 'cert_2' ? pastPlanThreshold(f, thresholdDays) : true;
}

/** The user as a finding of its own, for a quarantine step that answers no single credential. */
export function userQuarantineFinding(first: Finding, lastUsed: string | null): PlannableFinding {
  const {
    accessKeyId: _k,
    certificateId: _c,
    sshPublicKeyId: _s,
    serviceSpecificCredentialId: _x,
    ...user
  } = first;
  return {
    ...user,
    principalType: 'user',
    credential: 'none',
    status: 'unused',
    lastUsed,
    reason: 'no credential of the user is in use',
  };
}

/**
 * `--quarantine-users`: an unused console password is answered by quarantining its user (reversible)
 * when none of the user's credentials is in use; otherwise by deleting it (irreversible), as without
 * the flag, and the reason the user was not quarantined is said.
 */
export function decideUnusedPassword(
  f: Finding,
  o: { allowIrreversible: boolean },
  user: UserVerdict | undefined,
): Decision {
  if (user?.quarantine) {
    return {
      step: {
        action: 'quarantine-user',
        reversible: true,
        reason: `${f.reason}; no credential of the user is in use: quarantined (undo removes it)`,
        lastUsed: user.lastUsed,
      },
    };
  }
  const why = user ? `not quarantined: ${user.detail}` : 'not quarantined';
  if (!o.allowIrreversible) {
    return {
      skip: user?.reason ?? 'irreversible',
      detail: `${f.reason}; ${why}; deleting the login profile instead cannot be undone (--allow-irreversible)`,
    };
  }
  return {
    step: { action: 'delete-login-profile', reversible: false, reason: `${f.reason}; ${why}; irreversible` },
  };
}
