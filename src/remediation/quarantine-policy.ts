/**
 * The quarantine: an inline policy with a fixed name that denies everything, plus the console's
 * "revoke active sessions" statement (Deny when aws:TokenIssueTime is before now, docs/aws-behaviour.md §11).
 * The deny-all alone blocks every session, old or new, while it is attached; the revoke statement is
 * what AWS itself writes for revocation, so a responder who narrows the deny-all by hand still keeps
 * the sessions issued before the quarantine out. An inline policy uses no managed-policy attachment
 * slot. Tags record when and by which plan, so anyone reading the role in the console can tell.
 * Pure: the time is an input.
 */
import { type EpochMs, toIso } from '../time.ts';

export const QUARANTINE_POLICY_NAME = 'CredsweepQuarantine';

/** A principal's quarantine status, as the quarantine and delete-role actions read it. */
export const QUARANTINED = 'Quarantined';
export const NOT_QUARANTINED = 'Active';
/**
 * An inline policy named CredsweepQuarantine is there and is not credsweep's deny-all (someone's own
 * policy of that name, or credsweep's edited so it no longer denies everything): credsweep neither
 * writes over it (apply's PutPolicy would replace it, and undo would then delete it) nor deletes it.
 */
export const QUARANTINE_NAME_TAKEN = 'NameTaken';
export const QUARANTINED_AT_TAG = 'credsweep:quarantined-at';
export const QUARANTINE_PLAN_TAG = 'credsweep:quarantine-plan';
export const QUARANTINE_TAG_KEYS = [QUARANTINED_AT_TAG, QUARANTINE_PLAN_TAG] as const;

const DENY_ALL_SID = 'CredsweepQuarantineDenyAll';
const REVOKE_SID = 'CredsweepRevokeOlderSessions';

/** aws:TokenIssueTime compares to whole seconds: the ISO time without milliseconds. */
function isoSeconds(at: EpochMs): string {
  return toIso(Math.floor(at / 1000) * 1000).replace('.000Z', 'Z');
}

export function quarantinePolicyDocument(at: EpochMs): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: DENY_ALL_SID, Effect: 'Deny', Action: '*', Resource: '*' },
      {
        Sid: REVOKE_SID,
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': isoSeconds(at) } },
      },
    ],
  });
}

export function quarantineTags(at: EpochMs, planDigest: string): { Key: string; Value: string }[] {
  return [
    { Key: QUARANTINED_AT_TAG, Value: isoSeconds(at) },
    { Key: QUARANTINE_PLAN_TAG, Value: planDigest },
  ];
}

/** The status a principal's inline policy of QUARANTINE_POLICY_NAME (decoded; undefined: none) gives it. */
export function quarantineStatusOf(document: string | undefined): string {
  if (document === undefined) return NOT_QUARANTINED;
  return isQuarantineDocument(document) ? QUARANTINED : QUARANTINE_NAME_TAKEN;
}

/**
 * True when `document` (decoded JSON text) is credsweep's quarantine: its unconditional deny-all is
 * still there. A policy under the name that was edited so it no longer denies everything is not.
 */
export function isQuarantineDocument(document: string): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(document);
  } catch {
    return false;
  }
  const statements = (doc as { Statement?: unknown })?.Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  return list.some((s) => {
    const st = s as Record<string, unknown>;
    return (
      st.Sid === DENY_ALL_SID &&
      st.Effect === 'Deny' &&
      st.Action === '*' &&
      st.Resource === '*' &&
      st.Condition === undefined
    );
  });
}
