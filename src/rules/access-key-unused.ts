import type { Caveat, Finding } from '../model/finding.ts';
import type { AccessKeyCredential, Principal } from '../model/inventory.ts';
import {
  ageInWords,
  buildFinding,
  byThreshold,
  type EvaluationContext,
  firstKnown,
  type Rule,
  seenBy,
  thresholdNote,
} from './rule.ts';
import { ACCESS_KEY_TRACKING_START } from './tracking-dates.ts';

export const accessKeyUnused: Rule = {
  id: 'access-key-unused',
  title: 'Access key not used within the window',
  severity: 'high',
  credentials: ['access_key_1', 'access_key_2'],
  rationale:
    'Long-term access keys that nobody uses can be leaked and used without anyone noticing; deactivate, then delete them.',
  evaluate(principal: Principal, ctx: EvaluationContext): Finding[] {
    return principal.accessKeys.map((key) => evaluateKey(principal, key, ctx));
  },
};

function evaluateKey(principal: Principal, key: AccessKeyCredential, ctx: EvaluationContext): Finding {
  const activity = firstKnown([
    [key.lastUsed, key.lastUsedSource ?? 'last_used'],
    [key.lastRotated, 'last_rotated'],
    [principal.createdAt, 'created'],
  ])!;
  const neverUsed = key.lastUsed === null;
  const caveats: Caveat[] = [];
  if (neverUsed && activity.at < ACCESS_KEY_TRACKING_START) caveats.push('not_tracked_before_2015_04_22');
  const label = `access key ${key.slot}`;
  const when = (age: number) =>
    neverUsed
      ? `never used; ${activity.source === 'created' ? 'user created' : 'created or rotated'} ${ageInWords(age)}`
      : `last used ${ageInWords(age)}${seenBy(key.lastUsedSource)}`;
  // CloudTrail's evidence (audit --cloudtrail): many source IPs suggest a shared or leaked key.
  const trail = key.trail;
  const manyIps = trail !== undefined && trail.sourceIpCount > trail.manyIps;
  if (manyIps) caveats.push('key_used_from_many_ips');
  const ipNote = manyIps
    ? `; CloudTrail saw it from ${trail.sourceIpCount} source IPs (more than ${trail.manyIps}: shared or leaked?)`
    : '';
  const extra: Partial<Finding> = {};
  if (trail !== undefined) extra.sourceIps = trail.sourceIps;
  if (key.accessKeyId !== undefined) extra.accessKeyId = key.accessKeyId;
  if (key.lastUsedService !== undefined) extra.lastUsedService = key.lastUsedService;
  if (key.lastUsedRegion !== undefined) extra.lastUsedRegion = key.lastUsedRegion;
  return buildFinding(
    principal,
    {
      credential: key.slot === 1 ? 'access_key_1' : 'access_key_2',
      status: key.active ? byThreshold(ctx, 'access_key') : () => 'inactive',
      lastUsed: key.lastUsed,
      lastActivity: activity.at,
      lastActivitySource: activity.source,
      neverUsed,
      caveats,
      reason: (age) =>
        key.active
          ? `${label} ${when(age)} ${thresholdNote(ctx, 'access_key')}${ipNote}`
          : `${label} is inactive; ${when(age)}${ipNote}`,
      extra,
    },
    ctx,
  );
}
