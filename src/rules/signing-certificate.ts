import type { Finding } from '../model/finding.ts';
import type { Principal, SigningCertificateCredential } from '../model/inventory.ts';
import {
  ageDaysOf,
  whenInWords,
  buildFinding,
  type EvaluationContext,
  NO_FINDINGS,
  type Rule,
  unknownStatusNote,
} from './rule.ts';

export const signingCertificateUnverified: Rule = {
  id: 'signing-certificate-unverified',
  title: 'Active signing certificate whose use cannot be verified',
  severity: 'low',
  credentials: ['cert_1', 'cert_2'],
  rationale:
    'AWS records no last use for X.509 signing certificates, so an active one cannot be proven unused: review it by hand.',
  evaluate(principal: Principal, ctx: EvaluationContext): readonly Finding[] {
    const certificates = principal.signingCertificates;
    // Most users have none: no array made by map for them.
    if (certificates.length === 0) return NO_FINDINGS;
    return certificates.map((cert) => evaluateCertificate(principal, cert, ctx));
  },
};

// A slot's label, made once rather than for each certificate.
const CERT_LABELS = ['signing certificate 1', 'signing certificate 2'] as const;

function evaluateCertificate(
  principal: Principal,
  cert: SigningCertificateCredential,
  ctx: EvaluationContext,
): Finding {
  // The first known of: the last upload or rotation, the user's creation.
  const lastActivity = cert.lastRotated ?? principal.createdAt;
  const since = cert.lastRotated !== null ? 'uploaded or rotated' : 'user created';
  const ageDays = ageDaysOf(lastActivity, ctx);
  const label = CERT_LABELS[cert.slot - 1]!;
  const finding = buildFinding(principal, ctx, {
    credential: cert.slot === 1 ? 'cert_1' : 'cert_2',
    status: cert.active ? 'unverified' : 'inactive',
    lastUsed: null,
    lastActivity,
    lastActivitySource: cert.lastRotated !== null ? 'last_rotated' : 'created',
    ageDays,
    neverUsed: false,
    caveats: cert.unknownStatus !== undefined ? ['status_unknown'] : [],
    reason: cert.active
      ? `${label} is active; AWS records no last use for certificates (${since} ${whenInWords(lastActivity, ctx)})${unknownStatusNote(cert.unknownStatus)}`
      : `${label} is inactive (${since} ${whenInWords(lastActivity, ctx)})`,
  });
  if (cert.certificateId !== undefined) finding.certificateId = cert.certificateId;
  return finding;
}
