/**
 * What every remediation action declares: the IAM permissions it uses, how to read the credential's
 * current state (for re-verification right before acting), how to act, and how to undo if reversible.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { classifyAwsError } from '../../aws/classify-error.ts';
import { AwsAccessError } from '../../errors.ts';
import { toIso } from '../../time.ts';
import type { PlanStep, RemediationActionId } from '../../model/remediation-plan.ts';

/** A credential's state as read from AWS right before (or after) a step. */
export interface CredentialState {
  exists: boolean;
  /** `Active`, `Inactive` or a status this version does not know (AWS added `Expired` in 2025). */
  status?: string;
  /** ISO-8601 UTC, or null when AWS knows no use. */
  lastUsed: string | null;
  /** The key or certificate id the state was read for (root keys are resolved at apply time). */
  targetId?: string;
  createdAt?: string;
}

/** IAM clients per account, built by the CLI (connection flags, --role-name, sts:AssumeRoot). */
export interface RemediationClients {
  iam(accountId: string): Promise<IAMClient>;
  /** An IAM client on an sts:AssumeRoot session in a member account (task policy: delete root credentials). */
  rootIam(accountId: string): Promise<IAMClient>;
}

export interface RemediationAction {
  id: RemediationActionId;
  reversible: boolean;
  /** Every IAM action `readState` and `act` call, for the least-privilege policy. */
  permissions: readonly string[];
  /** What `undo` calls (empty when irreversible). */
  undoPermissions: readonly string[];
  readState(clients: RemediationClients, step: PlanStep): Promise<CredentialState>;
  act(clients: RemediationClients, step: PlanStep, before: CredentialState): Promise<void>;
  /** True when `state` is what a successful `act` leaves (a step killed in flight may have completed). */
  isDone(state: CredentialState): boolean;
  undo?(clients: RemediationClients, step: PlanStep, before: CredentialState): Promise<void>;
  /** True when `state` is what a successful `undo` leaves. */
  isUndone?(state: CredentialState): boolean;
}

/** `{code, message}` for the journal and the summary: credsweep's own AwsAccessError keeps its AWS code. */
export function describeStepError(e: unknown): { code: string; message: string } {
  if (e instanceof AwsAccessError) return { code: e.awsCode, message: e.message };
  const { code, message } = classifyAwsError(e);
  return { code, message };
}

export function isNoSuchEntity(e: unknown): boolean {
  const name = (e as { name?: string })?.name;
  return name === 'NoSuchEntityException' || name === 'NoSuchEntity';
}

export function isoOrNull(d: Date | undefined | null): string | null {
  return d ? toIso(d.getTime()) : null;
}

/**
 * An action that only flips a credential's Status: Inactive to act, Active to undo (access keys and
 * signing certificates). Acting and undoing call the same IAM action, so they need the same permissions.
 */
export function statusToggleAction(spec: {
  id: RemediationActionId;
  permissions: readonly string[];
  readState: RemediationAction['readState'];
  setStatus(iam: IAMClient, step: PlanStep, status: 'Active' | 'Inactive'): Promise<void>;
}): RemediationAction {
  return {
    id: spec.id,
    reversible: true,
    permissions: spec.permissions,
    undoPermissions: spec.permissions,
    readState: spec.readState,
    act: async (clients, step) => spec.setStatus(await clients.iam(step.accountId), step, 'Inactive'),
    isDone: (state) => state.exists && state.status === 'Inactive',
    undo: async (clients, step) => spec.setStatus(await clients.iam(step.accountId), step, 'Active'),
    isUndone: (state) => state.exists && state.status === 'Active',
  };
}
