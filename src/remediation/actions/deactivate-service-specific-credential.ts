/**
 * UpdateServiceSpecificCredential to Inactive (undo: Active), reversible. AWS records no use of
 * service-specific credentials (docs/aws-behaviour.md §9): apply re-reads the credential
 * (ListServiceSpecificCredentials for the user) and acts only while it is Active, not past its
 * ExpirationDate, and created at least the plan's threshold ago. An Expired one, or one in a status
 * this version does not know, is not Active, so it is never touched; undo reactivates only one still
 * Inactive (by undo's injected clock, not past its ExpirationDate).
 */
import { UpdateServiceSpecificCredentialCommand } from '@aws-sdk/client-iam';
import {
  isPastExpiry,
  listServiceSpecificCredentials,
  SERVICE_SPECIFIC_CREDENTIAL_PERMISSIONS,
} from '../../sources/iam-api/service-specific-credentials.ts';
import { toIso } from '../../time.ts';
import {
  type CredentialState,
  type RemediationAction,
  statusToggleAction,
  unusedForThreshold,
} from './action.ts';

export const deactivateServiceSpecificCredential: RemediationAction = statusToggleAction({
  id: 'deactivate-service-specific-credential',
  principalTypes: ['user'],
  credentials: ['service_specific_credential'],
  judgedBy: ['service_specific_credential'],
  eligibility: (state, ctx) =>
    unusedForThreshold(state, ctx, 'service_specific_credential', 'the service-specific credential'),
  permissions: [...SERVICE_SPECIFIC_CREDENTIAL_PERMISSIONS, 'iam:UpdateServiceSpecificCredential'],
  async readState(clients, step, ctx): Promise<CredentialState> {
    const id = step.serviceSpecificCredentialId!;
    const iam = await clients.iam(step.accountId);
    const credential = (await listServiceSpecificCredentials(iam, step.principalName)).find(
      (c) => c.serviceSpecificCredentialId === id,
    );
    if (!credential) return { exists: false, lastUsed: null, targetId: id };
    // Expired as of apply's or undo's now (each injected: what their other checks use).
    const expired = isPastExpiry(credential, ctx.now);
    return {
      exists: true,
      // Past its ExpirationDate it is as good as Expired, whatever Status says. A status this version
      // does not know is kept as IAM said it: neither Active (apply acts on) nor Inactive (undo undoes).
      status: expired
        ? 'Expired'
        : credential.status === 'unknown'
          ? credential.unknownStatus || 'unknown'
          : credential.status,
      lastUsed: null,
      targetId: id,
      ...(credential.createdAt !== null ? { createdAt: toIso(credential.createdAt) } : {}),
    };
  },
  async setStatus(iam, step, status) {
    await iam.send(
      new UpdateServiceSpecificCredentialCommand({
        UserName: step.principalName,
        ServiceSpecificCredentialId: step.serviceSpecificCredentialId!,
        Status: status,
      }),
    );
  },
});
