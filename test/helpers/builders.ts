/** Builders for inventory fixtures: `aUser({ accessKeys: [aKey({ lastUsed: daysAgo(91) })] })`. */
import type { Finding } from '../../src/model/finding.ts';
import type {
  AccessKeyCredential,
  Principal,
  SigningCertificateCredential,
} from '../../src/model/inventory.ts';
import { MS_PER_DAY } from '../../src/time.ts';

/** The fixed evaluation date of the unit tests. */
export const AS_OF = Date.UTC(2026, 10, 1);

export function daysAgo(days: number, from: number = AS_OF): number {
  return from - days * MS_PER_DAY;
}

export function aUser(overrides: Partial<Principal> = {}): Principal {
  return {
    accountId: '111122223333',
    type: 'user',
    name: 'alice',
    arn: 'arn:aws:iam::111122223333:user/alice',
    createdAt: daysAgo(1000),
    password: null,
    accessKeys: [],
    signingCertificates: [],
    ...overrides,
  };
}

export function aKey(overrides: Partial<AccessKeyCredential> = {}): AccessKeyCredential {
  return { slot: 1, active: true, lastUsed: null, lastRotated: daysAgo(500), ...overrides };
}

export function aCert(overrides: Partial<SigningCertificateCredential> = {}): SigningCertificateCredential {
  return { slot: 1, active: true, lastRotated: daysAgo(500), ...overrides };
}

export function aRole(overrides: Partial<Principal> = {}): Principal {
  return aUser({
    type: 'role',
    name: 'deployer',
    arn: 'arn:aws:iam::111122223333:role/deployer',
    role: { lastUsed: null, path: '/' },
    ...overrides,
  });
}

/** A finding as the audit writes it: alice's access key 1, unused, last used 304 days before AS_OF. */
export function aFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    accountId: '111122223333',
    principalType: 'user',
    principalName: 'alice',
    arn: 'arn:aws:iam::111122223333:user/alice',
    credential: 'access_key_1',
    status: 'unused',
    lastUsed: '2026-01-01T00:00:00Z',
    lastActivity: '2026-01-01T00:00:00Z',
    lastActivitySource: 'last_used',
    ageDays: 304,
    neverUsed: false,
    caveats: [],
    reason: 'access key 1 last used 304 days ago (threshold 90)',
    ...overrides,
  };
}
