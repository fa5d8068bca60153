/**
 * The rules of the credential kinds without a last-use record (docs/aws-behaviour.md §9): SSH
 * public keys, service-specific credentials and unassigned virtual MFA devices. Table-driven, at the
 * threshold's boundary.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Principal } from '../../src/model/inventory.ts';
import { evaluatePrincipal, RULES } from '../../src/rules/index.ts';
import { statusFields } from '../../src/sources/iam-api/listed-status.ts';
import { AS_OF, aCert, aKey, aUser, daysAgo } from '../helpers/builders.ts';

const ctx = { asOf: AS_OF, thresholdDays: 90 };
const sshKey = (overrides: Partial<NonNullable<Principal['sshPublicKeys']>[number]> = {}) => ({
  sshPublicKeyId: 'APKAEIBAERJR2EXAMPLE',
  active: true,
  uploadedAt: daysAgo(200),
  ...overrides,
});

describe('ssh-public-key-unverified', () => {
  const cases: Array<[string, ReturnType<typeof sshKey>, string, number]> = [
    ['active, uploaded 90 days ago', sshKey({ uploadedAt: daysAgo(90) }), 'unverified', 90],
    ['active, uploaded 89 days ago', sshKey({ uploadedAt: daysAgo(89) }), 'in_use', 89],
    ['inactive and old', sshKey({ active: false }), 'inactive', 200],
    ['active, CloudTrail saw it 10 days ago', sshKey({ lastUsed: daysAgo(10) }), 'in_use', 10],
    ['active, CloudTrail saw it 120 days ago', sshKey({ lastUsed: daysAgo(120) }), 'unused', 120],
  ];
  for (const [name, key, status, age] of cases) {
    it(name, () => {
      const [f] = evaluatePrincipal(aUser({ sshPublicKeys: [key] }), ctx);
      assert.equal(f!.credential, 'ssh_public_key');
      assert.equal(f!.sshPublicKeyId, 'APKAEIBAERJR2EXAMPLE');
      assert.equal(f!.status, status);
      assert.equal(f!.ageDays, age);
      assert.equal(f!.lastActivitySource, key.lastUsed ? 'cloudtrail' : 'last_rotated');
    });
  }

  it('one finding per key, and a user holding only SSH keys is not "no credentials"', () => {
    const findings = evaluatePrincipal(
      aUser({ sshPublicKeys: [sshKey(), sshKey({ sshPublicKeyId: 'APKAOTHER' })] }),
      ctx,
    );
    assert.deepEqual(
      findings.map((f) => f.credential),
      ['ssh_public_key', 'ssh_public_key'],
    );
  });
});

describe('per-kind thresholds for SSH keys and service-specific credentials', () => {
  const credential = {
    serviceSpecificCredentialId: 'ACCAEXAMPLE',
    serviceName: 'codecommit.amazonaws.com',
    status: 'Active' as const,
    createdAt: daysAgo(60),
    expiresAt: null,
  };
  const user = aUser({
    sshPublicKeys: [
      sshKey({ uploadedAt: daysAgo(60) }),
      sshKey({ sshPublicKeyId: 'APKASEEN', lastUsed: daysAgo(45) }),
    ],
    serviceSpecificCredentials: [credential],
  });
  const judged = (thresholds?: Record<string, number>) =>
    evaluatePrincipal(user, { ...ctx, ...(thresholds ? { thresholds } : {}) }).map((f) => [
      f.sshPublicKeyId ?? f.serviceSpecificCredentialId,
      f.status,
      /\(threshold (\d+)\)/.exec(f.reason)?.[1],
    ]);

  it('without one, the default threshold judges them', () => {
    assert.deepEqual(judged(), [
      ['APKAEIBAERJR2EXAMPLE', 'in_use', '90'],
      ['APKASEEN', 'in_use', '90'],
      ['ACCAEXAMPLE', 'in_use', '90'],
    ]);
  });

  it('thresholds.ssh_public_key and thresholds.service_specific_credential each judge their own kind', () => {
    assert.deepEqual(judged({ ssh_public_key: 30 }), [
      ['APKAEIBAERJR2EXAMPLE', 'unverified', '30'],
      ['APKASEEN', 'unused', '30'],
      ['ACCAEXAMPLE', 'in_use', '90'],
    ]);
    assert.deepEqual(judged({ service_specific_credential: 60, access_key: 10 }), [
      ['APKAEIBAERJR2EXAMPLE', 'in_use', '90'],
      ['APKASEEN', 'in_use', '90'],
      ['ACCAEXAMPLE', 'unverified', '60'],
    ]);
  });
});

describe('mfa-device-unassigned', () => {
  it('reports an unassigned device as unused, dated at the as-of date', () => {
    const device: Principal = {
      accountId: '111122223333',
      type: 'mfa_device',
      name: 'spare',
      arn: 'arn:aws:iam::111122223333:mfa/spare',
      createdAt: AS_OF,
      password: null,
      accessKeys: [],
      signingCertificates: [],
      virtualMfaDevice: { serialNumber: 'arn:aws:iam::111122223333:mfa/spare' },
    };
    const findings = evaluatePrincipal(device, ctx);
    assert.equal(findings.length, 1, 'no "no credentials" finding for a device');
    assert.deepEqual(
      [findings[0]!.credential, findings[0]!.status, findings[0]!.lastActivitySource, findings[0]!.ageDays],
      ['mfa_device', 'unused', 'listed', 0],
    );
  });
});

describe('every rule has a severity', () => {
  it('the new rules carry one', () => {
    for (const id of [
      'ssh-public-key-unverified',
      'service-specific-credential-unverified',
      'mfa-device-unassigned',
    ]) {
      const rule = RULES.find((r) => r.id === id);
      assert.ok(rule, id);
      assert.match(rule.severity, /^(low|medium|high|critical)$/);
    }
  });
});

describe('a credential IAM lists in a status this version does not know: reported as if active, never hidden', () => {
  it('the IAM source reads it as active and keeps the status (Active and Inactive as they are)', () => {
    assert.deepEqual(statusFields('Active'), { active: true });
    assert.deepEqual(statusFields('Inactive'), { active: false });
    assert.deepEqual(statusFields('Suspended'), { active: true, unknownStatus: 'Suspended' });
    assert.deepEqual(statusFields(undefined), { active: true, unknownStatus: '' });
  });

  const unknown = { active: true, unknownStatus: 'Suspended' };
  const cases: Array<[string, Principal, string]> = [
    [
      'an access key unused 200 days',
      aUser({ accessKeys: [aKey({ ...unknown, lastUsed: daysAgo(200) })] }),
      'unused',
    ],
    [
      'a signing certificate',
      aUser({ signingCertificates: [aCert({ ...unknown, lastRotated: daysAgo(200) })] }),
      'unverified',
    ],
    ['an SSH key uploaded 200 days ago', aUser({ sshPublicKeys: [sshKey(unknown)] }), 'unverified'],
  ];
  for (const [name, principal, status] of cases) {
    it(name, () => {
      const findings = evaluatePrincipal(principal, ctx).filter((f) => f.credential !== 'password');
      assert.equal(findings.length, 1, JSON.stringify(findings));
      const [f] = findings;
      assert.equal(f!.status, status);
      assert.deepEqual(f!.caveats, ['status_unknown']);
      assert.match(
        f!.reason,
        /IAM lists it in status Suspended, which this version of credsweep does not know \(reported as if active\)/,
      );
    });
  }
});
