/**
 * The least-privilege remediation policy, generated from what the actions and the planner declare
 * (policies/remediation-policy.json is this, written by scripts/generate-remediation-policy.ts; a test
 * checks the file matches, so the shipped policy cannot drift from the code).
 */
import { ACTIONS } from './actions/index.ts';
import { ROOT_TASK_POLICY_ARN } from './actions/delete-root-access-key.ts';
import { RESOLVE_PERMISSIONS, RESOLVE_ROOT_PERMISSIONS } from './resolve-credentials.ts';

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: {
    Sid: string;
    Effect: 'Allow';
    Action: string[];
    Resource: string;
    Condition?: Record<string, Record<string, string>>;
  }[];
}

/** Every permission plan, apply and undo use, sorted. */
export function remediationPermissions(): string[] {
  const all = new Set<string>([...RESOLVE_PERMISSIONS, ...RESOLVE_ROOT_PERMISSIONS]);
  for (const action of Object.values(ACTIONS)) {
    for (const p of [...action.permissions, ...action.undoPermissions]) all.add(p);
  }
  return [...all].sort();
}

export function remediationPolicy(): PolicyDocument {
  const permissions = remediationPermissions();
  const userScoped = permissions.filter((p) => p.startsWith('iam:') && p !== 'iam:ListOrganizationsFeatures');
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
    ],
  };
}
