/**
 * What credsweep reads out of an ARN (`arn:<partition>:<service>:<region>:<account>:<resource>`). Pure.
 * Partitions are `aws` plus dash-joined words (`aws-cn`, `aws-us-gov`, `aws-iso-b`); an account id is
 * always 12 digits. IAM is global, so an IAM ARN's region is empty (`arn:aws:iam::111122223333:user/a`).
 */

const PARTITION = 'aws(?:-[a-z]+)*';
const IAM_ARN_START = String.raw`^arn:${PARTITION}:iam::(\d{12}):`;
const ARN_PARTITION = new RegExp(`^arn:(${PARTITION}):`);
const IAM_ACCOUNT = new RegExp(IAM_ARN_START);
const IAM_PRINCIPAL = new RegExp(`${IAM_ARN_START}(user|role)/(?:[^/]+/)*([^/]+)$`);

/** The partition of an ARN (`arn:aws-us-gov:…` → `aws-us-gov`); `aws` when it names none. */
export function partitionOf(arn: string): string {
  return ARN_PARTITION.exec(arn)?.[1] ?? 'aws';
}

/** The account id of an IAM ARN, in any partition; undefined when `arn` is not one. */
export function accountOfIamArn(arn: string): string | undefined {
  return IAM_ACCOUNT.exec(arn)?.[1];
}

const ACCOUNT_ID = /^\d{12}$/;

/** An AWS account id: exactly 12 digits. */
export function isAccountId(text: string): boolean {
  return ACCOUNT_ID.test(text);
}

/**
 * How a principal's account id and its ARN disagree, or null when they agree: the id is no account
 * id (`account_id`), or the ARN is not an IAM ARN of that account (`arn`, `named`: the account it
 * names, undefined when it is no IAM ARN). What plan reads and apply carries out acts in that account.
 */
export function accountArnMismatch(
  accountId: string,
  arn: string,
): { problem: 'account_id' } | { problem: 'arn'; named: string | undefined } | null {
  if (!isAccountId(accountId)) return { problem: 'account_id' };
  const named = accountOfIamArn(arn);
  return named === accountId ? null : { problem: 'arn', named };
}

/** A user or role, as its ARN names it. */
export interface IamPrincipalOfArn {
  accountId: string;
  type: 'user' | 'role';
  /** The name without the path (`App` of `role/path/to/App`): unique in its account whatever the path. */
  name: string;
}

/** The account, type and name of a user's or role's ARN; undefined for any other ARN (root, a policy, STS). */
export function principalOfIamArn(arn: string): IamPrincipalOfArn | undefined {
  const m = IAM_PRINCIPAL.exec(arn);
  return m ? { accountId: m[1]!, type: m[2] as 'user' | 'role', name: m[3]! } : undefined;
}
