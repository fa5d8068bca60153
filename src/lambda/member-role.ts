/**
 * The role the scheduled function assumes in member accounts by default: the read-only audit role
 * infra/member-role.yaml deploys (with a StackSet) in every member account, trusting only the
 * function's role. Not OrganizationAccountAccessRole: that one is administrator, and the function
 * parses untrusted tag values. The CLI keeps its own default (src/aws/default-role.ts), because
 * `plan`/`apply` across accounts need more than reading.
 */
export const MEMBER_ROLE_NAME = 'CredsweepAudit';
