import {
  CreatePolicyCommand,
  DeletePolicyCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteUserPermissionsBoundaryCommand,
  type IAMClient,
  PutRolePermissionsBoundaryCommand,
  PutUserPermissionsBoundaryCommand,
} from '@aws-sdk/client-iam';
import { evaluatePermissionsWithAccessAnalyzer } from '../../audit/judge.ts';
import type { PlanStep } from '../../model/remediation-plan.ts';
import type { PermissionPrincipal } from '../../model/service-access.ts';
import { evaluateServiceAccess } from '../../rules/permission-unused.ts';
import {
  LAST_ACCESSED_PERMISSIONS,
  fetchServiceLastAccessed,
  realSleep,
} from '../../sources/access-advisor/last-accessed.ts';
import {
  BOUNDARY_READ_PERMISSIONS,
  countPolicyEntities,
  readBoundaryPrincipal,
  readManagedPolicy,
  sameDocument,
} from '../boundary-reads.ts';
import { principalOfIamArn } from '../../arn.ts';
import { callerSkip } from '../caller.ts';
import { analyzerInputFor, LIVE_ACCESS_ANALYZER_PERMISSIONS } from '../live-access-analyzer.ts';
import { BOUNDARY_POLICY_PATH, BoundaryError, buildBoundary } from '../permissions-boundary.ts';
import { boundaryPolicyArn, isCredsweepBoundary, restrictionFacts, sameRestriction } from '../restriction.ts';
import {
  type CredentialState,
  type EligibilityContext,
  type Ineligible,
  type RemediationAction,
  isApplyRead,
  isNoSuchEntity,
  isoOrNull,
  missing,
} from './action.ts';

export const RESTRICTED = 'Restricted';
export const UNRESTRICTED = 'Unrestricted';
/** Written on every boundary policy credsweep creates: undo deletes only such a policy. */
export const BOUNDARY_POLICY_DESCRIPTION =
  'credsweep restrict-permissions boundary (created by credsweep; its undo deletes it when nothing uses it)';
const SERVICE_LINKED_PATH = '/aws-service-role/';

type Boundary = NonNullable<CredentialState['boundary']>;
type Target = NonNullable<Boundary['target']>;

/**
 * Fences off a user's or role's unused services (reversible): a managed permissions boundary
 * (src/remediation/permissions-boundary.ts) allowing only the services in use, denying the unused
 * tracked actions with action granularity, an existing boundary kept in force by intersecting. apply
 * derives that boundary again from live Access Advisor (merged, for a step planned with IAM Access
 * Analyzer's verdicts, with the ACTIVE findings of the analyzer apply resolves itself) with the plan's
 * threshold and the principal's current boundary, and acts only when it is the one planned. The journal keeps the previous boundary;
 * undo puts it back (or removes the boundary when there was none) and deletes the managed policy when
 * credsweep created it and nothing else has it attached.
 */
export const restrictPermissions: RemediationAction = {
  id: 'restrict-permissions',
  reversible: true,
  principalTypes: ['user', 'role'],
  credentials: ['permission'],
  judgedBy: ['permission'],
  permissions: [
    ...BOUNDARY_READ_PERMISSIONS,
    ...LAST_ACCESSED_PERMISSIONS,
    // a step planned with IAM Access Analyzer's verdicts: its findings for the principal, re-read
    ...LIVE_ACCESS_ANALYZER_PERMISSIONS,
    'iam:CreatePolicy',
    'iam:PutRolePermissionsBoundary',
    'iam:PutUserPermissionsBoundary',
  ],
  undoPermissions: [
    ...BOUNDARY_READ_PERMISSIONS,
    'iam:PutRolePermissionsBoundary',
    'iam:PutUserPermissionsBoundary',
    'iam:DeleteRolePermissionsBoundary',
    'iam:DeleteUserPermissionsBoundary',
    'iam:ListEntitiesForPolicy',
    'iam:DeletePolicy',
  ],
  async readState(clients, step, ctx, journalled) {
    const iam = await clients.iam(step.accountId);
    const type = step.principalType === 'role' ? 'role' : 'user';
    const live = await readBoundaryPrincipal(iam, { type, name: step.principalName });
    if (!live) return { exists: false, lastUsed: null };
    const restricted = isCredsweepBoundary(live.boundaryArn);
    const boundary: Boundary = { currentArn: live.boundaryArn, path: live.path };
    const state: CredentialState = {
      exists: true,
      status: restricted ? RESTRICTED : UNRESTRICTED,
      lastUsed: null,
      targetId: live.id,
      // The live ARN: the caller check compares with it, never with the step's principalName.
      ...(live.arn ? { arn: live.arn } : {}),
      ...(live.createdAt ? { createdAt: isoOrNull(new Date(live.createdAt))! } : {}),
      boundary,
    };
    const made = journalled?.boundary?.target;
    if (made) {
      boundary.leftoverPolicy =
        live.boundaryArn !== made.policyArn && (await deletablePolicy(iam, made)) !== 'keep';
    }
    // Undo reads no Access Advisor; nor does apply for a principal it will skip anyway.
    const r = step.restriction;
    if (!isApplyRead(ctx) || restricted || !r || live.path.startsWith(SERVICE_LINKED_PATH)) return state;
    // Planned with the analyzer's verdicts: the same analyzer's findings now, read from the one
    // credsweep resolved itself (src/remediation/live-access-analyzer.ts), never from the plan.
    const analyzed = r.accessAnalyzer
      ? await analyzerInputFor(ctx.accessAnalyzer, r.accessAnalyzer, step.accountId, live.arn)
      : undefined;
    if (analyzed && 'problem' in analyzed) {
      boundary.problem = analyzed.problem;
      return state;
    }
    const services = await fetchServiceLastAccessed(iam, live.arn, r.granularity, { sleep: realSleep });
    const principal: PermissionPrincipal = {
      accountId: step.accountId,
      type,
      name: step.principalName,
      arn: live.arn,
      createdAt: live.createdAt,
    };
    const judging = {
      asOf: ctx.now,
      thresholdDays: ctx.thresholdDays('permission'),
      granularity: r.granularity,
    };
    // The audit's own merge of Access Advisor with the analyzer (src/audit/judge.ts), or Access Advisor alone.
    const findings = analyzed
      ? evaluatePermissionsWithAccessAnalyzer(
          { kind: 'permissions', principal, services, granularity: r.granularity },
          analyzed.input,
          judging,
        )
      : evaluateServiceAccess(principal, services, judging);
    const facts = restrictionFacts(findings);
    state.lastUsed = facts.fencedLastUsed;
    try {
      const existing = live.boundaryArn ? await readManagedPolicy(iam, live.boundaryArn) : null;
      if (live.boundaryArn && !existing) {
        boundary.problem = `the current boundary ${live.boundaryArn} cannot be read`;
        return state;
      }
      const built = buildBoundary({
        servicesInUse: facts.servicesInUse,
        unusedActions: facts.unusedActions,
        existingBoundary: existing?.document ?? null,
      });
      const policyArn = boundaryPolicyArn(live.arn, step.accountId, built.policyName);
      const policy = await readManagedPolicy(iam, policyArn);
      const target: Target = {
        policyArn,
        policyName: built.policyName,
        document: built.document,
        servicesInUse: facts.servicesInUse,
        unusedActions: facts.unusedActions,
        policyExisted: policy !== null,
        policyMatches: policy !== null && sameDocument(policy.document, built.document),
      };
      boundary.target = target;
    } catch (e) {
      if (!(e instanceof BoundaryError)) throw e;
      boundary.problem = e.message;
    }
    return state;
  },
  never: (state, ctx, step) => (state.exists ? restrictionNever(state, ctx, step) : null),
  eligibility: (state, ctx, step) =>
    step
      ? (missing(state, `the ${step.principalType}`) ?? restrictionCheck(state, ctx, step))
      : { reason: 'action_mismatch', detail: 'restrict-permissions is re-checked against its step' },
  async act(clients, step, before) {
    const iam = await clients.iam(step.accountId);
    const target = before.boundary?.target;
    if (!target) throw new Error('restrict-permissions: no boundary derived before acting');
    if (!target.policyExisted) {
      try {
        await iam.send(
          new CreatePolicyCommand({
            PolicyName: target.policyName,
            Path: BOUNDARY_POLICY_PATH,
            PolicyDocument: target.document,
            Description: BOUNDARY_POLICY_DESCRIPTION,
          }),
        );
      } catch (e) {
        // A retry after a fault: the policy is there; it must hold exactly this document.
        if ((e as { name?: string })?.name !== 'EntityAlreadyExistsException') throw e;
        const now = await readManagedPolicy(iam, target.policyArn);
        if (!now || !sameDocument(now.document, target.document)) throw e;
      }
    }
    await setBoundary(iam, step, target.policyArn);
  },
  isDone: (state) => state.exists && state.status === RESTRICTED,
  async undo(clients, step, _state, journalled) {
    const iam = await clients.iam(step.accountId);
    const previous = journalled?.boundary?.currentArn ?? null;
    const target = journalled?.boundary?.target;
    await setBoundary(iam, step, previous);
    const restored = previous ? `boundary ${previous} restored` : 'boundary removed (it had none)';
    if (!target) return restored;
    const verdict = await deletablePolicy(iam, target);
    if (verdict === 'gone') return restored;
    if (verdict === 'keep') {
      const others = await countPolicyEntities(iam, target.policyArn);
      return others > 0
        ? `${restored}; policy ${target.policyName} kept (attached to ${others} other)`
        : `${restored}; policy ${target.policyName} kept (credsweep did not create it)`;
    }
    try {
      await iam.send(new DeletePolicyCommand({ PolicyArn: target.policyArn }));
    } catch (e) {
      // A retry after a lost answer: the first attempt deleted it.
      if (!isNoSuchEntity(e)) throw e;
    }
    return `${restored}; policy ${target.policyName} deleted (nothing else used it)`;
  },
  // Still carrying the boundary this step set, on the same principal (same UserId/RoleId) — or
  // already back to the previous one with credsweep's policy left behind by an undo that failed.
  isAsLeft: (state, before) =>
    state.exists &&
    before?.boundary?.target !== undefined &&
    state.targetId === before.targetId &&
    (state.boundary?.currentArn === before.boundary.target.policyArn ||
      (state.boundary?.currentArn === before.boundary.currentArn && state.boundary.leftoverPolicy === true)),
  isUndone: (state, journalled) =>
    state.exists &&
    journalled?.boundary !== undefined &&
    state.boundary?.currentArn === journalled.boundary.currentArn &&
    state.boundary.leftoverPolicy !== true,
};

/**
 * What undo does with the boundary policy a step set: delete it when it exists, nothing has it
 * attached and credsweep created it (the journal says this step did, or its description is
 * credsweep's: another step of the plan may have created it), else keep it.
 */
async function deletablePolicy(iam: IAMClient, target: Target): Promise<'delete' | 'keep' | 'gone'> {
  const policy = await readManagedPolicy(iam, target.policyArn);
  if (!policy) return 'gone';
  if (target.policyExisted && policy.description !== BOUNDARY_POLICY_DESCRIPTION) return 'keep';
  return (await countPolicyEntities(iam, target.policyArn)) > 0 ? 'keep' : 'delete';
}

async function setBoundary(iam: IAMClient, step: PlanStep, arn: string | null): Promise<void> {
  const name = step.principalName;
  if (step.principalType === 'role') {
    if (arn)
      await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: name, PermissionsBoundary: arn }));
    else await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: name }));
  } else if (arn) {
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: name, PermissionsBoundary: arn }));
  } else {
    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: name }));
  }
}

const changed = (detail: string): Ineligible => ({ reason: 'changed_since_plan', detail });

/** Never a service-linked role, nor the user or role credsweep runs as (by the live ARN). */
function restrictionNever(
  state: CredentialState,
  ctx: EligibilityContext,
  step: PlanStep,
): Ineligible | null {
  if (step.principalType === 'role' && state.boundary?.path.startsWith(SERVICE_LINKED_PATH)) {
    return { reason: 'service_linked', detail: 'a service-linked role is managed by its AWS service' };
  }
  return callerSkip(
    principalOfIamArn(state.arn ?? '') ?? {
      accountId: step.accountId,
      type: step.principalType,
      name: step.principalName,
    },
    ctx,
  );
}

/** The never cases, then the live derivation against what was planned. */
function restrictionCheck(
  state: CredentialState,
  ctx: EligibilityContext,
  step: PlanStep,
): Ineligible | null {
  const r = step.restriction;
  const b = state.boundary;
  if (!r) return { reason: 'action_mismatch', detail: 'the step names no restriction' };
  if (!b) return changed('the principal could not be read');
  const never = restrictionNever(state, ctx, step);
  if (never) return never;
  if (state.status === RESTRICTED) return changed(`it already has credsweep's boundary ${b.currentArn}`);
  if (b.currentArn !== r.previousBoundaryArn) {
    return changed(
      `its boundary is ${b.currentArn ?? 'none'} now, the plan was made with ${r.previousBoundaryArn ?? 'none'}`,
    );
  }
  if (b.problem) return changed(b.problem);
  const t = b.target;
  if (!t) return changed('no boundary could be derived from live Access Advisor');
  if (!sameRestriction(t, r)) {
    return changed(
      `in use now: ${list(t.servicesInUse)}${t.unusedActions.length ? `; unused actions ${list(t.unusedActions)}` : ''} (the plan: ${list(r.servicesInUse)}${r.unusedActions.length ? `; ${list(r.unusedActions)}` : ''})`,
    );
  }
  if (t.policyName !== r.policyName) {
    return changed(
      `the boundary would be ${t.policyName}, the plan's is ${r.policyName} (the current boundary's document changed)`,
    );
  }
  if (t.policyExisted && !t.policyMatches) {
    return changed(`a policy ${t.policyArn} exists with another document`);
  }
  return null;
}

function list(xs: readonly string[]): string {
  return xs.length ? xs.join(', ') : 'none';
}
