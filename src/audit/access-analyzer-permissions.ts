/**
 * `permissions --access-analyzer`: IAM Access Analyzer's UnusedPermission findings merged with what
 * Access Advisor said about one principal, before the permission rule runs, and the services and
 * actions where the two disagree. Pure; ./judge.ts runs both.
 *
 *   foldAccessAnalyzerPermissions(services, evidence) → services (later dates adopted, analyzer-only
 *                                                      services and actions added, each marked)
 *   annotatePermissionDisagreements(principal, services, findings, analyzer, asOf) → findings
 *
 * What each source knows (docs/aws-behaviour.md §3.1, §3.4, §10): Access Advisor lists every granted
 * service with its last access, and the last access of the actions IAM tracks (action granularity).
 * An ACTIVE UnusedPermission finding names a service unused for the analyzer's whole tracking period
 * (no action listed), or the unused actions of a tracked service. So:
 * - a later last access the analyzer knows is adopted (`lastActivitySource: access_analyzer`);
 * - the analyzer's unused actions of a service whose actions Access Advisor did not report (service
 *   granularity, or a service it tracks no actions for) become action findings, marked as the
 *   analyzer's; a service only the analyzer names becomes a service finding;
 * - where the analyzer reports unused what Access Advisor saw accessed within the analyzer's window,
 *   or does not report what Access Advisor says has gone unaccessed for longer than that window (for
 *   a principal that existed all of it), the finding lists both verdicts and dates (`disagreement`):
 *   neither silently wins.
 * Every permission finding of a principal the analyzer covers carries `access_analyzer_<days>_days`.
 */
import type { Finding } from '../model/finding.ts';
import type { AccessAnalyzerEvidence, AccessAnalyzerVerdict } from '../model/inventory.ts';
import type { ActionAccess, PermissionPrincipal, ServiceAccess } from '../model/service-access.ts';
import { type EpochMs, MS_PER_DAY, toIso } from '../time.ts';
import { accessAnalyzerCaveat } from './access-analyzer-evidence.ts';

const later = (own: EpochMs | null, theirs: EpochMs | null) =>
  theirs !== null && (own === null || theirs > own) ? theirs : null;

/** `GetObject` from `s3:GetObject` (Access Advisor's tracked actions carry no namespace). */
const actionName = (qualified: string) => qualified.slice(qualified.indexOf(':') + 1);

export function foldAccessAnalyzerPermissions(
  services: readonly ServiceAccess[],
  evidence: AccessAnalyzerEvidence | undefined,
): ServiceAccess[] {
  if (!evidence) return [...services];
  const folded = services.map((service) => {
    const verdict = evidence.permissions[service.namespace];
    if (!verdict) return service;
    const at = later(service.lastAuthenticated, verdict.lastAccessed);
    const next: ServiceAccess =
      at === null ? service : { ...service, lastAuthenticated: at, source: 'access_analyzer' };
    const theirs = Object.entries(verdict.actions);
    if (theirs.length === 0) return next;
    if (service.trackedActions === null) return { ...next, trackedActions: theirs.map(analyzerAction) };
    const own = new Set(service.trackedActions.map((a) => a.action));
    const trackedActions = service.trackedActions.map((a) => {
      const v = verdict.actions[`${service.namespace}:${a.action}`];
      const seen = v ? later(a.lastAccessed, v.lastAccessed) : null;
      return seen === null ? a : { ...a, lastAccessed: seen, source: 'access_analyzer' as const };
    });
    for (const entry of theirs)
      if (!own.has(actionName(entry[0]))) trackedActions.push(analyzerAction(entry));
    return { ...next, trackedActions };
  });
  const known = new Set(services.map((s) => s.namespace));
  for (const [namespace, verdict] of Object.entries(evidence.permissions)) {
    // a service only the analyzer names: its finding is the analyzer's (a partial one, with actions
    // but no date for the service, says nothing about the service itself)
    if (known.has(namespace) || (!verdict.wholeService && verdict.lastAccessed === null)) continue;
    const actions = Object.entries(verdict.actions);
    folded.push({
      serviceName: namespace,
      namespace,
      lastAuthenticated: verdict.lastAccessed,
      region: null,
      source: 'access_analyzer',
      trackedActions: actions.length > 0 ? actions.map(analyzerAction) : null,
    });
  }
  return folded;
}

function analyzerAction([qualified, verdict]: [string, AccessAnalyzerVerdict]): ActionAccess {
  return {
    action: actionName(qualified),
    lastAccessed: verdict.lastAccessed,
    region: null,
    source: 'access_analyzer',
  };
}

/**
 * `services` is what Access Advisor said (before the fold); `findings` the permission rule's for the
 * folded services.
 */
export function annotatePermissionDisagreements(
  principal: PermissionPrincipal,
  services: readonly ServiceAccess[],
  findings: Finding[],
  evidence: AccessAnalyzerEvidence | undefined,
  analyzer: { trackingDays: number },
  asOf: EpochMs,
): Finding[] {
  const period = analyzer.trackingDays * MS_PER_DAY;
  const byNamespace = new Map(services.map((s) => [s.namespace, s]));
  return findings.map((f) => {
    const judged: Finding = { ...f, caveats: [...f.caveats, accessAnalyzerCaveat(analyzer)] };
    const service = f.service === undefined ? undefined : byNamespace.get(f.service);
    const own = advisorLastAccess(service, f);
    if (own === undefined) return judged; // only the analyzer knows it: nothing to disagree with
    const serviceVerdict = f.service === undefined ? undefined : evidence?.permissions[f.service];
    const verdict =
      f.action === undefined
        ? serviceVerdict?.wholeService
          ? serviceVerdict
          : undefined
        : serviceVerdict?.actions[f.action];
    if (verdict) {
      // Access Advisor saw an access inside the analyzer's window: the analyzer missed it (or has not re-scanned)
      if (own === null || asOf - own >= period) return judged;
      const analyzerSaw =
        verdict.lastAccessed === null ? 'never used' : `last used ${day(verdict.lastAccessed)}`;
      return {
        ...judged,
        caveats: [...judged.caveats, 'access_analyzer_disagrees'],
        reason: `${f.reason}; IAM Access Analyzer reports it unused (${analyzerSaw}), but Access Advisor saw it accessed ${day(own)}`,
        disagreement: {
          accessAnalyzer: 'unused',
          accessAnalyzerLastAccessed: verdict.lastAccessed === null ? null : toIso(verdict.lastAccessed),
          credsweep: f.status,
          credsweepLastUsed: toIso(own),
          findingId: verdict.findingId,
        },
      };
    }
    // a service the analyzer names for some of its actions is not one it calls used or unused
    if (f.action === undefined && serviceVerdict) return judged;
    // the analyzer only judges principals that existed for its whole window, and only after it
    if (asOf - (own ?? principal.createdAt) < period || asOf - principal.createdAt < period) return judged;
    const advisorSaw = own === null ? 'never accessed' : `last accessed ${day(own)}`;
    return {
      ...judged,
      caveats: [...judged.caveats, 'access_analyzer_disagrees'],
      reason: `${f.reason}; Access Advisor says ${advisorSaw}, but IAM Access Analyzer does not report it unused for ${analyzer.trackingDays} days`,
      disagreement: {
        accessAnalyzer: 'not_reported',
        accessAnalyzerLastAccessed: null,
        credsweep: f.status,
        credsweepLastUsed: own === null ? null : toIso(own),
      },
    };
  });
}

/** Access Advisor's last access of the finding's service or action (null: never), undefined: it has none. */
function advisorLastAccess(service: ServiceAccess | undefined, f: Finding): EpochMs | null | undefined {
  if (!service) return undefined;
  if (f.action === undefined) return service.lastAuthenticated;
  const tracked = service.trackedActions?.find((a) => `${service.namespace}:${a.action}` === f.action);
  return tracked ? tracked.lastAccessed : undefined;
}

function day(ms: EpochMs): string {
  return toIso(ms).slice(0, 10);
}
