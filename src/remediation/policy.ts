/**
 * The least-privilege remediation policy, generated from what the actions and the planner declare
 * (policies/remediation-policy.json is this, written by scripts/generate-remediation-policy.ts; a test
 * checks the file matches, so the shipped policy cannot drift from the code). Its last statement is a
 * backstop in IAM itself: every change an action can make is denied on users and roles carrying the
 * exempt tag, so IAM refuses even if the tool errs.
 */
import { DEFAULT_EXEMPTION } from '../rules/index.ts';
import { ACTIONS } from './actions/index.ts';
import { ROOT_TASK_POLICY_ARN } from './actions/delete-root-access-key.ts';
import { ROLE_PRINCIPAL_PERMISSIONS, USER_PRINCIPAL_PERMISSIONS } from './principal.ts';
import { RESOLVE_PERMISSIONS, RESOLVE_ROOT_PERMISSIONS } from './resolve-credentials.ts';
import { LAST_ACCESSED_PERMISSIONS } from '../sources/access-advisor/last-accessed.ts';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** Every permission plan, apply and undo use, sorted. */
export function remediationPermissions(): string[] {
  const all = new Set<string>([
    ...RESOLVE_PERMISSIONS,
    ...RESOLVE_ROOT_PERMISSIONS,
    ...USER_PRINCIPAL_PERMISSIONS,
    ...ROLE_PRINCIPAL_PERMISSIONS,
  ]);
  for (const action of Object.values(ACTIONS)) {
    for (const p of [...action.permissions, ...action.undoPermissions]) all.add(p);
  }
  return [...all].sort();
}

/**
 * The IAM calls that change a user or role (every declared call that is not a read), sorted: what the
 * exempt-tag Deny covers. Not in it: Access Advisor's Generate… (starts a report, changes nothing) and
 * the calls on credsweep's own boundary policies (a policy carries no principal's tag).
 */
export function remediationChanges(): string[] {
  return remediationPermissions().filter(
    (p) => p.startsWith('iam:') && !READS.test(p) && !POLICY_SCOPED.test(p) && !ACCESS_ADVISOR.has(p),
  );
}
const READS = /^iam:(Get|List)/;
const ACCESS_ADVISOR = new Set<string>(LAST_ACCESSED_PERMISSIONS);

/** Calls on an instance profile (the role actions take a role out of one and put it back). */
const INSTANCE_PROFILE_SCOPED = new Set<string>([
  'iam:AddRoleToInstanceProfile',
  'iam:RemoveRoleFromInstanceProfile',
]);
/** Calls on a role: every declared IAM call naming a role (GetRole, PutRolePolicy, CreateRole, PassRole…). */
function isRoleScoped(p: string): boolean {
  return p.startsWith('iam:') && /Role/.test(p) && !INSTANCE_PROFILE_SCOPED.has(p);
}
/** Calls on a managed policy (restrict-permissions' boundaries). */
const POLICY_SCOPED = /^iam:(CreatePolicy|DeletePolicy|GetPolicy|GetPolicyVersion|ListEntitiesForPolicy)$/;
/** Reading any policy (a principal's current boundary may be any managed policy, AWS's too). */
const POLICY_READS = /^iam:(GetPolicy|GetPolicyVersion)$/;

export function remediationPolicy(): PolicyDocument {
  const permissions = remediationPermissions();
  const iam = permissions.filter((p) => p.startsWith('iam:') && p !== 'iam:ListOrganizationsFeatures');
  const userScoped = iam.filter(
    (p) =>
      !isRoleScoped(p) && !INSTANCE_PROFILE_SCOPED.has(p) && !POLICY_SCOPED.test(p) && !ACCESS_ADVISOR.has(p),
  );
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'UserCredentials', Effect: 'Allow', Action: userScoped, Resource: 'arn:aws:iam::*:user/*' },
      {
        Sid: 'CentralisedRootAccessStatus',
        Effect: 'Allow',
        Action: permissions.filter((p) => p === 'iam:ListOrganizationsFeatures'),
        Resource: '*',
      },
      {
        // Only sessions scoped to deleting root credentials (the task policy the action asks for).
        Sid: 'DeleteMemberRootCredentials',
        Effect: 'Allow',
        Action: permissions.filter((p) => p.startsWith('sts:')),
        Resource: '*',
        Condition: { StringEquals: { 'sts:TaskPolicyArn': ROOT_TASK_POLICY_ARN } },
      },
      {
        Sid: 'RolePrincipals',
        Effect: 'Allow',
        Action: iam.filter(isRoleScoped),
        Resource: 'arn:aws:iam::*:role/*',
      },
      {
        // Taking a role out of its instance profiles before deletion, putting it back on undo (profiles are never deleted).
        Sid: 'RoleInstanceProfiles',
        Effect: 'Allow',
        Action: iam.filter((p) => INSTANCE_PROFILE_SCOPED.has(p)),
        Resource: 'arn:aws:iam::*:instance-profile/*',
      },
      {
        // restrict-permissions re-reads Access Advisor for a user or role right before acting.
        Sid: 'AccessAdvisor',
        Effect: 'Allow',
        Action: iam.filter((p) => ACCESS_ADVISOR.has(p)),
        Resource: '*',
      },
      {
        // A restrict-permissions step planned with IAM Access Analyzer's verdicts: apply finds the
        // analyzer (ListAnalyzers) and re-reads its findings for the principal (ListFindingsV2 and
        // GetFindingV2, authorised as ListFindings and GetFinding), in the caller's account. Reads only.
        Sid: 'AccessAnalyzerFindings',
        Effect: 'Allow',
        Action: permissions.filter((p) => p.startsWith('access-analyzer:')),
        Resource: '*',
      },
      {
        // restrict-permissions' boundaries: created, and deleted by undo, only under /credsweep/.
        Sid: 'BoundaryPolicies',
        Effect: 'Allow',
        Action: iam.filter((p) => POLICY_SCOPED.test(p) && !POLICY_READS.test(p)),
        Resource: 'arn:aws:iam::*:policy/credsweep/*',
      },
      {
        // Reading a principal's current boundary (any managed policy) and credsweep's own.
        Sid: 'ReadPolicies',
        Effect: 'Allow',
        Action: iam.filter((p) => POLICY_READS.test(p)),
        Resource: 'arn:aws:iam::*:policy/*',
      },
      {
        // The backstop: IAM itself refuses any change to a principal tagged exempt (tag values are
        // compared as the tool does, ignoring case).
        Sid: 'DenyChangesToExemptPrincipals',
        Effect: 'Deny',
        Action: remediationChanges(),
        Resource: ['arn:aws:iam::*:user/*', 'arn:aws:iam::*:role/*'],
        Condition: {
          StringEqualsIgnoreCase: {
            [`iam:ResourceTag/${DEFAULT_EXEMPTION.tagKey}`]: DEFAULT_EXEMPTION.tagValue,
          },
        },
      },
    ],
  };
}
