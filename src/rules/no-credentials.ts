import type { Finding } from '../model/finding.ts';
import type { Principal } from '../model/inventory.ts';
import {
  ageDaysOf,
  whenInWords,
  buildFinding,
  type EvaluationContext,
  NO_FINDINGS,
  type Rule,
} from './rule.ts';

export const userWithoutCredentials: Rule = {
  id: 'user-without-credentials',
  title: 'IAM user with no password, access key or signing certificate',
  severity: 'low',
  credentials: ['none'],
  rationale: 'A user with no credentials cannot sign in or call AWS; it may be a leftover worth deleting.',
  evaluate(principal: Principal, ctx: EvaluationContext): readonly Finding[] {
    if (
      principal.type !== 'user' ||
      principal.password ||
      principal.accessKeys.length > 0 ||
      principal.signingCertificates.length > 0 ||
      (principal.sshPublicKeys?.length ?? 0) > 0 ||
      (principal.serviceSpecificCredentials?.length ?? 0) > 0
    ) {
      return NO_FINDINGS;
    }
    const ageDays = ageDaysOf(principal.createdAt, ctx);
    return [
      buildFinding(principal, ctx, {
        credential: 'none',
        status: 'no_credentials',
        lastUsed: null,
        lastActivity: principal.createdAt,
        lastActivitySource: 'created',
        ageDays,
        neverUsed: false,
        caveats: [],
        reason: `user has no password, access key or signing certificate; created ${whenInWords(principal.createdAt, ctx)}`,
      }),
    ];
  },
};
