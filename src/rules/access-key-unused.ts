import type { ActivitySource, Caveat, Finding } from '../model/finding.ts';
import type { AccessKeyCredential, Principal } from '../model/inventory.ts';
import {
  ageDaysOf,
  whenInWords,
  buildFinding,
  type EvaluationContext,
  NO_FINDINGS,
  type Rule,
  seenBy,
  statusByThreshold,
  thresholdNote,
  unknownStatusNote,
} from './rule.ts';
import { ACCESS_KEY_TRACKING_START } from './tracking-dates.ts';

export const accessKeyUnused: Rule = {
  id: 'access-key-unused',
  title: 'Access key not used within the window',
  severity: 'high',
  credentials: ['access_key_1', 'access_key_2'],
  rationale:
    'Long-term access keys that nobody uses can be leaked and used without anyone noticing; deactivate, then delete them.',
  evaluate(principal: Principal, ctx: EvaluationContext): readonly Finding[] {
    const keys = principal.accessKeys;
    // Many users have none: no array made by map for them.
    if (keys.length === 0) return NO_FINDINGS;
    return keys.map((key) => evaluateKey(principal, key, ctx));
  },
};

// A slot's label, made once rather than for each key.
const KEY_LABELS = ['access key 1', 'access key 2'] as const;

function evaluateKey(principal: Principal, key: AccessKeyCredential, ctx: EvaluationContext): Finding {
  // The first known of: the last use, the last rotation, the user's creation.
  const lastActivity = key.lastUsed ?? key.lastRotated ?? principal.createdAt;
  const lastActivitySource: ActivitySource =
    key.lastUsed !== null
      ? (key.lastUsedSource ?? 'last_used')
      : key.lastRotated !== null
        ? 'last_rotated'
        : 'created';
  const ageDays = ageDaysOf(lastActivity, ctx);
  const neverUsed = key.lastUsed === null;
  const caveats: Caveat[] = [];
  if (neverUsed && lastActivity < ACCESS_KEY_TRACKING_START) caveats.push('not_tracked_before_2015_04_22');
  const label = KEY_LABELS[key.slot - 1]!;
  const when = neverUsed
    ? `never used; ${lastActivitySource === 'created' ? 'user created' : 'created or rotated'} ${whenInWords(lastActivity, ctx)}`
    : `last used ${whenInWords(lastActivity, ctx)}${seenBy(key.lastUsedSource)}`;
  // CloudTrail's evidence (audit --cloudtrail): many source IPs suggest a shared or leaked key.
  const trail = key.trail;
  const manyIps = trail !== undefined && trail.sourceIpCount > trail.manyIps;
  if (manyIps) caveats.push('key_used_from_many_ips');
  if (key.unknownStatus !== undefined) caveats.push('status_unknown');
  const ipNote = manyIps
    ? `; CloudTrail saw it from ${trail.sourceIpCount} source IPs (more than ${trail.manyIps}: shared or leaked?)`
    : '';
  const finding = buildFinding(principal, ctx, {
    credential: key.slot === 1 ? 'access_key_1' : 'access_key_2',
    status: key.active ? statusByThreshold(lastActivity, ctx, 'access_key') : 'inactive',
    lastUsed: key.lastUsed,
    lastActivity,
    lastActivitySource,
    ageDays,
    neverUsed,
    caveats,
    reason: key.active
      ? `${label} ${when} ${thresholdNote(ctx, 'access_key')}${ipNote}${unknownStatusNote(key.unknownStatus)}`
      : `${label} is inactive; ${when}${ipNote}`,
  });
  if (trail !== undefined) finding.sourceIps = trail.sourceIps;
  if (key.accessKeyId !== undefined) finding.accessKeyId = key.accessKeyId;
  if (key.lastUsedService !== undefined) finding.lastUsedService = key.lastUsedService;
  if (key.lastUsedRegion !== undefined) finding.lastUsedRegion = key.lastUsedRegion;
  return finding;
}
