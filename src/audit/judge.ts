/**
 * The audit's pure middle, one principal at a time (runAudit streams principals through it):
 *
 *   evidence  → CloudTrail's later uses folded into the inventory (fold-trail-evidence.ts), then
 *               IAM Access Analyzer's (access-analyzer-evidence.ts; for the permissions audit merged
 *               with Access Advisor's, access-analyzer-permissions.ts), whose disagreements with
 *               credsweep's own evidence are listed on the findings
 *   evaluate  → the rules (src/rules/), or the permission rule for an Access Advisor item
 *   exemptions → the exempt tag and the configuration file's exemptions, in one stage
 *
 * Nothing after this stage changes a finding's status.
 */
import type { ExemptionMatcher } from '../config/exemptions.ts';
import type { Caveat, Finding } from '../model/finding.ts';
import type { Principal } from '../model/inventory.ts';
import { type EvaluationContext, type ExemptionPolicy, evaluateRules, exemptByTag } from '../rules/index.ts';
import { evaluateServiceAccess } from '../rules/permission-unused.ts';
import type {
  AccessAdvisorGranularity,
  PermissionPrincipal,
  ServiceAccess,
} from '../model/service-access.ts';
import {
  type AccessAnalyzerInput,
  annotateDisagreements,
  foldAccessAnalyzerEvidence,
} from './access-analyzer-evidence.ts';
import {
  annotatePermissionDisagreements,
  foldAccessAnalyzerPermissions,
} from './access-analyzer-permissions.ts';
import { foldTrailEvidence, type TrailEvidence } from './fold-trail-evidence.ts';

/** One principal as collected: its credentials, or (permissions audit) what Access Advisor saw. */
export type InventoryItem =
  | { kind: 'credentials'; principal: Principal; caveats?: readonly Caveat[] }
  | {
      kind: 'permissions';
      principal: PermissionPrincipal;
      services: readonly ServiceAccess[];
      granularity: AccessAdvisorGranularity;
    };

export interface JudgeOptions {
  evaluation: EvaluationContext;
  /** CloudTrail's evidence (`--cloudtrail`), indexed. */
  evidence?: { index: TrailEvidence; manyIps: number };
  /** IAM Access Analyzer's unused-access findings (`--access-analyzer`). */
  accessAnalyzer?: AccessAnalyzerInput;
  exemptTag: ExemptionPolicy;
  /** The configuration file's exemptions; remembers what matched for the envelope. */
  matcher?: ExemptionMatcher;
}

export function judgePrincipal(item: InventoryItem, options: JudgeOptions): Finding[] {
  const evidence = options.evidence;
  const inventory =
    evidence && item.kind === 'credentials'
      ? {
          ...item,
          principal: foldTrailEvidence(item.principal, evidence.index, { manyIps: evidence.manyIps }),
        }
      : item;
  const analyzer = options.accessAnalyzer;
  const covered = analyzer?.covers(inventory.principal.accountId) ? analyzer : undefined;
  const evaluated = !covered
    ? evaluateItem(inventory, options.evaluation)
    : inventory.kind === 'credentials'
      ? evaluateWithAccessAnalyzer(inventory, covered, options.evaluation)
      : evaluatePermissionsWithAccessAnalyzer(inventory, covered, options.evaluation);
  const tags = item.kind === 'credentials' ? item.principal.tags : undefined;
  return exemptFindings(evaluated, tags, options);
}

function evaluateWithAccessAnalyzer(
  item: InventoryItem & { kind: 'credentials' },
  analyzer: AccessAnalyzerInput,
  ctx: EvaluationContext,
): Finding[] {
  const evidence = analyzer.evidence.get(item.principal.arn);
  const own = evidence ? { ...item.principal, accessAnalyzer: evidence } : item.principal;
  const findings = evaluateItem({ ...item, principal: foldAccessAnalyzerEvidence(own) }, ctx);
  return annotateDisagreements(own, findings, analyzer, ctx.asOf);
}

/** The permissions audit's merge of Access Advisor with the analyzer (apply's restrict-permissions re-check uses it too). */
export function evaluatePermissionsWithAccessAnalyzer(
  item: InventoryItem & { kind: 'permissions' },
  analyzer: AccessAnalyzerInput,
  ctx: EvaluationContext,
): Finding[] {
  const evidence = analyzer.evidence.get(item.principal.arn);
  const services = foldAccessAnalyzerPermissions(item.services, evidence);
  const findings = evaluateItem({ ...item, services }, ctx);
  return annotatePermissionDisagreements(
    item.principal,
    item.services,
    findings,
    evidence,
    analyzer,
    ctx.asOf,
  );
}

function evaluateItem(item: InventoryItem, ctx: EvaluationContext): Finding[] {
  if (item.kind === 'permissions') {
    return evaluateServiceAccess(item.principal, item.services, { ...ctx, granularity: item.granularity });
  }
  const findings = evaluateRules(item.principal, ctx);
  if (!item.caveats?.length) return findings;
  const caveats = item.caveats;
  return findings.map((f) => ({ ...f, caveats: [...f.caveats, ...caveats] }));
}

/** The exemption stage: the exempt tag, then the configuration file (both can say why). */
export function exemptFindings(
  findings: Finding[],
  tags: Record<string, string> | undefined,
  options: Pick<JudgeOptions, 'exemptTag' | 'matcher'>,
): Finding[] {
  const tagged = exemptByTag(findings, tags, options.exemptTag);
  const matcher = options.matcher;
  return matcher ? tagged.map((f) => matcher.apply(f, tags)) : tagged;
}
