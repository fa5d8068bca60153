/**
 * The rule registry and the pure evaluation of an inventory: principals in, findings out.
 */
import type { Finding } from '../model/finding.ts';
import type { Principal } from '../model/inventory.ts';
import { accessKeyUnused } from './access-key-unused.ts';
import { userWithoutCredentials } from './no-credentials.ts';
import { passwordUnused } from './password-unused.ts';
import { roleUnused } from './role-unused.ts';
import type { EvaluationContext, Rule } from './rule.ts';
import { mfaDeviceUnassigned } from './mfa-device-unassigned.ts';
import { serviceSpecificCredentialUnverified } from './service-specific-credential.ts';
import { signingCertificateUnverified } from './signing-certificate.ts';
import { sshPublicKeyUnverified } from './ssh-public-key.ts';

export type { EvaluationContext, Rule } from './rule.ts';

export const RULES: readonly Rule[] = [
  passwordUnused,
  accessKeyUnused,
  signingCertificateUnverified,
  sshPublicKeyUnverified,
  serviceSpecificCredentialUnverified,
  userWithoutCredentials,
  roleUnused,
  mfaDeviceUnassigned,
];

export interface ExemptionPolicy {
  /** The tag key that marks a principal exempt, `credsweep:exempt` by default. */
  tagKey: string;
  tagValue: string;
}

export const DEFAULT_EXEMPTION: ExemptionPolicy = { tagKey: 'credsweep:exempt', tagValue: 'true' };

/** The rules' findings for one principal, in credential order (no exemption applied). */
export function evaluateRules(principal: Principal, ctx: EvaluationContext): Finding[] {
  // A loop, not flatMap: this runs for every principal of a million-row report.
  const findings: Finding[] = [];
  for (const rule of RULES) {
    const found = rule.evaluate(principal, ctx);
    for (let i = 0; i < found.length; i++) findings.push(found[i]!);
  }
  // The report listed this principal more than once; the rows were merged (newest evidence wins).
  if (!principal.duplicateRows) return findings;
  return findings.map((f) => ({ ...f, caveats: [...f.caveats, 'duplicate_report_rows'] }));
}

/**
 * The exempt tag: every finding of a principal that carries it becomes `exempt`. Part of the audit's
 * one exemption stage (src/audit/judge.ts), together with the configuration file's exemptions.
 */
export function exemptByTag(
  findings: Finding[],
  tags: Record<string, string> | undefined,
  exemption: ExemptionPolicy = DEFAULT_EXEMPTION,
): Finding[] {
  const byTag = exemptTagReason(tags, exemption);
  if (byTag === undefined) return findings;
  return findings.map((f) => ({ ...f, status: 'exempt', reason: `${byTag}; ${f.reason}` }));
}

/**
 * The value of a user's or role's tag `key`, whatever the case of the key: IAM keeps one tag per key
 * regardless of case on users and roles (`Department` and `department` cannot both be set; IAM-UG
 * id_tags.html, "Case sensitivity"), and IAM's own condition keys (`iam:ResourceTag/…`) match the key
 * so, so `Credsweep:Exempt` is the exempt tag as much as `credsweep:exempt`.
 */
export function tagValueOf(
  tags: Readonly<Record<string, string>> | undefined,
  key: string,
): string | undefined {
  if (tags === undefined) return undefined;
  // The tags' own keys only: a tag key may be any text IAM allows, `constructor` or `__proto__`
  // included, and `tags.constructor` of a principal without that tag is Object, not undefined.
  if (Object.hasOwn(tags, key)) return tags[key];
  const wanted = key.toLowerCase();
  for (const k of Object.keys(tags)) if (k.toLowerCase() === wanted) return tags[k];
  return undefined;
}

/**
 * `exempt by tag <key>=<value>` when the tags carry the exempt tag (key and value compared ignoring
 * case), else undefined. Also asked by plan and apply (src/remediation/exemptions.ts) of live tags.
 */
export function exemptTagReason(
  tags: Readonly<Record<string, string>> | undefined,
  exemption: ExemptionPolicy = DEFAULT_EXEMPTION,
): string | undefined {
  const tag = tagValueOf(tags, exemption.tagKey);
  if (tag === undefined || tag.toLowerCase() !== exemption.tagValue.toLowerCase()) return undefined;
  return `exempt by tag ${exemption.tagKey}=${tag}`;
}

/** All findings for one principal, in credential order: the rules, then the exempt tag. */
export function evaluatePrincipal(
  principal: Principal,
  ctx: EvaluationContext,
  exemption: ExemptionPolicy = DEFAULT_EXEMPTION,
): Finding[] {
  return exemptByTag(evaluateRules(principal, ctx), principal.tags, exemption);
}
