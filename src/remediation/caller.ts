/**
 * Who credsweep runs as, and the one test plan and apply share for "never the credential credsweep
 * itself runs with": the base caller (an IAM user, or the role of an assumed-role session) in its
 * own account. Pure.
 *
 * apply compares the caller with the principal's live name (its live ARN, its role record), never
 * with the step's `principalName`, which a forged plan could spell in other case: IAM names are
 * unique case-insensitively and its Get calls find `Ops` by `ops` (docs/aws-behaviour.md §2), so a
 * step for `OPS` acts on `ops`. Names compare case-insensitively for the same reason.
 */

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
export function parseCaller(
  callerArn: string,
): { accountId: string; principal?: { type: 'user' | 'role'; name: string } } | null {
  const role = /^arn:[\w-]+:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(callerArn);
  if (role) return { accountId: role[1]!, principal: { type: 'role', name: role[2]! } };
  const user = /^arn:[\w-]+:iam::(\d{12}):user\/(?:[^/]+\/)*([^/]+)$/.exec(callerArn);
  if (user) return { accountId: user[1]!, principal: { type: 'user', name: user[2]! } };
  // root, a federated user: no user or role of its own to protect
  const other = /^arn:[\w-]+:(?:iam|sts)::(\d{12}):/.exec(callerArn);
  return other ? { accountId: other[1]! } : null;
}

/** The account, type and name of a user's or role's IAM ARN (`arn:aws:iam::111:role/path/Name`). */
export function principalOfArn(arn: string): PrincipalRef | null {
  const m = /^arn:[\w-]+:iam::(\d{12}):(user|role)\/(?:[^/]+\/)*([^/]+)$/.exec(arn);
  return m ? { accountId: m[1]!, type: m[2]!, name: m[3]! } : null;
}

export function sameIamName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** caller_role / caller_user when `p` is the principal credsweep calls AWS as, else null. */
export function callerSkip(p: PrincipalRef, callerArn: string): CallerSkip | null {
  const base = parseCaller(callerArn);
  const own = base?.principal;
  if (!own || base.accountId !== p.accountId || own.type !== p.type || !sameIamName(own.name, p.name)) {
    return null;
  }
  return own.type === 'role'
    ? { reason: 'caller_role', detail: 'credsweep is calling AWS as this role' }
    : { reason: 'caller_user', detail: 'credsweep is calling AWS as this user' };
}
