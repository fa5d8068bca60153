import type { Finding } from '../model/finding.ts';
import type { Principal } from '../model/inventory.ts';
import { ageInWords, buildFinding, type EvaluationContext, firstKnown, type Rule } from './rule.ts';

export const signingCertificateUnverified: Rule = {
  id: 'signing-certificate-unverified',
  title: 'Active signing certificate whose use cannot be verified',
  severity: 'low',
  credentials: ['cert_1', 'cert_2'],
  rationale:
    'AWS records no last use for X.509 signing certificates, so an active one cannot be proven unused: review it by hand.',
  evaluate(principal: Principal, ctx: EvaluationContext): Finding[] {
    return principal.signingCertificates.map((cert) => {
      const activity = firstKnown([
        [cert.lastRotated, 'last_rotated'],
        [principal.createdAt, 'created'],
      ])!;
      const label = `signing certificate ${cert.slot}`;
      const since = activity.source === 'created' ? 'user created' : 'uploaded or rotated';
      const extra: Partial<Finding> = {};
      if (cert.certificateId !== undefined) extra.certificateId = cert.certificateId;
      return buildFinding(
        principal,
        {
          credential: cert.slot === 1 ? 'cert_1' : 'cert_2',
          status: () => (cert.active ? 'unverified' : 'inactive'),
          lastUsed: null,
          lastActivity: activity.at,
          lastActivitySource: activity.source,
          neverUsed: false,
          caveats: [],
          reason: (age) =>
            cert.active
              ? `${label} is active; AWS records no last use for certificates (${since} ${ageInWords(age)})`
              : `${label} is inactive (${since} ${ageInWords(age)})`,
          extra,
        },
        ctx,
      );
    });
  },
};
