/**
 * How much a finding matters: the severity of the rule that made it, adjusted by what the finding
 * says. Pure, so every report (table, HTML, Markdown, ASFF, OCSF) and `--fail-on severity:…` agree.
 */
import type { Finding } from '../model/finding.ts';
import { RULES } from './index.ts';
import { permissionUnused } from './permission-unused.ts';
import type { RuleFacts, Severity } from './rule.ts';

/** Every level a finding can have, most severe first (the order reports sort by). */
export const SEVERITY_LEVELS = ['critical', 'high', 'medium', 'low', 'informational'] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

const RULE_FACTS: readonly RuleFacts[] = [...RULES, permissionUnused];

// Looked up for every finding a report counts: a map, not a search through the rules.
const RULE_BY_CREDENTIAL = new Map<string, RuleFacts>();
for (const rule of RULE_FACTS) {
  for (const credential of rule.credentials) {
    if (!RULE_BY_CREDENTIAL.has(credential)) RULE_BY_CREDENTIAL.set(credential, rule);
  }
}

/** The rule whose findings carry this credential kind. */
export function ruleOf(f: Pick<Finding, 'credential'>): RuleFacts {
  return RULE_BY_CREDENTIAL.get(f.credential) ?? permissionUnused;
}

function raise(level: Severity): Severity {
  return level === 'low' ? 'medium' : level === 'medium' ? 'high' : 'critical';
}

/**
 * - exempt and service-linked: informational (nothing to do);
 * - a root credential: critical when unused (no policy can restrict root) and a root access key or
 *   signing certificate critical whatever its state (one should not exist at all); medium otherwise;
 * - a key CloudTrail saw used from many source IPs: at least high, even in use (it may be leaked);
 * - unused: the rule's severity; inactive, unverified, no credentials: low; in use: informational.
 */
export function severityOf(f: Finding): SeverityLevel {
  if (f.status === 'exempt' || f.status === 'service_linked') return 'informational';
  const rule = ruleOf(f);
  if (f.principalType === 'root' && f.credential !== 'none') {
    if (f.status === 'unused' || /^(access_key|cert)_/.test(f.credential)) return 'critical';
    return 'medium';
  }
  if (f.caveats.includes('key_used_from_many_ips')) {
    return f.status === 'unused' ? raise(rule.severity) : 'high';
  }
  switch (f.status) {
    case 'unused':
      return rule.severity;
    case 'unverified':
    case 'inactive':
    case 'no_credentials':
      return 'low';
    default:
      return 'informational';
  }
}

/** Most severe first: a negative number when `a` is more severe than `b`. */
export function compareSeverity(a: SeverityLevel, b: SeverityLevel): number {
  return SEVERITY_LEVELS.indexOf(a) - SEVERITY_LEVELS.indexOf(b);
}

/** True when `level` is `threshold` or more severe (`--fail-on severity:high` matches critical too). */
export function atLeast(level: SeverityLevel, threshold: SeverityLevel): boolean {
  return compareSeverity(level, threshold) <= 0;
}
