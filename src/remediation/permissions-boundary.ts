/**
 * The restrict-permissions boundary: a managed policy that allows only the services a principal
 * uses (and, with action granularity, denies the tracked actions it does not use). The effective
 * permissions are the intersection of identity policies and boundary (docs/aws-behaviour.md §11), and a
 * principal has one boundary, so an existing boundary is kept in force by folding it in: its
 * statements stay as they are and a Deny on everything outside the services in use is added.
 * The managed policy's name is derived from its document, so the same boundary is created once,
 * shared by every principal that needs exactly it, and undo can delete it when nothing uses it.
 * Pure.
 */
import { createHash } from 'node:crypto';

export const BOUNDARY_POLICY_PATH = '/credsweep/';
export const BOUNDARY_POLICY_PREFIX = 'CredsweepBoundary-';
/** A managed policy document may hold at most 6,144 characters (whitespace excluded). */
export const MANAGED_POLICY_MAX_CHARS = 6144;

export interface BoundaryInput {
  /** Service namespaces in use (`s3`, `ec2`): everything else is outside the boundary. */
  servicesInUse: readonly string[];
  /** `namespace:Action` tracked actions not used (action granularity), denied within those services. */
  unusedActions?: readonly string[];
  /** The principal's current boundary document (decoded JSON text), when it has one. */
  existingBoundary?: string | null;
}

export interface Boundary {
  /** The policy document (JSON text). */
  document: string;
  /** The stable managed-policy name: the prefix and 16 hex digits of the document's SHA-256. */
  policyName: string;
}

const NAMESPACE = /^[a-z0-9-]+$/;
const ACTION = /^[a-z0-9-]+:[A-Za-z0-9*]+$/;

export class BoundaryError extends Error {}

export function buildBoundary(input: BoundaryInput): Boundary {
  const services = [...new Set(input.servicesInUse)].sort();
  if (services.length === 0) {
    throw new BoundaryError('no service in use: a boundary would deny everything (quarantine it instead)');
  }
  for (const s of services) if (!NAMESPACE.test(s)) throw new BoundaryError(`not a service namespace: ${s}`);
  const inUse = services.map((s) => `${s}:*`);
  const unused = [...new Set(input.unusedActions ?? [])].sort();
  for (const a of unused) if (!ACTION.test(a)) throw new BoundaryError(`not an IAM action: ${a}`);
  const statements: Record<string, unknown>[] = [];
  if (input.existingBoundary) {
    statements.push(...existingStatements(input.existingBoundary));
    statements.push({ Sid: 'CredsweepOnlyServicesInUse', Effect: 'Deny', NotAction: inUse, Resource: '*' });
  } else {
    statements.push({ Sid: 'CredsweepServicesInUse', Effect: 'Allow', Action: inUse, Resource: '*' });
  }
  if (unused.length > 0) {
    statements.push({ Sid: 'CredsweepUnusedActions', Effect: 'Deny', Action: unused, Resource: '*' });
  }
  const document = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  if (document.length > MANAGED_POLICY_MAX_CHARS) {
    throw new BoundaryError(
      `the boundary would be ${document.length} characters, more than a managed policy holds (${MANAGED_POLICY_MAX_CHARS})`,
    );
  }
  const digest = createHash('sha256').update(document).digest('hex').slice(0, 16);
  return { document, policyName: `${BOUNDARY_POLICY_PREFIX}${digest}` };
}

/** The existing boundary's statements, Sids that would clash with credsweep's renamed. */
function existingStatements(document: string): Record<string, unknown>[] {
  let doc: unknown;
  try {
    doc = JSON.parse(document);
  } catch {
    throw new BoundaryError('the existing permissions boundary is not valid JSON');
  }
  const raw = (doc as { Statement?: unknown })?.Statement;
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return list.map((s, i) => {
    const st = { ...(s as Record<string, unknown>) };
    if (typeof st.Sid === 'string' && st.Sid.startsWith('Credsweep')) st.Sid = `Existing${i}${st.Sid}`;
    return st;
  });
}
