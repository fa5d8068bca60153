/** The action registry: one entry per plan action. */
import type { RemediationActionId } from '../../model/remediation-plan.ts';
import type { RemediationAction } from './action.ts';
import { deactivateAccessKey } from './deactivate-access-key.ts';
import { deactivateServiceSpecificCredential } from './deactivate-service-specific-credential.ts';
import { deactivateSigningCertificate } from './deactivate-signing-certificate.ts';
import { deactivateSshPublicKey } from './deactivate-ssh-public-key.ts';
import { deleteAccessKey } from './delete-access-key.ts';
import { deleteLoginProfile } from './delete-login-profile.ts';
import { deleteRole } from './delete-role.ts';
import { deleteRootAccessKey } from './delete-root-access-key.ts';
import { quarantineRole } from './quarantine-role.ts';
import { quarantineUser } from './quarantine-user.ts';
import { restrictPermissions } from './restrict-permissions.ts';

export type { CredentialState, RemediationAction, RemediationClients } from './action.ts';

export const ACTIONS: Readonly<Record<RemediationActionId, RemediationAction>> = {
  'deactivate-access-key': deactivateAccessKey,
  'delete-access-key': deleteAccessKey,
  'deactivate-signing-certificate': deactivateSigningCertificate,
  'delete-login-profile': deleteLoginProfile,
  'delete-root-access-key': deleteRootAccessKey,
  'deactivate-ssh-public-key': deactivateSshPublicKey,
  'deactivate-service-specific-credential': deactivateServiceSpecificCredential,
  'quarantine-role': quarantineRole,
  'delete-role': deleteRole,
  'quarantine-user': quarantineUser,
  'restrict-permissions': restrictPermissions,
};
