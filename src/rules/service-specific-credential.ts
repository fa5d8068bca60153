/**
 * Service-specific credentials: CodeCommit Git credentials, Amazon Keyspaces passwords, Amazon Bedrock
 * and CloudWatch Logs API keys (docs/aws-behaviour.md §9). AWS records no last use for any of
 * them, so an active one is judged by age like a signing certificate: older than the threshold it is
 * `unverified`. An expired one (status Expired, or an ExpirationDate before the as-of date) can no
 * longer be used and reads `inactive`. One in a status this version does not know may be usable: it
 * is judged as if Active, with the `status_unknown` caveat (plan never acts on it). A Bedrock or CloudWatch Logs API key that never expires, or
 * expires more than a year out, gets its own caveat: AWS advises short-lived keys for those
 * (WEB: docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_bedrock.html).
 */
import type { Caveat, Finding } from '../model/finding.ts';
import type { Principal, ServiceSpecificCredential } from '../model/inventory.ts';
import { MS_PER_DAY, toIso } from '../time.ts';
import {
  ageDaysOf,
  pastThreshold,
  whenInWords,
  buildFinding,
  type EvaluationContext,
  NO_FINDINGS,
  type Rule,
  thresholdFor,
  inUnknownStatus,
  thresholdNote,
} from './rule.ts';

/**
 * The services whose service-specific credentials are API keys that can carry an expiry (§9; the
 * CloudWatch Logs service name is unverified, so any credential with an ExpirationDate counts too:
 * only API keys can have one).
 */
export const API_KEY_SERVICES = new Set(['bedrock.amazonaws.com', 'logs.amazonaws.com']);

function isApiKey(credential: ServiceSpecificCredential): boolean {
  return API_KEY_SERVICES.has(credential.serviceName) || credential.expiresAt !== null;
}
/** An API key expiring later than this after the as-of date counts as long-lived. */
export const FAR_EXPIRY_DAYS = 365;

const SERVICE_LABELS: Record<string, string> = {
  'codecommit.amazonaws.com': 'CodeCommit Git credential',
  'cassandra.amazonaws.com': 'Amazon Keyspaces credential',
  'bedrock.amazonaws.com': 'Amazon Bedrock API key',
  'logs.amazonaws.com': 'CloudWatch Logs API key',
};

export function serviceCredentialLabel(serviceName: string): string {
  return SERVICE_LABELS[serviceName] ?? `${serviceName} credential`;
}

export const serviceSpecificCredentialUnverified: Rule = {
  id: 'service-specific-credential-unverified',
  title: 'Active service-specific credential older than the window, with no record of use',
  severity: 'medium',
  credentials: ['service_specific_credential'],
  rationale:
    'AWS keeps no last use for service-specific credentials (CodeCommit Git, Keyspaces, Bedrock and CloudWatch Logs API keys): an old active one may be forgotten; deactivate it unless its owner still needs it.',
  evaluate(principal: Principal, ctx: EvaluationContext): readonly Finding[] {
    const credentials = principal.serviceSpecificCredentials;
    // A credential report has none: no arrays made for its users.
    if (credentials === undefined || credentials.length === 0) return NO_FINDINGS;
    return credentials.map((c) => evaluateCredential(principal, c, ctx));
  },
};

function evaluateCredential(
  principal: Principal,
  credential: ServiceSpecificCredential,
  ctx: EvaluationContext,
): Finding {
  // the credential's own CreateDate plays `last_rotated`, as an access key's does on the API path
  const lastActivity = credential.createdAt ?? principal.createdAt;
  const ageDays = ageDaysOf(lastActivity, ctx);
  const expired =
    credential.status === 'Expired' || (credential.expiresAt !== null && credential.expiresAt <= ctx.asOf);
  // A status this version does not know may be a usable one: reported as if Active, never hidden.
  const unknown = credential.status === 'unknown';
  const active = (credential.status === 'Active' || unknown) && !expired;
  const caveats: Caveat[] = [];
  if (active && unknown) caveats.push('status_unknown');
  if (active && isApiKey(credential)) {
    if (credential.expiresAt === null) caveats.push('api_key_never_expires');
    else if (credential.expiresAt - ctx.asOf > FAR_EXPIRY_DAYS * MS_PER_DAY)
      caveats.push('api_key_far_expiry');
  }
  const threshold = thresholdFor(ctx, 'service_specific_credential');
  const label = `${serviceCredentialLabel(credential.serviceName)} ${credential.serviceSpecificCredentialId}`;
  const expiry =
    credential.expiresAt === null
      ? isApiKey(credential)
        ? '; never expires'
        : ''
      : `; ${expired ? 'expired' : 'expires'} ${toIso(credential.expiresAt).slice(0, 10)}`;
  const state = expired
    ? 'expired'
    : unknown
      ? inUnknownStatus(credential.unknownStatus ?? '')
      : credential.status === 'Active'
        ? 'active'
        : 'inactive';
  const finding = buildFinding(principal, ctx, {
    credential: 'service_specific_credential',
    status: active ? (pastThreshold(lastActivity, ctx, threshold) ? 'unverified' : 'in_use') : 'inactive',
    lastUsed: null,
    lastActivity,
    lastActivitySource: credential.createdAt !== null ? 'last_rotated' : 'created',
    ageDays,
    neverUsed: false,
    caveats,
    reason: `${label} is ${state}, created ${whenInWords(lastActivity, ctx)}${expiry}; AWS records no last use for service-specific credentials${
      active ? ` ${thresholdNote(ctx, 'service_specific_credential')}` : ''
    }`,
  });
  finding.service = credential.serviceName;
  finding.serviceSpecificCredentialId = credential.serviceSpecificCredentialId;
  finding.expiresAt = credential.expiresAt === null ? null : toIso(credential.expiresAt);
  return finding;
}
