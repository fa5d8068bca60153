/**
 * SSH public keys (CodeCommit). AWS records no last use for them (docs/aws-behaviour.md §9):
 * an active key older than the threshold cannot be proven used or unused, so it is `unverified`
 * unless evidence (CloudTrail, folded in before the rules) shows a use; then the use is judged like
 * an access key's.
 */
import type { Finding } from '../model/finding.ts';
import type { Principal, SshPublicKeyCredential } from '../model/inventory.ts';
import {
  ageInWords,
  buildFinding,
  byThreshold,
  type EvaluationContext,
  firstKnown,
  type Rule,
  thresholdFor,
  thresholdNote,
} from './rule.ts';

export const sshPublicKeyUnverified: Rule = {
  id: 'ssh-public-key-unverified',
  title: 'Active SSH public key older than the window, with no record of use',
  severity: 'medium',
  credentials: ['ssh_public_key'],
  rationale:
    'AWS keeps no last use for SSH public keys (CodeCommit): an old active key may be forgotten; deactivate it unless its owner still needs it.',
  evaluate(principal: Principal, ctx: EvaluationContext): Finding[] {
    return (principal.sshPublicKeys ?? []).map((key) => evaluateKey(principal, key, ctx));
  },
};

function evaluateKey(principal: Principal, key: SshPublicKeyCredential, ctx: EvaluationContext): Finding {
  const lastUsed = key.lastUsed ?? null;
  const activity = firstKnown([
    [lastUsed, 'cloudtrail'],
    [key.uploadedAt, 'last_rotated'],
    [principal.createdAt, 'created'],
  ])!;
  const threshold = thresholdFor(ctx, 'ssh_public_key');
  const label = `SSH public key ${key.sshPublicKeyId}`;
  const when = (age: number) =>
    lastUsed !== null
      ? `last used ${ageInWords(age)} according to CloudTrail`
      : `uploaded ${ageInWords(age)}; AWS records no last use for SSH keys`;
  return buildFinding(
    principal,
    {
      credential: 'ssh_public_key',
      status: !key.active
        ? () => 'inactive'
        : lastUsed !== null
          ? byThreshold(ctx, 'ssh_public_key')
          : (age) => (age >= threshold ? 'unverified' : 'in_use'),
      lastUsed,
      lastActivity: activity.at,
      lastActivitySource: activity.source,
      neverUsed: false,
      caveats: [],
      reason: (age) =>
        key.active
          ? `${label} is active, ${when(age)} ${thresholdNote(ctx, 'ssh_public_key')}`
          : `${label} is inactive; ${when(age)}`,
      extra: { sshPublicKeyId: key.sshPublicKeyId },
    },
    ctx,
  );
}
