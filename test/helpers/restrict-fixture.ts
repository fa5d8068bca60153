/**
 * Principals for the restrict-permissions tests, planned the way `plan --permissions` plans: the
 * permissions audit (auditPermissions: Access Advisor through test/helpers/restrict-stubs.ts + the
 * permission rule), the principals' boundaries and tags read (readPlanBoundaries), then the planner.
 *
 *   worker   role /apps/, no boundary     s3 used 3 days ago, ec2 never, sqs 200 days ago
 *   guarded  role, boundary org-guardrail same services
 *   deploy   user, no boundary            same services
 *
 * All created 300 days ago (moto's clock moved back), so a never-used service is unused.
 */
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRoleCommand,
  GetUserCommand,
  type IAMClient,
  ListPoliciesCommand,
  PutRolePermissionsBoundaryCommand,
  PutUserPermissionsBoundaryCommand,
} from '@aws-sdk/client-iam';
import { auditPermissions } from '../../src/audit/audit-permissions.ts';
import type { Finding } from '../../src/model/finding.ts';
import type { RemediationPlan } from '../../src/model/remediation-plan.ts';
import type { RemediationClients } from '../../src/remediation/actions/index.ts';
import { exemptionCheck } from '../../src/remediation/exemptions.ts';
import { assembleRemediationPlan, type PlanOptions } from '../../src/remediation/plan.ts';
import { readPlanBoundaries } from '../../src/remediation/read-boundaries.ts';
import { MOTO_DEFAULT_ACCOUNT as ACCOUNT, type MotoServer } from './moto.ts';
import { aService, type RestrictStubs } from './restrict-stubs.ts';

export const RESTRICT_CALLER = {
  accountId: ACCOUNT,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/credsweep-ops/run`,
  accessKeyId: null,
};
export const ORG_BOUNDARY = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'OrgGuardrail', Effect: 'Allow', Action: ['s3:*', 'sqs:*', 'ec2:*'], Resource: '*' }],
};
export const ASSUME_FROM_ACCOUNT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
  ],
});

export function stubbedClients(iam: IAMClient): RemediationClients {
  return {
    iam: async () => iam,
    rootIam: async () => {
      throw new Error('no root here');
    },
  };
}

/** The usual services (s3 in use; ec2 never used; sqs 200 days ago) for each ARN. */
export function usualServices(stubs: RestrictStubs, arns: readonly string[], now: number): void {
  for (const arn of arns) {
    stubs.services.set(arn, [aService('s3', 3, now), aService('ec2', null, now), aService('sqs', 200, now)]);
  }
}

/** Creates principals 300 days in the past; returns their ARNs and the boundary policy, if any. */
export async function seedRestrictPrincipals(
  moto: MotoServer,
  iam: IAMClient,
  spec: {
    roles?: { name: string; path?: string; boundary?: boolean }[];
    users?: { name: string; boundary?: boolean }[];
  },
): Promise<{ arns: string[]; boundaryArn?: string }> {
  await moto.setClockOffsetDays(-300);
  try {
    const wantsBoundary = [...(spec.roles ?? []), ...(spec.users ?? [])].some((p) => p.boundary);
    const boundaryArn = wantsBoundary
      ? (
          await iam.send(
            new CreatePolicyCommand({
              PolicyName: 'org-guardrail',
              PolicyDocument: JSON.stringify(ORG_BOUNDARY),
            }),
          )
        ).Policy!.Arn!
      : undefined;
    const arns: string[] = [];
    for (const r of spec.roles ?? []) {
      const role = await iam.send(
        new CreateRoleCommand({
          RoleName: r.name,
          Path: r.path ?? '/',
          AssumeRolePolicyDocument: ASSUME_FROM_ACCOUNT,
        }),
      );
      arns.push(role.Role!.Arn!);
      if (r.boundary && boundaryArn) {
        await iam.send(
          new PutRolePermissionsBoundaryCommand({ RoleName: r.name, PermissionsBoundary: boundaryArn }),
        );
      }
    }
    for (const u of spec.users ?? []) {
      const user = await iam.send(new CreateUserCommand({ UserName: u.name }));
      arns.push(user.User!.Arn!);
      if (u.boundary && boundaryArn) {
        await iam.send(
          new PutUserPermissionsBoundaryCommand({ UserName: u.name, PermissionsBoundary: boundaryArn }),
        );
      }
    }
    return { arns, ...(boundaryArn ? { boundaryArn } : {}) };
  } finally {
    await moto.setClockOffsetDays(0);
  }
}

/** `plan --permissions` in process: the permissions audit, the boundaries read, the plan. */
export async function planPermissions(
  iam: IAMClient,
  now: number,
  overrides: Partial<PlanOptions> & {
    granularity?: 'service' | 'action';
    /** Edits the audit's findings before planning (e.g. adds what Access Analyzer would have said). */
    editFindings?: (findings: Finding[]) => Finding[];
    /** The analyzer a live `plan --permissions --access-analyzer` read (recorded on its steps). */
    analyzerArn?: string;
  } = {},
): Promise<RemediationPlan> {
  const { granularity = 'service', editFindings = (f) => f, analyzerArn, ...options } = overrides;
  const audit = await auditPermissions(iam, {
    asOf: now,
    thresholdDays: 90,
    granularity,
    concurrency: 2,
    poll: { sleep: async () => {} },
  });
  const findings = editFindings(audit.findings);
  const { boundaries } = await readPlanBoundaries(findings, stubbedClients(iam), exemptionCheck([], now));
  return assembleRemediationPlan(findings, {
    dataCollectedAt: now,
    createdAt: now,
    thresholdDays: 90,
    auditedAccounts: [ACCOUNT],
    deleteAfterDays: 30,
    allowIrreversible: false,
    includeRoot: false,
    include: [],
    exclude: [],
    caller: RESTRICT_CALLER,
    permissions: { granularity, boundaries, ...(analyzerArn ? { analyzerArn } : {}) },
    ...options,
  });
}

/** Every named principal's boundary and every policy credsweep could have made: what must not change. */
export async function snapshotBoundaries(
  iam: IAMClient,
  principals: { roles: readonly string[]; users: readonly string[] },
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of principals.roles) {
    const role = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role;
    out[`role/${name}`] = role?.PermissionsBoundary?.PermissionsBoundaryArn ?? null;
  }
  for (const name of principals.users) {
    const user = (await iam.send(new GetUserCommand({ UserName: name }))).User;
    out[`user/${name}`] = user?.PermissionsBoundary?.PermissionsBoundaryArn ?? null;
  }
  const policies = await iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
  out.policies = (policies.Policies ?? []).map((p) => p.Arn).sort();
  return out;
}
