/**
 * The planner's `--quarantine-users` (issue 14), pure: a user none of whose credentials is in use is
 * quarantined (reversible), which replaces delete-login-profile as the answer to its unused console
 * password; every user it does not quarantine says why.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/model/finding.ts';
import { remediationPlanSchema } from '../../src/model/remediation-plan.ts';
import { assembleRemediationPlan, findingKey, type PlanOptions } from '../../src/remediation/plan.ts';
import { toIso } from '../../src/time.ts';
import { AS_OF, aFinding, daysAgo } from '../helpers/builders.ts';

const OPTIONS: PlanOptions = {
  dataCollectedAt: AS_OF - 3_600_000,
  createdAt: AS_OF,
  thresholdDays: 90,
  deleteAfterDays: 30,
  allowIrreversible: false,
  includeRoot: false,
  include: [],
  exclude: [],
  caller: {
    accountId: '111122223333',
    arn: 'arn:aws:iam::111122223333:user/ops',
    accessKeyId: 'AKIAOPS000000000001',
  },
  quarantineUsers: true,
};

const password = (overrides: Partial<Finding> = {}) =>
  aFinding({
    credential: 'password',
    lastUsed: toIso(daysAgo(150)),
    lastActivity: toIso(daysAgo(150)),
    ageDays: 150,
    reason: 'console password last used 150 days ago (threshold 90)',
    ...overrides,
  });
const key = (overrides: Partial<Finding> = {}) =>
  aFinding({
    lastUsed: toIso(daysAgo(120)),
    lastActivity: toIso(daysAgo(120)),
    ageDays: 120,
    accessKeyId: 'AKIAALICE0000000001',
    reason: 'access key 1 last used 120 days ago (threshold 90)',
    ...overrides,
  });
const inUseKey = () =>
  key({ status: 'in_use', lastUsed: toIso(daysAgo(3)), reason: 'access key 1 last used 3 days ago' });

function planOf(findings: Finding[], options: Partial<PlanOptions> = {}) {
  const plan = assembleRemediationPlan(findings, { ...OPTIONS, ...options });
  remediationPlanSchema.parse(plan);
  return plan;
}
const actions = (p: ReturnType<typeof planOf>) => p.steps.map((s) => `${s.credential}:${s.action}`);
const skips = (p: ReturnType<typeof planOf>) => p.skipped.map((s) => `${s.credential}:${s.reason}`);

describe('plan --quarantine-users', () => {
  it('quarantines a user whose password and keys are all unused, instead of deleting the password', () => {
    const plan = planOf([password(), key()]);
    assert.deepEqual(actions(plan), ['password:quarantine-user', 'access_key_1:deactivate-access-key']);
    const step = plan.steps[0]!;
    assert.equal(step.id, '111122223333/quarantine-user/alice');
    assert.equal(step.reversible, true);
    // The user's latest use (the key's, 120 days ago) is what apply's live read is compared to.
    assert.deepEqual(step.expected, { status: 'Active', lastUsed: toIso(daysAgo(120)) });
    assert.match(step.reason, /no credential of the user is in use: quarantined \(undo removes it\)/);
    assert.equal(plan.options.quarantineUsers, true);
    assert.deepEqual(plan.summary, { steps: 2, reversible: 2, irreversible: 0, skipped: 0 });
  });

  it('without the flag the password is still the irreversible delete-login-profile', () => {
    const plan = planOf([password(), key()], { quarantineUsers: false });
    assert.deepEqual(actions(plan), ['access_key_1:deactivate-access-key']);
    assert.deepEqual(skips(plan), ['password:irreversible']);
    assert.equal(plan.options.quarantineUsers, undefined);
  });

  it('a user without a password gets a user-level step (credential none) after its key steps', () => {
    const plan = planOf([key(), key({ credential: 'access_key_2', accessKeyId: 'AKIAALICE0000000002' })]);
    assert.deepEqual(actions(plan), [
      'access_key_1:deactivate-access-key',
      'access_key_2:deactivate-access-key',
      'none:quarantine-user',
    ]);
    const step = plan.steps[2]!;
    assert.equal(step.accessKeyId, undefined);
    assert.deepEqual(step.expected, { status: 'Active', lastUsed: toIso(daysAgo(120)) });
  });

  it('inactive keys and old unverified SSH keys and certificates do not keep a user out of quarantine', () => {
    const plan = planOf([
      password({ lastUsed: null, neverUsed: true }),
      key({ status: 'inactive' }),
      aFinding({ credential: 'ssh_public_key', status: 'unverified', sshPublicKeyId: 'APKA1', ageDays: 300 }),
      aFinding({ credential: 'cert_1', status: 'unverified', certificateId: 'CERT1', ageDays: 300 }),
    ]);
    assert.equal(plan.steps[0]!.action, 'quarantine-user');
    // Inactive keys: the journal knows nothing of them (not credsweep's doing), so they stay as they are.
    assert.deepEqual(skips(plan), ['access_key_1:deactivation_unknown']);
  });

  /** An old Bedrock API key the audit read in a status this version does not know (caveat status_unknown). */
  const unknownStatusCredential = () =>
    aFinding({
      credential: 'service_specific_credential',
      status: 'unverified',
      serviceSpecificCredentialId: 'ACCAUNKNOWNSTATUS0001',
      ageDays: 300,
      caveats: ['status_unknown'],
      reason:
        'Amazon Bedrock API key ACCAUNKNOWNSTATUS0001 is in status Suspended, which this version of credsweep does not know',
    });

  it('plans nothing for a service-specific credential in a status this version does not know (apply would refuse it)', () => {
    const plan = planOf([unknownStatusCredential()], { quarantineUsers: false });
    assert.deepEqual(actions(plan), []);
    assert.deepEqual(skips(plan), ['service_specific_credential:unresolved']);
    assert.match(plan.skipped[0]!.detail, /in status Suspended/);
  });

  const blocked: {
    name: string;
    findings: () => Finding[];
    options?: Partial<PlanOptions>;
    reason: string;
    detail: RegExp;
  }[] = [
    {
      name: 'another credential in use',
      findings: () => [password(), inUseKey()],
      reason: 'credential_in_use',
      detail: /not quarantined: the user's access_key_1 is not unused \(access key 1 last used 3 days ago\)/,
    },
    {
      name: 'a certificate uploaded fewer than threshold days ago (AWS records no use of it)',
      findings: () => [
        password(),
        aFinding({ credential: 'cert_1', status: 'unverified', certificateId: 'C', ageDays: 10 }),
      ],
      reason: 'credential_in_use',
      detail: /cert_1 is not unused/,
    },
    {
      name: 'an old service-specific credential in a status this version does not know (it may be usable)',
      findings: () => [password(), unknownStatusCredential()],
      reason: 'credential_in_use',
      detail: /service_specific_credential is not unused \(.*in status Suspended/,
    },
    {
      name: 'a recent SSH key',
      findings: () => [
        password(),
        aFinding({ credential: 'ssh_public_key', status: 'in_use', sshPublicKeyId: 'APKA2' }),
      ],
      reason: 'credential_in_use',
      detail: /ssh_public_key is not unused/,
    },
    {
      name: 'one of its credentials exempt',
      findings: () => [
        password(),
        key({ status: 'exempt', reason: 'exempt by tag credsweep:exempt=true; …' }),
      ],
      reason: 'exempt',
      detail: /exempt by tag/,
    },
    {
      name: "one of its credentials' tags unreadable",
      findings: () => [password(), key()],
      options: {
        unresolved: new Map([[findingKey(key()), "the principal's tags could not be read (AccessDenied)"]]),
      },
      reason: 'unresolved',
      detail: /tags could not be read/,
    },
    {
      name: 'the user credsweep calls AWS as (by ARN)',
      findings: () => [password(), key()],
      options: { caller: { ...OPTIONS.caller, arn: 'arn:aws:iam::111122223333:user/alice' } },
      reason: 'caller_user',
      detail: /credsweep is calling AWS as this user/,
    },
    {
      name: 'the user whose key credsweep signs with',
      findings: () => [password(), key({ accessKeyId: 'AKIAOPS000000000001' })],
      reason: 'caller_user',
      detail: /credsweep is calling AWS as this user/,
    },
  ];
  for (const c of blocked) {
    it(`not quarantined: ${c.name} — the password's skip names it`, () => {
      const plan = planOf(c.findings(), c.options);
      assert.ok(!plan.steps.some((s) => s.action === 'quarantine-user'));
      const pw = plan.skipped.find((s) => s.credential === 'password')!;
      assert.equal(pw.reason, c.reason);
      assert.match(pw.detail, c.detail);
      assert.match(pw.detail, /deleting the login profile instead cannot be undone \(--allow-irreversible\)/);
    });
  }

  it('not quarantined, with --allow-irreversible: the unused password is deleted, and the reason said', () => {
    const plan = planOf([password(), inUseKey()], { allowIrreversible: true });
    assert.deepEqual(actions(plan), ['password:delete-login-profile']);
    assert.match(plan.steps[0]!.reason, /not quarantined: the user's access_key_1 is not unused/);
    assert.equal(plan.steps[0]!.reversible, false);
  });

  it('a password in use stays in_use; a user without a password and a key in use gets no user-level entry', () => {
    const plan = planOf([password({ status: 'in_use', reason: 'console password last used 2 days ago' })]);
    assert.deepEqual(skips(plan), ['password:in_use']);
    const keysOnly = planOf([inUseKey()]);
    assert.deepEqual(skips(keysOnly), ['access_key_1:in_use']);
  });

  it('excluded users get no user-level step or entry; users with no credentials are not quarantined', () => {
    const excluded = planOf([key()], { exclude: ['alice'] });
    assert.deepEqual(skips(excluded), ['access_key_1:excluded']);
    const none = planOf([aFinding({ credential: 'none', status: 'no_credentials', lastUsed: null })]);
    assert.deepEqual([actions(none), skips(none)], [[], []]);
  });

  it('one verdict per user: two users, one quarantined, one not', () => {
    const bob = (f: Finding): Finding => ({
      ...f,
      principalName: 'bob',
      arn: 'arn:aws:iam::111122223333:user/bob',
    });
    const plan = planOf([password(), key(), bob(password()), bob(inUseKey())]);
    assert.deepEqual(
      plan.steps.map((s) => `${s.principalName}:${s.action}`),
      ['alice:quarantine-user', 'alice:deactivate-access-key'],
    );
    assert.deepEqual(
      plan.skipped.map((s) => `${s.principalName}:${s.credential}:${s.reason}`),
      ['bob:password:credential_in_use', 'bob:access_key_1:in_use'],
    );
  });
});
