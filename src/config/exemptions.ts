/**
 * Exemptions from the configuration file, applied to findings after evaluation. Pure: the date comes
 * in as `asOf`, tags (when a source collected them) through `tagsOf`.
 *
 * An active exemption turns the finding `exempt` and says who, why and until when; an expired one
 * stops applying and is reported (with how many credentials it would still have covered); an active
 * one that matched nothing in the run is reported as stale, so exemptions do not outlive their reason.
 */
import { printable } from '../reporters/printable.ts';
import type { CredentialKind, ExemptionNotice, ExemptionOutcome, Finding } from '../model/finding.ts';
import { type EpochMs, MS_PER_DAY, parseAsOf } from '../time.ts';
import { tagValueOf } from '../rules/index.ts';
import { compileGlob, type Glob } from './glob.ts';
import type { Exemption } from './schema.ts';

export type { ExemptionNotice, ExemptionOutcome } from '../model/finding.ts';

type Tags = Record<string, string> | undefined;

interface CompiledExemption {
  index: number;
  exemption: Exemption;
  active: boolean;
  /** `exemption.principal` lower-cased, once. */
  principal?: string;
  arn?: Glob;
  matched: number;
}

/** `access_key_1` → `access_key`, `cert_2` → `cert`; the names exemptions use. */
export function exemptionCredential(kind: CredentialKind): string {
  if (kind === 'access_key_1' || kind === 'access_key_2') return 'access_key';
  if (kind === 'cert_1' || kind === 'cert_2') return 'cert';
  return kind;
}

/**
 * An ARN glob: `*` any run of characters, `?` one character; matched in linear time (./glob.ts) and
 * ignoring case, as `principal` is: IAM names are unique whatever their case and name the same
 * principal in any case (docs/aws-behaviour.md §2), so `user/BreakGlass` is the user `breakglass`.
 */
export function arnGlob(pattern: string): Glob {
  const glob = compileGlob(pattern.toLowerCase(), { questionMark: true });
  return { pattern, test: (text) => glob.test(text.toLowerCase()) };
}

/** The exemption applies through the whole of its `expires` day (UTC). */
export function isExemptionActive(exemption: Exemption, asOf: EpochMs): boolean {
  return asOf < parseAsOf(exemption.expires)! + MS_PER_DAY;
}

export function describeExemptionMatch(e: Exemption): string {
  const parts: string[] = [];
  if (e.principal !== undefined) parts.push(`principal ${e.principal}`);
  if (e.arn !== undefined) parts.push(`arn ${e.arn}`);
  if (e.tag !== undefined)
    parts.push(`tag ${e.tag.key}${e.tag.value === undefined ? '' : `=${e.tag.value}`}`);
  if (e.credentials !== undefined) parts.push(`credentials ${e.credentials.join(',')}`);
  return parts.join(' and ');
}

/** Whether the exemption's principal, ARN and tag match (given `name`, the principal's name lower-cased). */
function matchesPrincipal(c: CompiledExemption, arn: string, name: string, tags: Tags): boolean {
  // IAM names are unique regardless of case (IAM-UG:reference_iam-quotas.md), so compare them so.
  if (c.principal !== undefined && c.principal !== name) return false;
  if (c.arn !== undefined && !c.arn.test(arn)) return false;
  const tag = c.exemption.tag;
  if (tag !== undefined) {
    // The key in any case, as IAM keeps it on users and roles; the value as written (IAM keeps its case).
    const value = tagValueOf(tags, tag.key);
    if (value === undefined || (tag.value !== undefined && value !== tag.value)) return false;
  }
  return true;
}

function matchesCredential(c: CompiledExemption, finding: Finding): boolean {
  const credentials = c.exemption.credentials;
  return credentials === undefined || credentials.includes(exemptionCredential(finding.credential) as never);
}

/** Applies exemptions finding by finding, remembering what matched for the outcome. */
export class ExemptionMatcher {
  private readonly compiled: CompiledExemption[];
  private applied = 0;
  /**
   * Which exemptions match the principal of the last finding asked about without tags (a credential
   * report has none): a principal's findings come one after another, and the name and ARN glob match
   * each of them alike; only the credential differs. With tags, every call matches afresh (a tags
   * object read again may be the same object changed).
   */
  private untagged: { arn: string; name: string; matches: boolean[] } | undefined;

  constructor(exemptions: readonly Exemption[], asOf: EpochMs) {
    this.compiled = exemptions.map((exemption, index) => ({
      index,
      exemption,
      active: isExemptionActive(exemption, asOf),
      ...(exemption.principal === undefined ? {} : { principal: exemption.principal.toLowerCase() }),
      ...(exemption.arn === undefined ? {} : { arn: arnGlob(exemption.arn) }),
      matched: 0,
    }));
  }

  get size(): number {
    return this.compiled.length;
  }

  /** The finding, made `exempt` by the first active exemption that matches it. */
  apply(finding: Finding, tags?: Tags): Finding {
    const subject = this.subjectMatches(finding, tags);
    let result = finding;
    for (let i = 0; i < this.compiled.length; i++) {
      const c = this.compiled[i]!;
      if (!subject[i] || !matchesCredential(c, finding)) continue;
      c.matched += 1;
      if (!c.active || result !== finding) continue;
      const e = c.exemption;
      this.applied += 1;
      result = {
        ...finding,
        status: 'exempt',
        reason: `exempt until ${e.expires} (owner ${e.owner}: ${e.reason}); ${finding.reason}`,
      };
    }
    return result;
  }

  private subjectMatches(finding: Finding, tags: Tags): boolean[] {
    const last = this.untagged;
    if (tags === undefined && last && last.arn === finding.arn && last.name === finding.principalName) {
      return last.matches;
    }
    const name = finding.principalName.toLowerCase();
    const matches = this.compiled.map((c) => matchesPrincipal(c, finding.arn, name, tags));
    if (tags === undefined) this.untagged = { arn: finding.arn, name: finding.principalName, matches };
    return matches;
  }

  /** Expired exemptions (known from the start) and stale ones (known once every finding went past). */
  outcome(): ExemptionOutcome {
    const notice = (c: CompiledExemption): ExemptionNotice => ({
      index: c.index,
      match: describeExemptionMatch(c.exemption),
      owner: c.exemption.owner,
      reason: c.exemption.reason,
      expires: c.exemption.expires,
      matched: c.matched,
    });
    return {
      applied: this.applied,
      expired: this.compiled.filter((c) => !c.active).map(notice),
      stale: this.compiled.filter((c) => c.active && c.matched === 0).map(notice),
    };
  }
}

/** Streams findings through the matcher. */
export async function* applyExemptions(
  findings: AsyncIterable<Finding>,
  matcher: ExemptionMatcher,
  tagsOf?: (finding: Finding) => Tags,
): AsyncGenerator<Finding> {
  for await (const finding of findings) yield matcher.apply(finding, tagsOf?.(finding));
}

/** One warning line per expired or stale exemption, for standard error. */
export function exemptionWarnings(outcome: ExemptionOutcome, file: string): string[] {
  return [
    ...outcome.expired.map(
      (n) =>
        `credsweep: warning: ${printable(file)}: exemption ${n.index + 1} (${printable(n.match)}, owner ${printable(n.owner)}) expired on ${n.expires} and no longer applies${n.matched ? ` (${n.matched} finding${n.matched === 1 ? '' : 's'} affected)` : ''}`,
    ),
    ...outcome.stale.map(
      (n) =>
        `credsweep: warning: ${printable(file)}: exemption ${n.index + 1} (${printable(n.match)}, owner ${printable(n.owner)}) matches nothing (stale); remove it or fix its match`,
    ),
  ];
}

/**
 * One outcome from the outcomes of parts of one run (the Lambda's per-account partials, all with the
 * same exemptions): counts add up; an exemption is stale only when it matched nothing in any part.
 */
export function mergeExemptionOutcomes(parts: readonly ExemptionOutcome[]): ExemptionOutcome | undefined {
  if (parts.length === 0) return undefined;
  const expired = new Map<number, ExemptionNotice>();
  for (const part of parts) {
    for (const n of part.expired) {
      const known = expired.get(n.index);
      expired.set(n.index, known ? { ...known, matched: known.matched + n.matched } : n);
    }
  }
  const staleEverywhere = parts[0]!.stale.filter((n) =>
    parts.every((p) => p.stale.some((s) => s.index === n.index)),
  );
  const byIndex = (a: ExemptionNotice, b: ExemptionNotice) => a.index - b.index;
  return {
    applied: parts.reduce((sum, p) => sum + p.applied, 0),
    expired: [...expired.values()].sort(byIndex),
    stale: staleEverywhere.sort(byIndex),
  };
}
