/**
 * A role as credsweep journals it before deleting it: everything needed to recreate it
 * (src/remediation/role-record.ts captures and recreates; docs/aws-behaviour.md §11). It crosses a file
 * boundary (the journal), so this schema is its contract.
 */
import { z } from 'zod';

export const roleRecordSchema = z.strictObject({
  roleName: z.string(),
  path: z.string(),
  /** The deleted role's unique id: a recreated role gets another one. */
  roleId: z.string(),
  arn: z.string(),
  description: z.string().optional(),
  maxSessionDuration: z.number().int().positive().optional(),
  /** The trust policy, decoded JSON text. */
  trustPolicy: z.string(),
  inlinePolicies: z.array(z.strictObject({ name: z.string(), document: z.string() })),
  attachedPolicyArns: z.array(z.string()),
  permissionsBoundaryArn: z.string().nullable(),
  tags: z.array(z.strictObject({ key: z.string(), value: z.string() })),
  instanceProfiles: z.array(z.strictObject({ name: z.string(), arn: z.string() })),
});
export type RoleRecord = z.infer<typeof roleRecordSchema>;
