/**
 * The least-privilege IAM policy for `credsweep export securityhub`, built from the permissions the
 * export declares next to its AWS calls (src/export/security-hub.ts), so policies/export-policy.json
 * cannot drift from the code (a test regenerates and compares;
 * `node --import tsx scripts/write-export-policy.ts` rewrites it).
 *
 * BatchImportFindings is limited to the account's own default product, the only one credsweep
 * imports into. sts:GetCallerIdentity needs no permission in practice but is declared all the same.
 */
import { SECURITY_HUB_EXPORT_PERMISSIONS } from './security-hub.ts';

export interface ExportPolicyDocument {
  Version: '2012-10-17';
  Statement: Array<{ Sid: string; Effect: 'Allow'; Action: string[]; Resource: string | string[] }>;
}

export function exportPolicy(): ExportPolicyDocument {
  const securityHub = SECURITY_HUB_EXPORT_PERMISSIONS.filter((a) => a.startsWith('securityhub:'));
  const other = SECURITY_HUB_EXPORT_PERMISSIONS.filter((a) => !a.startsWith('securityhub:'));
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'CredsweepSecurityHubImport',
        Effect: 'Allow',
        Action: [...securityHub].sort(),
        Resource: 'arn:aws:securityhub:*:*:product/*/default',
      },
      { Sid: 'CredsweepCallerIdentity', Effect: 'Allow', Action: [...other].sort(), Resource: '*' },
    ],
  };
}
