/**
 * Who credsweep runs as, account by account, and the one test plan and apply share for "never the
 * credential credsweep itself runs with". In the caller's own account that is the base caller (an
 * IAM user, or the role of an assumed-role session); in every other account, the role credsweep
 * assumes there (`--role-name`; plan's live audit assumes its own, which may be another). Pure.
 *
 * apply compares the caller with the principal's live name (its live ARN, its role record), never
 * with the step's `principalName`, which a forged plan could spell in other case: IAM names are
 * unique case-insensitively and its Get calls find `Ops` by `ops` (docs/aws-behaviour.md §2), so a
 * step for `OPS` acts on `ops`. Names compare case-insensitively for the same reason.
 */
import { accountOfIamArn, principalOfIamArn } from '../arn.ts';

/** Who credsweep is: what plan options and apply's eligibility context carry. */
export interface RunsAs {
  /** The ARN credsweep calls AWS as (sts:GetCallerIdentity): a user's, or an assumed role's session. */
  callerArn: string;
  /**
   * The roles credsweep assumes in every account other than the caller's (`--role-name`, a path may
   * lead: `audit/CredsweepAudit`); none when it works in the caller's account only.
   */
  memberRoleNames: readonly string[];
}

/** The principal a check is about: its account, type and name (at apply: as IAM has it now). */
export interface PrincipalRef {
  accountId: string;
  type: string;
  name: string;
}

export interface CallerSkip {
  reason: 'caller_role' | 'caller_user';
  detail: string;
}

/** The base caller's account and, when it is an IAM user or an assumed role, that principal. */
function parseCaller(
  callerArn: string,
): { accountId: string; principal?: { type: 'user' | 'role'; name: string } } | null {
  const role = /^arn:[\w-]+:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(callerArn);
  if (role) return { accountId: role[1]!, principal: { type: 'role', name: role[2]! } };
  const user = principalOfIamArn(callerArn);
  if (user?.type === 'user')
    return { accountId: user.accountId, principal: { type: 'user', name: user.name } };
  // root, a federated user: no user or role of its own to protect
  const accountId = accountOfIamArn(callerArn) ?? /^arn:[\w-]+:sts::(\d{12}):/.exec(callerArn)?.[1];
  return accountId ? { accountId } : null;
}

function sameIamName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** `Name` of `--role-name audit/Name`: a role's name is unique in its account whatever its path. */
function roleNameOf(roleName: string): string {
  return roleName.split('/').filter(Boolean).at(-1) ?? roleName;
}

/**
 * caller_role / caller_user when `p` is a principal credsweep runs as in `p.accountId`, else null.
 * A caller ARN of no known form leaves the caller's account unknown: every account then counts as
 * another, where the assumed roles are credsweep.
 */
export function callerSkip(p: PrincipalRef, runsAs: RunsAs): CallerSkip | null {
  const base = parseCaller(runsAs.callerArn);
  if (base?.accountId === p.accountId) {
    const own = base.principal;
    if (!own || own.type !== p.type || !sameIamName(own.name, p.name)) return null;
    return own.type === 'role'
      ? { reason: 'caller_role', detail: 'credsweep is calling AWS as this role' }
      : { reason: 'caller_user', detail: 'credsweep is calling AWS as this user' };
  }
  if (p.type === 'role' && runsAs.memberRoleNames.some((r) => sameIamName(roleNameOf(r), p.name))) {
    return {
      reason: 'caller_role',
      detail: `credsweep runs as this role in account ${p.accountId} (the role it assumes there, --role-name)`,
    };
  }
  return null;
}
