/**
 * The ids that tell a finding's credential apart, apart from finding.ts's zod schemas so that the
 * reporters and the CLI's audit path load no zod (start-up: docs/performance.md). finding.ts
 * re-exports them.
 */

/** A finding's (or a plan step's) id fields; spelled out rather than picked from Finding: finding.ts imports this module. */
interface CredentialIds {
  accessKeyId?: string | undefined;
  certificateId?: string | undefined;
  sshPublicKeyId?: string | undefined;
  serviceSpecificCredentialId?: string | undefined;
}

/**
 * The id of a kind a principal can hold several of (SSH public keys, service-specific credentials):
 * it tells two credentials of one user and kind apart. Undefined for every other kind.
 */
export function instanceIdOf(
  f: Pick<CredentialIds, 'sshPublicKeyId' | 'serviceSpecificCredentialId'>,
): string | undefined {
  return f.sshPublicKeyId ?? f.serviceSpecificCredentialId;
}

/** The id that names the credential itself, when it has one: key, certificate, SSH key or service credential. */
export function credentialIdOf(f: CredentialIds): string | undefined {
  return f.accessKeyId ?? f.certificateId ?? instanceIdOf(f);
}
