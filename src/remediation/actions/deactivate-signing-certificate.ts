import {
  type IAMClient,
  paginateListSigningCertificates,
  UpdateSigningCertificateCommand,
} from '@aws-sdk/client-iam';
import {
  type CredentialState,
  isoOrNull,
  type RemediationAction,
  statusToggleAction,
  unusedForThreshold,
} from './action.ts';

export const READ_SIGNING_CERTIFICATE_PERMISSIONS = ['iam:ListSigningCertificates'] as const;

export interface ListedCertificate {
  certificateId: string;
  status: string;
  uploadedAt: string | null;
}

/** A user's signing certificates in upload order (the report's cert_1 / cert_2). */
export async function listSigningCertificates(
  iam: IAMClient,
  userName: string,
): Promise<ListedCertificate[]> {
  const certs: ListedCertificate[] = [];
  for await (const page of paginateListSigningCertificates({ client: iam }, { UserName: userName })) {
    for (const c of page.Certificates ?? []) {
      if (!c.CertificateId) continue;
      certs.push({
        certificateId: c.CertificateId,
        status: c.Status ?? 'unknown',
        uploadedAt: isoOrNull(c.UploadDate),
      });
    }
  }
  return certs.sort((a, b) => (a.uploadedAt ?? '').localeCompare(b.uploadedAt ?? ''));
}

async function readCertificate(
  iam: IAMClient,
  userName: string,
  certificateId: string,
): Promise<CredentialState> {
  const cert = (await listSigningCertificates(iam, userName)).find((c) => c.certificateId === certificateId);
  // AWS records no last use for signing certificates (docs/aws-behaviour.md §1.1): only the status can change.
  if (!cert) return { exists: false, lastUsed: null, targetId: certificateId };
  return {
    exists: true,
    status: cert.status,
    lastUsed: null,
    targetId: certificateId,
    ...(cert.uploadedAt ? { createdAt: cert.uploadedAt } : {}),
  };
}

/** UpdateSigningCertificate to Inactive: reversible. */
export const deactivateSigningCertificate: RemediationAction = statusToggleAction({
  id: 'deactivate-signing-certificate',
  principalTypes: ['user'],
  credentials: ['cert_1', 'cert_2'],
  judgedBy: ['default'],
  // AWS records no use for certificates: uploaded at least the audit's default threshold ago.
  eligibility: (state, ctx) => unusedForThreshold(state, ctx, undefined, 'the certificate'),
  permissions: [...READ_SIGNING_CERTIFICATE_PERMISSIONS, 'iam:UpdateSigningCertificate'],
  async readState(clients, step) {
    return readCertificate(await clients.iam(step.accountId), step.principalName, step.certificateId!);
  },
  async setStatus(iam, step, status) {
    await iam.send(
      new UpdateSigningCertificateCommand({
        UserName: step.principalName,
        CertificateId: step.certificateId!,
        Status: status,
      }),
    );
  },
});
