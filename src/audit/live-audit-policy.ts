/**
 * The least-privilege, read-only IAM policy for live audits, built from the permissions each source
 * declares next to its AWS calls, so the shipped policy (policies/audit-policy.json, README) cannot
 * drift from the code: a test regenerates it and compares.
 *
 *   liveAuditPolicy(roleName?) → the policy document
 *
 * Statement 1 is what an audited account must allow (attach it to the audit role in every member,
 * and to the caller for its own account); statement 2 is what the caller additionally needs for
 * `--org` and `--accounts`. GetCallerIdentity needs no permission (AWS allows it always), so it is
 * declared but left out.
 */
import { DEFAULT_ROLE_NAME } from '../aws/assume-role.ts';
import { ACCOUNT_AUDIT_PERMISSIONS } from './audit-account.ts';
import { CALLER_PERMISSIONS } from './audit-accounts.ts';

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Array<{
    Sid: string;
    Effect: 'Allow';
    Action: string[];
    Resource: string;
    Condition?: Record<string, Record<string, string>>;
  }>;
}

export function liveAuditPolicy(roleName: string = DEFAULT_ROLE_NAME): PolicyDocument {
  const audit = [...new Set(Object.values(ACCOUNT_AUDIT_PERMISSIONS).flat())].sort();
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'CredsweepAuditReadOnly', Effect: 'Allow', Action: audit, Resource: '*' },
      {
        Sid: 'CredsweepListOrganizationAccounts',
        Effect: 'Allow',
        Action: [...CALLER_PERMISSIONS.org],
        Resource: '*',
      },
      {
        Sid: 'CredsweepAssumeAuditRole',
        Effect: 'Allow',
        Action: [...CALLER_PERMISSIONS.assumeRole],
        Resource: `arn:aws:iam::*:role/${roleName}`,
        // Only roles in the caller's own organisation: a same-named role in an outside account is
        // never assumed. (Auditing accounts of another organisation: put its o-… id here instead.)
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable
        Condition: { StringEquals: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' } },
      },
    ],
  };
}
