/**
 * What credsweep reads out of an ARN (`arn:<partition>:<service>:<region>:<account>:<resource>`). Pure.
 * Partitions are `aws` plus dash-joined words (`aws-cn`, `aws-us-gov`, `aws-iso-b`); an account id is
 * always 12 digits. IAM is global, so an IAM ARN's region is empty (`arn:aws:iam::111122223333:user/a`).
 */

const IAM_ACCOUNT = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):/;

/** The partition of an ARN (`arn:aws-us-gov:…` → `aws-us-gov`); `aws` when it names none. */
export function partitionOf(arn: string): string {
  return /^arn:(aws(?:-[a-z]+)*):/.exec(arn)?.[1] ?? 'aws';
}

/** The account id of an IAM ARN, in any partition; undefined when `arn` is not one. */
export function accountOfIamArn(arn: string): string | undefined {
  return IAM_ACCOUNT.exec(arn)?.[1];
}
