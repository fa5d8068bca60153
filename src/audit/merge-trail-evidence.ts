/**
 * `credsweep audit ... --cloudtrail PATH`: folds what CloudTrail saw into the findings. Pure: the
 * findings stream and a TrailSummary in, findings out.
 *
 * - An access key the trail shows in use later than the report or API says gets that later lastUsed,
 *   with lastActivitySource `cloudtrail`, and its status is re-judged against the threshold. Key
 *   findings also get their source IPs (the busiest few), and the caveat `key_used_from_many_ips`
 *   when more distinct addresses than `manyIps` used the key: a shared or leaked key, one of the
 *   reasons AWS gives for looking at CloudTrail at all.
 * - Likewise a password (a later successful ConsoleLogin) and a role (a later successful AssumeRole*).
 *
 * Matching a key: by access key id when the finding has one (IAM API source). The credential report
 * has no key ids, so there a trail key is matched to the user by ARN, and only when that cannot be
 * wrong: the user has one active key and the trail saw one long-term key of theirs. Otherwise the
 * finding is left as it was (two active keys and one trail key cannot be told apart).
 */
import type { Caveat, Finding, FindingStatus } from '../model/finding.ts';
import type { TrailAccessKeyUse, TrailSummary } from '../model/trail-summary.ts';
import { ageInWords, type EvaluationContext, type ThresholdKind, thresholdFor } from '../rules/rule.ts';
import { parseIsoDateTime, toIso, wholeDaysBetween } from '../time.ts';

export const DEFAULT_MANY_IPS = 10;

export interface TrailEvidence {
  keysById: Map<string, TrailAccessKeyUse>;
  keysByPrincipal: Map<string, TrailAccessKeyUse[]>;
  lastLogin: Map<string, string>;
  lastAssumed: Map<string, string>;
}

export interface TrailMergeOptions extends EvaluationContext {
  /** More distinct source IPs than this raises `key_used_from_many_ips`. */
  manyIps: number;
}

export function indexTrailEvidence(summary: TrailSummary): TrailEvidence {
  const evidence: TrailEvidence = {
    keysById: new Map(),
    keysByPrincipal: new Map(),
    lastLogin: new Map(),
    lastAssumed: new Map(),
  };
  for (const k of summary.accessKeys) {
    evidence.keysById.set(k.accessKeyId, k);
    // only long-term keys belong to a user's key slots (AWS-SEMANTICS §4.2)
    if (k.principalArn !== null && k.accessKeyId.startsWith('AKIA')) {
      const list = evidence.keysByPrincipal.get(k.principalArn) ?? [];
      list.push(k);
      evidence.keysByPrincipal.set(k.principalArn, list);
    }
  }
  for (const l of summary.consoleLogins)
    if (l.lastSuccess !== null) evidence.lastLogin.set(l.principalArn, l.lastSuccess);
  for (const r of summary.roles) evidence.lastAssumed.set(r.roleArn, r.lastAssumed);
  return evidence;
}

const isKey = (f: Finding) => f.credential === 'access_key_1' || f.credential === 'access_key_2';

/** Findings of one principal arrive together (one principal is evaluated at a time). */
export async function* mergeTrailEvidence(
  findings: AsyncIterable<Finding>,
  evidence: TrailEvidence,
  options: TrailMergeOptions,
): AsyncGenerator<Finding> {
  let group: Finding[] = [];
  for await (const f of findings) {
    if (group.length > 0 && (group[0]!.arn !== f.arn || group[0]!.accountId !== f.accountId)) {
      yield* mergePrincipal(group, evidence, options);
      group = [];
    }
    group.push(f);
  }
  if (group.length > 0) yield* mergePrincipal(group, evidence, options);
}

export function mergePrincipal(
  group: Finding[],
  evidence: TrailEvidence,
  options: TrailMergeOptions,
): Finding[] {
  const keyFindings = group.filter(isKey);
  const byArn = evidence.keysByPrincipal.get(group[0]!.arn) ?? [];
  const active = keyFindings.filter((f) => f.status !== 'inactive');
  return group.map((f) => {
    if (isKey(f)) {
      let use: TrailAccessKeyUse | undefined;
      if (f.accessKeyId !== undefined) use = evidence.keysById.get(f.accessKeyId);
      else if (
        byArn.length === 1 &&
        active.length === 1 &&
        active[0] === f &&
        seenSinceCreated(f, byArn[0]!)
      ) {
        use = byArn[0];
      }
      return use ? withKeyUse(f, use, options) : f;
    }
    if (f.credential === 'password') {
      const at = evidence.lastLogin.get(f.arn);
      return at ? withLaterUse(f, at, 'password', 'password', options) : f;
    }
    if (f.credential === 'role') {
      const at = evidence.lastAssumed.get(f.arn);
      return at ? withLaterUse(f, at, 'role', 'role', options) : f;
    }
    return f;
  });
}

/**
 * A never-used key (by the report) whose trail use began before the key existed is an older, since
 * deleted key of the same user, not this one.
 */
function seenSinceCreated(f: Finding, use: TrailAccessKeyUse): boolean {
  if (f.lastUsed !== null) return true;
  const created = parseIsoDateTime(f.lastActivity);
  const first = parseIsoDateTime(use.firstSeen);
  return created === null || first === null || first >= created;
}

function withKeyUse(f: Finding, use: TrailAccessKeyUse, options: TrailMergeOptions): Finding {
  const label = `access key ${f.credential === 'access_key_1' ? 1 : 2}`;
  const merged = withLaterUse(f, use.lastSeen, 'access_key', label, options);
  const caveats: Caveat[] = [...merged.caveats] as Caveat[];
  if (use.sourceIps.count > options.manyIps && !caveats.includes('key_used_from_many_ips')) {
    caveats.push('key_used_from_many_ips');
  }
  const reason =
    use.sourceIps.count > options.manyIps
      ? `${merged.reason}; CloudTrail saw it from ${use.sourceIps.count} source IPs (more than ${options.manyIps}: shared or leaked?)`
      : merged.reason;
  return { ...merged, caveats, reason, sourceIps: use.sourceIps.top };
}

/** The finding with a later last use from CloudTrail, if the trail's is later; status re-judged. */
function withLaterUse(
  f: Finding,
  seenIso: string,
  kind: ThresholdKind,
  label: string,
  options: TrailMergeOptions,
): Finding {
  const seen = parseIsoDateTime(seenIso);
  if (seen === null) return f;
  const lastUsed = f.lastUsed === null ? null : parseIsoDateTime(f.lastUsed);
  const lastActivity = parseIsoDateTime(f.lastActivity);
  if (lastUsed !== null && seen <= lastUsed) return f;
  // never used, by the report: a use before the credential was created is some other credential's
  if (lastUsed === null && lastActivity !== null && seen < lastActivity) return f;
  const ageDays = wholeDaysBetween(seen, options.asOf);
  const threshold = thresholdFor(options, kind);
  // Only a judgement made from dates changes; inactive, exempt and service-linked stay what they are.
  const rejudge: FindingStatus[] = ['unused', 'in_use', 'unverified'];
  const status: FindingStatus = rejudge.includes(f.status)
    ? ageDays >= threshold
      ? 'unused'
      : 'in_use'
    : f.status;
  return {
    ...f,
    status,
    lastUsed: toIso(seen),
    lastActivity: toIso(seen),
    lastActivitySource: 'cloudtrail',
    ageDays,
    neverUsed: false,
    // a use seen in CloudTrail settles the "not tracked before" doubts of a never-used credential
    caveats: f.caveats.filter((c) => !c.startsWith('not_tracked_before')),
    reason: `${label} last used ${ageInWords(ageDays)} according to CloudTrail (threshold ${threshold})${
      rejudge.includes(f.status) ? '' : `; ${f.status.replace('_', ' ')}`
    }`,
  };
}
