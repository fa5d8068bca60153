/**
 * SSH public keys (CodeCommit). AWS records no last use for them (docs/aws-behaviour.md §9):
 * an active key older than the threshold cannot be proven used or unused, so it is `unverified`
 * unless evidence (CloudTrail, folded in before the rules) shows a use; then the use is judged like
 * an access key's.
 */
import type { Finding } from '../model/finding.ts';
import type { Principal, SshPublicKeyCredential } from '../model/inventory.ts';
import {
  ageDaysOf,
  whenInWords,
  buildFinding,
  type EvaluationContext,
  NO_FINDINGS,
  type Rule,
  pastThreshold,
  statusByThreshold,
  thresholdFor,
  thresholdNote,
  unknownStatusNote,
} from './rule.ts';

export const sshPublicKeyUnverified: Rule = {
  id: 'ssh-public-key-unverified',
  title: 'Active SSH public key older than the window, with no record of use',
  severity: 'medium',
  credentials: ['ssh_public_key'],
  rationale:
    'AWS keeps no last use for SSH public keys (CodeCommit): an old active key may be forgotten; deactivate it unless its owner still needs it.',
  evaluate(principal: Principal, ctx: EvaluationContext): readonly Finding[] {
    const keys = principal.sshPublicKeys;
    // A credential report has none: no arrays made for its users.
    if (keys === undefined || keys.length === 0) return NO_FINDINGS;
    return keys.map((key) => evaluateKey(principal, key, ctx));
  },
};

function evaluateKey(principal: Principal, key: SshPublicKeyCredential, ctx: EvaluationContext): Finding {
  const lastUsed = key.lastUsed ?? null;
  // The first known of: a use CloudTrail saw, the upload, the user's creation.
  const lastActivity = lastUsed ?? key.uploadedAt ?? principal.createdAt;
  const ageDays = ageDaysOf(lastActivity, ctx);
  const threshold = thresholdFor(ctx, 'ssh_public_key');
  const label = `SSH public key ${key.sshPublicKeyId}`;
  const when =
    lastUsed !== null
      ? `last used ${whenInWords(lastActivity, ctx)} according to CloudTrail`
      : `uploaded ${whenInWords(lastActivity, ctx)}; AWS records no last use for SSH keys`;
  const finding = buildFinding(principal, ctx, {
    credential: 'ssh_public_key',
    status: !key.active
      ? 'inactive'
      : lastUsed !== null
        ? statusByThreshold(lastActivity, ctx, 'ssh_public_key')
        : pastThreshold(lastActivity, ctx, threshold)
          ? 'unverified'
          : 'in_use',
    lastUsed,
    lastActivity,
    lastActivitySource:
      lastUsed !== null ? 'cloudtrail' : key.uploadedAt !== null ? 'last_rotated' : 'created',
    ageDays,
    neverUsed: false,
    caveats: key.unknownStatus !== undefined ? ['status_unknown'] : [],
    reason: key.active
      ? `${label} is active, ${when} ${thresholdNote(ctx, 'ssh_public_key')}${unknownStatusNote(key.unknownStatus)}`
      : `${label} is inactive; ${when}`,
  });
  finding.sshPublicKeyId = key.sshPublicKeyId;
  return finding;
}
