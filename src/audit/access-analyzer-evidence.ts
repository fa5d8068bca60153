/**
 * IAM Access Analyzer's unused-access verdicts folded into a principal before the rules run, and the
 * credentials where the analyzer and credsweep's own evidence disagree. Pure; ./judge.ts runs both.
 *
 *   foldAccessAnalyzerEvidence(principal) → principal (later last uses adopted, source access_analyzer)
 *   annotateDisagreements(principal, findings, analyzer, asOf) → findings with `disagreement` where they differ
 *
 * An ACTIVE finding means "not used for at least the tracking period" (docs/aws-behaviour.md
 * §3.4, §10); its `lastAccessed`, when later than what IAM (or CloudTrail) says, becomes the
 * credential's last use. The analyzer evaluates only principals that existed for its whole tracking
 * period and re-scans every 24 hours (§10), so the two can honestly differ; where they do, the finding
 * lists both verdicts and dates (`disagreement`) and neither silently wins:
 * - the analyzer reports a credential unused, but credsweep saw it used within the tracking period;
 * - the analyzer does not report an active credential that credsweep's evidence says has not been
 *   used (or, never used, has existed) for longer than the tracking period.
 * Every finding the analyzer judges carries the caveat `access_analyzer_<days>_days`.
 */
import type { Caveat, Finding } from '../model/finding.ts';
import type { AccessAnalyzerEvidence, AccessAnalyzerVerdict, Principal } from '../model/inventory.ts';
import { type EpochMs, MS_PER_DAY, toIso } from '../time.ts';

/** What the judge stage needs of the analyzer read in the collect stage. */
export interface AccessAnalyzerInput {
  trackingDays: number;
  /** By principal ARN. */
  evidence: ReadonlyMap<string, AccessAnalyzerEvidence>;
  /** Whether the analyzer looks at this account (an account analyzer sees only its own). */
  covers(accountId: string): boolean;
}

const later = (a: EpochMs | null, b: EpochMs | null) => (b !== null && (a === null || b > a) ? b : null);

export function foldAccessAnalyzerEvidence(principal: Principal): Principal {
  const evidence = principal.accessAnalyzer;
  if (!evidence) return principal;
  const folded: Principal = { ...principal };
  if (principal.password && evidence.password) {
    const at = later(principal.password.lastUsed, evidence.password.lastAccessed);
    if (at !== null)
      folded.password = { ...principal.password, lastUsed: at, lastUsedSource: 'access_analyzer' };
  }
  if (principal.role && evidence.role) {
    const at = later(principal.role.lastUsed, evidence.role.lastAccessed);
    if (at !== null) folded.role = { ...principal.role, lastUsed: at, lastUsedSource: 'access_analyzer' };
  }
  folded.accessKeys = principal.accessKeys.map((key) => {
    const verdict = key.accessKeyId ? evidence.accessKeys[key.accessKeyId] : undefined;
    const at = verdict ? later(key.lastUsed, verdict.lastAccessed) : null;
    return at === null ? key : { ...key, lastUsed: at, lastUsedSource: 'access_analyzer' };
  });
  return folded;
}

export function accessAnalyzerCaveat(analyzer: { trackingDays: number }): Caveat {
  return `access_analyzer_${analyzer.trackingDays}_days`;
}

/**
 * `principal` is the inventory before Access Analyzer was folded in (CloudTrail's evidence already
 * is: that is credsweep's own); `findings` are the rules' findings for it.
 */
export function annotateDisagreements(
  principal: Principal,
  findings: Finding[],
  analyzer: { trackingDays: number },
  asOf: EpochMs,
): Finding[] {
  const evidence = principal.accessAnalyzer;
  const period = analyzer.trackingDays * MS_PER_DAY;
  return findings.map((f) => {
    const own = ownLastUse(principal, f);
    if (own === undefined) return f; // a kind or state the analyzer does not judge
    const judged: Finding = { ...f, caveats: [...f.caveats, accessAnalyzerCaveat(analyzer)] };
    const verdict = verdictFor(evidence, f);
    if (verdict) {
      // credsweep saw a use inside the analyzer's window: the analyzer missed it (or has not re-scanned)
      if (own.lastUsed === null || asOf - own.lastUsed >= period) return judged;
      const analyzerSaw =
        verdict.lastAccessed === null
          ? 'never used'
          : `last used ${toIso(verdict.lastAccessed).slice(0, 10)}`;
      return {
        ...judged,
        caveats: [...judged.caveats, 'access_analyzer_disagrees'],
        reason: `${f.reason}; IAM Access Analyzer reports it unused (${analyzerSaw}), but credsweep saw it used ${toIso(own.lastUsed).slice(0, 10)}`,
        disagreement: {
          accessAnalyzer: 'unused',
          accessAnalyzerLastAccessed: verdict.lastAccessed === null ? null : toIso(verdict.lastAccessed),
          credsweep: f.status,
          credsweepLastUsed: toIso(own.lastUsed),
          findingId: verdict.findingId,
        },
      };
    }
    // the analyzer only judges what existed for its whole window, and only after it
    const quietSince = own.lastUsed ?? own.since;
    if (asOf - quietSince < period || asOf - own.since < period) return judged;
    const credsweepSaw =
      own.lastUsed === null ? 'never used' : `last used ${toIso(own.lastUsed).slice(0, 10)}`;
    return {
      ...judged,
      caveats: [...judged.caveats, 'access_analyzer_disagrees'],
      reason: `${f.reason}; credsweep's evidence says ${credsweepSaw}, but IAM Access Analyzer does not report it unused for ${analyzer.trackingDays} days`,
      disagreement: {
        accessAnalyzer: 'not_reported',
        accessAnalyzerLastAccessed: null,
        credsweep: f.status,
        credsweepLastUsed: own.lastUsed === null ? null : toIso(own.lastUsed),
      },
    };
  });
}

function verdictFor(
  evidence: AccessAnalyzerEvidence | undefined,
  f: Finding,
): AccessAnalyzerVerdict | undefined {
  if (!evidence) return undefined;
  if (f.credential === 'password') return evidence.password;
  if (f.credential === 'role') return evidence.role;
  return f.accessKeyId ? evidence.accessKeys[f.accessKeyId] : undefined;
}

/**
 * credsweep's own last use of a credential the analyzer judges (null: never used; `since`: when the
 * credential started), or undefined for kinds and states the analyzer does not judge.
 */
function ownLastUse(
  principal: Principal,
  f: Finding,
): { lastUsed: EpochMs | null; since: EpochMs } | undefined {
  if (f.status !== 'unused' && f.status !== 'in_use') return undefined; // inactive, service-linked…
  if (f.credential === 'password' && principal.password) {
    return {
      lastUsed: principal.password.lastUsed,
      since: principal.password.lastChanged ?? principal.createdAt,
    };
  }
  if (f.credential === 'role' && principal.role)
    return { lastUsed: principal.role.lastUsed, since: principal.createdAt };
  if ((f.credential === 'access_key_1' || f.credential === 'access_key_2') && f.accessKeyId) {
    const key = principal.accessKeys.find((k) => k.accessKeyId === f.accessKeyId);
    if (key) return { lastUsed: key.lastUsed, since: key.lastRotated ?? principal.createdAt };
  }
  return undefined;
}
