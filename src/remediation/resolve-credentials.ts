/**
 * What the planner needs from AWS and the findings lack, read-only: the caller's identity and the key
 * id it signs with, the access key and certificate ids of credential-report findings (the report has
 * none: slot 1/2 is creation order, docs/aws-behaviour.md §8 item 2), and, with --include-root,
 * which accounts allow sts:AssumeRoot and their root key ids.
 */
import { type IAMClient, ListOrganizationsFeaturesCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { classifyAwsError } from '../aws/classify-error.ts';
import type { Finding } from '../model/finding.ts';
import type { RemediationClients } from './actions/index.ts';
import { listSigningCertificates } from './actions/deactivate-signing-certificate.ts';
import { listAccessKeys } from './actions/read-access-key.ts';
import { type CallerIdentity, findingKey } from './plan.ts';
import { counted } from '../plural.ts';

/** sts:GetCallerIdentity needs no permission (AWS allows it to every principal). */
export const RESOLVE_PERMISSIONS = ['iam:ListAccessKeys', 'iam:ListSigningCertificates'] as const;
export const RESOLVE_ROOT_PERMISSIONS = ['iam:ListOrganizationsFeatures', 'sts:AssumeRoot'] as const;

export async function resolveCaller(sts: STSClient): Promise<CallerIdentity> {
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  // The key id the SDK signs with: GetCallerIdentity names the principal, not the key.
  const credentials = await sts.config.credentials();
  return {
    accountId: identity.Account ?? 'unknown',
    arn: identity.Arn ?? 'unknown',
    accessKeyId: credentials.accessKeyId ?? null,
  };
}

export interface ResolvedFindings {
  findings: Finding[];
  unresolved: Map<string, string>;
  rootAccessAccounts: Set<string>;
  /** Accounts that could not be read, with why (the run goes on; the CLI exits 3). */
  failures: { accountId: string; message: string }[];
}

const KEY_KINDS = new Set(['access_key_1', 'access_key_2']);
const CERT_KINDS = new Set(['cert_1', 'cert_2']);

function needsKeyId(f: Finding): boolean {
  return (
    KEY_KINDS.has(f.credential) &&
    f.accessKeyId === undefined &&
    (f.status === 'unused' || f.status === 'inactive')
  );
}
function needsCertId(f: Finding): boolean {
  return CERT_KINDS.has(f.credential) && f.certificateId === undefined && f.status === 'unverified';
}

export async function resolveCredentialIds(
  findings: readonly Finding[],
  clients: RemediationClients,
  options: { includeRoot: boolean; caller: CallerIdentity; callerIam: IAMClient },
): Promise<ResolvedFindings> {
  const unresolved = new Map<string, string>();
  const failures: { accountId: string; message: string }[] = [];
  const failedAccounts = new Set<string>();
  const rootAccessAccounts = new Set<string>();
  const resolved = findings.map((f) => ({ ...f }));

  const fail = (accountId: string, e: unknown) => {
    if (failedAccounts.has(accountId)) return;
    failedAccounts.add(accountId);
    const { code, message } = classifyAwsError(e);
    failures.push({ accountId, message: `${code}: ${message}` });
  };

  const byUser = new Map<string, Finding[]>();
  for (const f of resolved) {
    if (f.principalType !== 'user' || !(needsKeyId(f) || needsCertId(f))) continue;
    const k = `${f.accountId}/${f.principalName}`;
    byUser.set(k, [...(byUser.get(k) ?? []), f]);
  }
  for (const group of byUser.values()) {
    const { accountId, principalName } = group[0]!;
    if (failedAccounts.has(accountId)) {
      for (const f of group) unresolved.set(findingKey(f), `account ${accountId} could not be read`);
      continue;
    }
    try {
      const iam = await clients.iam(accountId);
      if (group.some(needsKeyId)) {
        const keys = await listAccessKeys(iam, principalName);
        for (const f of group.filter(needsKeyId)) assignKey(f, keys, unresolved);
      }
      if (group.some(needsCertId)) {
        const certs = await listSigningCertificates(iam, principalName);
        for (const f of group.filter(needsCertId)) {
          const cert = certs[f.credential === 'cert_2' ? 1 : 0];
          if (cert && cert.status === 'Active' && certs.length === slotCount(group, 'cert')) {
            f.certificateId = cert.certificateId;
          } else {
            unresolved.set(
              findingKey(f),
              'the user has different signing certificates now than in the report',
            );
          }
        }
      }
    } catch (e) {
      fail(accountId, e);
      for (const f of group) unresolved.set(findingKey(f), `account ${accountId} could not be read`);
    }
  }

  const rootKeys = resolved.filter((f) => f.principalType === 'root' && needsKeyId(f));
  if (options.includeRoot && rootKeys.length > 0) {
    await resolveRootKeys(rootKeys, clients, options, { unresolved, rootAccessAccounts, fail });
  }
  return { findings: resolved, unresolved, rootAccessAccounts, failures };
}

/** How many credentials of a kind the report listed for this user (the slot numbers seen). */
function slotCount(group: readonly Finding[], kind: 'key' | 'cert'): number {
  const kinds = kind === 'key' ? KEY_KINDS : CERT_KINDS;
  return Math.max(
    0,
    ...group.filter((f) => kinds.has(f.credential)).map((f) => (f.credential.endsWith('2') ? 2 : 1)),
  );
}

/**
 * Slot N is the Nth key in creation order; the key must still be in the state the report saw, else
 * the mapping is not trusted (a key deleted or added since would shift the slots).
 */
function assignKey(
  f: Finding,
  keys: { accessKeyId: string; status: string }[],
  unresolved: Map<string, string>,
) {
  const key = keys[f.credential === 'access_key_2' ? 1 : 0];
  const wanted = f.status === 'inactive' ? 'Inactive' : 'Active';
  if (!key) {
    unresolved.set(
      findingKey(f),
      `the user has ${counted(keys.length, 'access key')} now; the report listed ${f.credential}`,
    );
  } else if (key.status !== wanted) {
    unresolved.set(findingKey(f), `${f.credential} is ${key.status} now; the report said ${wanted}`);
  } else {
    f.accessKeyId = key.accessKeyId;
  }
}

async function resolveRootKeys(
  rootKeys: Finding[],
  clients: RemediationClients,
  options: { caller: CallerIdentity; callerIam: IAMClient },
  out: {
    unresolved: Map<string, string>;
    rootAccessAccounts: Set<string>;
    fail: (accountId: string, e: unknown) => void;
  },
): Promise<void> {
  let rootSessions = false;
  try {
    const features = await options.callerIam.send(new ListOrganizationsFeaturesCommand({}));
    rootSessions = (features.EnabledFeatures ?? []).includes('RootSessions');
  } catch (e) {
    out.fail(options.caller.accountId, e);
  }
  if (!rootSessions) return;
  const accounts = [...new Set(rootKeys.map((f) => f.accountId))].filter(
    (a) => a !== options.caller.accountId,
  );
  for (const accountId of accounts) {
    try {
      const keys = await listAccessKeys(await clients.rootIam(accountId), undefined);
      out.rootAccessAccounts.add(accountId);
      for (const f of rootKeys.filter((r) => r.accountId === accountId)) assignKey(f, keys, out.unresolved);
    } catch (e) {
      out.fail(accountId, e);
      for (const f of rootKeys.filter((r) => r.accountId === accountId)) {
        out.unresolved.set(findingKey(f), `sts:AssumeRoot into ${accountId} failed`);
      }
    }
  }
}
