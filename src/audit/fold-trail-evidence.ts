/**
 * `credsweep audit ... --cloudtrail PATH`: folds what CloudTrail saw into the inventory, before the
 * rules run (judge once: the rules see the later use and decide the status; nothing re-judges after).
 * Pure: a principal and the indexed TrailSummary in, the principal with the evidence out.
 *
 * - An access key the trail shows in use later than the report or API says gets that later lastUsed,
 *   marked as seen by CloudTrail. Every matched key also carries its source IPs (the busiest few)
 *   and how many distinct addresses used it: more than `manyIps` is the caveat
 *   `key_used_from_many_ips` (a shared or leaked key, one reason AWS gives for looking at CloudTrail).
 * - Likewise a password (a later successful ConsoleLogin), a role (a later successful AssumeRole*)
 *   and an SSH public key (IAM API source): a CodeCommit call over SSH names the key id (`APKA…`)
 *   where an access key's would be (src/sources/cloudtrail/aggregate.ts), matched by exact id only.
 *   AWS keeps no last use of SSH keys, so this is the only evidence that one is in use.
 * - A use the trail saw before the credential existed (never used by the report, and created or
 *   rotated after the event) belongs to some other, since deleted credential and is ignored.
 *
 * Matching a key: by access key id when the inventory has one (IAM API source). The credential report
 * has no key ids, so there a trail key is matched to the user by ARN, and only when that cannot be
 * wrong: the user has one active key and the trail saw one long-term key of theirs. Otherwise the key
 * is left as it was (two active keys and one trail key cannot be told apart).
 */
import type { AccessKeyCredential, Principal } from '../model/inventory.ts';
import type { TrailAccessKeyUse, TrailSummary } from '../model/trail-summary.ts';
import { type EpochMs, parseIsoDateTime } from '../time.ts';

export const DEFAULT_MANY_IPS = 10;

export interface TrailEvidence {
  keysById: Map<string, TrailAccessKeyUse>;
  keysByPrincipal: Map<string, TrailAccessKeyUse[]>;
  lastLogin: Map<string, string>;
  lastAssumed: Map<string, string>;
}

export interface TrailFoldOptions {
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
    // only long-term keys belong to a user's key slots (docs/aws-behaviour.md §4.2)
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

/** The principal with CloudTrail's evidence folded into its credentials (unchanged when none). */
export function foldTrailEvidence(
  principal: Principal,
  evidence: TrailEvidence,
  options: TrailFoldOptions,
): Principal {
  let folded = principal;
  if (principal.accessKeys.length > 0) {
    const byArn = evidence.keysByPrincipal.get(principal.arn) ?? [];
    const active = principal.accessKeys.filter((k) => k.active);
    let changed = false;
    const accessKeys = principal.accessKeys.map((key) => {
      let use: TrailAccessKeyUse | undefined;
      if (key.accessKeyId !== undefined) use = evidence.keysById.get(key.accessKeyId);
      else if (byArn.length === 1 && active.length === 1 && active[0] === key) {
        const created = key.lastRotated ?? principal.createdAt;
        const first = parseIsoDateTime(byArn[0]!.firstSeen);
        // never used (by the report) but seen before it was created: an older, since deleted key
        if (key.lastUsed !== null || first === null || first >= created) use = byArn[0];
      }
      if (!use) return key;
      changed = true;
      return withKeyUse(key, use, principal.createdAt, options);
    });
    if (changed) folded = { ...folded, accessKeys };
  }
  if (principal.sshPublicKeys?.length) {
    let changed = false;
    const sshPublicKeys = principal.sshPublicKeys.map((key) => {
      const use = evidence.keysById.get(key.sshPublicKeyId);
      // by exact key id, and never a use recorded for some other principal
      if (!use || (use.principalArn !== null && use.principalArn !== principal.arn)) return key;
      const seen = laterUse(key.lastUsed ?? null, key.uploadedAt ?? principal.createdAt, use.lastSeen);
      if (seen === null) return key;
      changed = true;
      return { ...key, lastUsed: seen };
    });
    if (changed) folded = { ...folded, sshPublicKeys };
  }
  const login = folded.password ? evidence.lastLogin.get(principal.arn) : undefined;
  if (folded.password && login !== undefined) {
    const password = folded.password;
    const seen = laterUse(password.lastUsed, password.lastChanged ?? principal.createdAt, login);
    if (seen !== null)
      folded = { ...folded, password: { ...password, lastUsed: seen, lastUsedSource: 'cloudtrail' } };
  }
  const assumed = folded.role ? evidence.lastAssumed.get(principal.arn) : undefined;
  if (folded.role && assumed !== undefined) {
    const role = folded.role;
    const seen = laterUse(role.lastUsed, principal.createdAt, assumed);
    if (seen !== null)
      folded = { ...folded, role: { ...role, lastUsed: seen, lastUsedSource: 'cloudtrail' } };
  }
  return folded;
}

function withKeyUse(
  key: AccessKeyCredential,
  use: TrailAccessKeyUse,
  createdAt: EpochMs,
  options: TrailFoldOptions,
): AccessKeyCredential {
  const trail = {
    sourceIps: use.sourceIps.top,
    sourceIpCount: use.sourceIps.count,
    manyIps: options.manyIps,
  };
  const seen = laterUse(key.lastUsed, key.lastRotated ?? createdAt, use.lastSeen);
  return seen === null ? { ...key, trail } : { ...key, lastUsed: seen, lastUsedSource: 'cloudtrail', trail };
}

/** CloudTrail's last use when it is later than what the source knew (and not before the credential). */
function laterUse(lastUsed: EpochMs | null, createdOrSet: EpochMs | null, seenIso: string): EpochMs | null {
  const seen = parseIsoDateTime(seenIso);
  if (seen === null) return null;
  if (lastUsed !== null && seen <= lastUsed) return null;
  // never used, by the source: a use before the credential was created is some other credential's
  if (lastUsed === null && createdOrSet !== null && seen < createdOrSet) return null;
  return seen;
}
