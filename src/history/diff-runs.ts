/**
 * What changed between two audits, pure. A credential's identity is account + ARN + credential kind
 * (plus the service/action of a permission finding, of which a principal has several); its key id is
 * data, so a rotated key in slot 1 reads as the same credential with fresh activity.
 */
import type { AccountResult, Finding, FindingStatus } from '../model/finding.ts';
import { instanceIdOf } from '../model/credential-ids.ts';

export interface RunSide {
  findings: readonly Finding[];
  accounts: readonly AccountResult[];
}

export interface CredentialChange {
  accountId: string;
  principalName: string;
  arn: string;
  credential: Finding['credential'];
  accessKeyId?: string;
  sshPublicKeyId?: string;
  serviceSpecificCredentialId?: string;
  service?: string;
  action?: string;
  /** Absent for a credential the earlier run did not have. */
  before?: FindingStatus;
  /** Absent for a removed credential. */
  after?: FindingStatus;
  ageDays?: number;
  reason: string;
}

export interface RunDiff {
  /** `unused` now, and not before (or not there before). */
  newlyUnused: CredentialChange[];
  /** `unused` before, `in_use` now. */
  newlyInUse: CredentialChange[];
  /** `unused` before, now inactive, exempt, … (someone acted on it, or an exemption arrived). */
  resolved: CredentialChange[];
  /** There before, gone now, in an account this run audited successfully. */
  removed: CredentialChange[];
  /** Accounts of the earlier run this run has no (successful) data for: their credentials are not "removed". */
  notAudited: string[];
}

export function credentialIdentity(
  f: Pick<
    Finding,
    | 'accountId'
    | 'arn'
    | 'credential'
    | 'service'
    | 'action'
    | 'sshPublicKeyId'
    | 'serviceSpecificCredentialId'
  >,
): string {
  // A user can hold several SSH keys and service-specific credentials: their id is their identity.
  const ownId = instanceIdOf(f) ?? '';
  return [f.accountId, f.arn, f.credential, f.service ?? '', f.action ?? '', ownId].join('\u0000');
}

function change(f: Finding, before: Finding | undefined, after: Finding | undefined): CredentialChange {
  const c: CredentialChange = {
    accountId: f.accountId,
    principalName: f.principalName,
    arn: f.arn,
    credential: f.credential,
    reason: (after ?? before ?? f).reason,
  };
  const keyId = after?.accessKeyId ?? before?.accessKeyId;
  if (keyId !== undefined) c.accessKeyId = keyId;
  if (f.sshPublicKeyId !== undefined) c.sshPublicKeyId = f.sshPublicKeyId;
  if (f.serviceSpecificCredentialId !== undefined)
    c.serviceSpecificCredentialId = f.serviceSpecificCredentialId;
  if (f.service !== undefined) c.service = f.service;
  if (f.action !== undefined) c.action = f.action;
  if (before) c.before = before.status;
  if (after) {
    c.after = after.status;
    c.ageDays = after.ageDays;
  }
  return c;
}

/** Accounts a run has trustworthy data for: `ok` in its account list, or present in its findings. */
function auditedAccounts(side: RunSide): Set<string> {
  const failed = new Set(side.accounts.filter((a) => a.status !== 'ok').map((a) => a.accountId));
  const ok = new Set(side.accounts.filter((a) => a.status === 'ok').map((a) => a.accountId));
  for (const f of side.findings) if (!failed.has(f.accountId)) ok.add(f.accountId);
  return ok;
}

export function diffRuns(before: RunSide, after: RunSide): RunDiff {
  const earlier = new Map(before.findings.map((f) => [credentialIdentity(f), f]));
  const later = new Map(after.findings.map((f) => [credentialIdentity(f), f]));
  const audited = auditedAccounts(after);
  const diff: RunDiff = { newlyUnused: [], newlyInUse: [], resolved: [], removed: [], notAudited: [] };
  for (const [id, now] of later) {
    const then = earlier.get(id);
    if (now.status === 'unused' && then?.status !== 'unused') diff.newlyUnused.push(change(now, then, now));
    else if (then?.status === 'unused' && now.status === 'in_use')
      diff.newlyInUse.push(change(now, then, now));
    else if (then?.status === 'unused' && now.status !== 'unused') diff.resolved.push(change(now, then, now));
  }
  const notAudited = new Set<string>();
  for (const [id, then] of earlier) {
    if (later.has(id)) continue;
    if (audited.has(then.accountId)) diff.removed.push(change(then, then, undefined));
    else notAudited.add(then.accountId);
  }
  diff.notAudited = [...notAudited].sort();
  return diff;
}

export function isEmptyDiff(diff: RunDiff): boolean {
  return (
    diff.newlyUnused.length === 0 &&
    diff.newlyInUse.length === 0 &&
    diff.resolved.length === 0 &&
    diff.removed.length === 0
  );
}
