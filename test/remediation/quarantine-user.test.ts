/**
 * quarantine-user's live re-check: every credential the user could still use is judged by its own
 * kind's threshold (the plan's recorded thresholds), so a forged step cannot quarantine a user whose
 * console password a longer password threshold still counts as in use. The first block is pure; the
 * second reads the user's live state (readState) against moto, with aws-sdk-client-mock answering
 * ListServiceSpecificCredentials (moto 5.2.1 lacks it: NotImplementedError; the tests' launcher
 * answers an empty list, docs/aws-behaviour.md §9) and, for sam, who has none in moto, the SSH key,
 * signing certificate and access key lists (with GetAccessKeyLastUsed): moto never answers a
 * credential with no upload or creation date, or with a status this version does not know. GetUser,
 * GetLoginProfile and GetUserPolicy go through to moto.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type AccessKeyMetadata,
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  type ServiceSpecificCredentialMetadata,
  type SigningCertificate,
  type SSHPublicKeyMetadata,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import type { PlanStep } from '../../src/model/remediation-plan.ts';
import type { CredentialState, EligibilityContext } from '../../src/remediation/actions/action.ts';
import { quarantineUser } from '../../src/remediation/actions/quarantine-user.ts';
import { MS_PER_DAY, toIso } from '../../src/time.ts';
import { AS_OF, daysAgo } from '../helpers/builders.ts';
import { MOTO_DEFAULT_ACCOUNT, type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedUser } from '../helpers/seed-iam.ts';

function ctx(thresholds: Record<string, number> = {}, now = AS_OF): EligibilityContext {
  return {
    now,
    thresholdDays: (kind) => (kind === undefined ? undefined : thresholds[kind]) ?? 90,
    deleteAfterDays: 30,
    deactivatedAt: () => undefined,
    includeServiceRoles: false,
    callerArn: 'arn:aws:iam::111122223333:user/ops',
    memberRoleNames: [],
  };
}
const user = (activity: CredentialState['activity']): CredentialState => ({
  exists: true,
  status: 'Active',
  lastUsed: null,
  arn: 'arn:aws:iam::111122223333:user/alice',
  activity,
});

describe('quarantine-user eligibility', () => {
  const password100 = { what: 'console password last used', kind: 'password', at: toIso(daysAgo(100)) };
  const key200 = { what: 'access key AKIA1 created', kind: 'access_key', at: toIso(daysAgo(200)) };

  it('a user IAM gave no (or no IAM user) ARN for: left as it is, since whether credsweep runs as it cannot be told', () => {
    for (const arn of [undefined, 'not an arn']) {
      const { arn: _, ...rest } = user([key200]);
      const state: CredentialState = arn === undefined ? rest : { ...rest, arn };
      const r = quarantineUser.eligibility(state, ctx());
      assert.equal(r?.reason, 'principal_mismatch', String(arn));
      assert.match(r.detail, /whether it is the user credsweep calls AWS as cannot be told/);
      assert.equal(quarantineUser.never!(state, ctx(), undefined as never)?.reason, 'principal_mismatch');
    }
  });

  it('every credential past its threshold: eligible', () => {
    assert.equal(quarantineUser.eligibility(user([password100, key200]), ctx()), null);
  });

  it('a password used 100 days ago is in use under a 180-day password threshold', () => {
    const r = quarantineUser.eligibility(user([password100, key200]), ctx({ password: 180 }));
    assert.deepEqual(r, {
      reason: 'changed_since_plan',
      detail: "the user's console password last used 100 days ago: not unused now (threshold 180)",
    });
  });

  it('an SSH key uploaded 20 days ago, judged by the ssh_public_key threshold', () => {
    const ssh = { what: 'SSH key APKA1 uploaded', kind: 'ssh_public_key', at: toIso(daysAgo(20)) };
    assert.match(
      quarantineUser.eligibility(user([key200, ssh]), ctx())!.detail,
      /SSH key APKA1 uploaded 20 days ago/,
    );
    assert.equal(quarantineUser.eligibility(user([key200, ssh]), ctx({ ssh_public_key: 10 })), null);
  });

  it('a console password created 3 days ago on an old user (never used) keeps it out', () => {
    const fresh = { what: 'console password created', kind: 'password', at: toIso(daysAgo(3)) };
    assert.match(
      quarantineUser.eligibility(user([fresh]), ctx())!.detail,
      /console password created 3 days ago/,
    );
  });

  it('never the user credsweep calls AWS as; never one already quarantined', () => {
    const caller = { ...user([key200]), arn: 'arn:aws:iam::111122223333:user/ops' };
    assert.equal(quarantineUser.eligibility(caller, ctx())?.reason, 'caller_user');
    assert.match(
      quarantineUser.eligibility({ ...user([key200]), status: 'Quarantined' }, ctx())!.detail,
      /is Quarantined, not Active/,
    );
  });
});

describe("quarantine-user re-reads the user's service-specific credentials (moto; ListServiceSpecificCredentials mocked: moto lacks it)", () => {
  let moto: MotoServer;
  let iam: IAMClient;
  let mock: ReturnType<typeof mockClient>;
  /** What the mocked ListServiceSpecificCredentials answers for sam. */
  let listed: ServiceSpecificCredentialMetadata[] = [];
  /** What the mocked SSH key, certificate and access key lists answer for sam (none in moto). */
  let sshKeys: SSHPublicKeyMetadata[] = [];
  let certificates: SigningCertificate[] = [];
  let accessKeys: AccessKeyMetadata[] = [];

  before(async () => {
    moto = await startMoto();
    iam = new IAMClient(moto.clientConfig());
    // sam: nothing but the user, created 300 days ago (quarantined when it has no service-specific credential)
    await seedUser(moto, iam, { name: 'sam', createdDaysAgo: 300 });
    mock = mockClient(iam);
    mock.send.callThrough();
    mock.on(ListServiceSpecificCredentialsCommand).callsFake((input) => ({
      ServiceSpecificCredentials: input.UserName === 'sam' ? listed.map((c) => ({ ...c })) : [],
      IsTruncated: false,
    }));
    mock.on(ListSSHPublicKeysCommand).callsFake((input) => ({
      SSHPublicKeys: input.UserName === 'sam' ? sshKeys : [],
      IsTruncated: false,
    }));
    mock.on(ListSigningCertificatesCommand).callsFake((input) => ({
      Certificates: input.UserName === 'sam' ? certificates : [],
      IsTruncated: false,
    }));
    mock.on(ListAccessKeysCommand).callsFake((input) => ({
      AccessKeyMetadata: input.UserName === 'sam' ? accessKeys : [],
      IsTruncated: false,
    }));
    // sam's keys have never been used
    mock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'sam', AccessKeyLastUsed: undefined });
  });
  after(async () => {
    mock.restore();
    iam.destroy();
    await moto.stop();
  });

  const step: PlanStep = {
    id: `${MOTO_DEFAULT_ACCOUNT}/quarantine-user/sam`,
    action: 'quarantine-user',
    accountId: MOTO_DEFAULT_ACCOUNT,
    principalType: 'user',
    principalName: 'sam',
    arn: `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT}:user/sam`,
    credential: 'none',
    reversible: true,
    reason: 'test',
    expected: { status: 'Active', lastUsed: null },
  };
  const clients = () => ({ iam: async () => iam, rootIam: async () => iam });

  /** A Bedrock API key of sam's, Active and created `createdDaysAgo` days before `now`. */
  const credential = (
    now: number,
    createdDaysAgo: number | null,
    overrides: Partial<ServiceSpecificCredentialMetadata> = {},
  ): ServiceSpecificCredentialMetadata =>
    // (the SDK types CreateDate as always there; AWS is not held to it here)
    ({
      UserName: 'sam',
      Status: 'Active',
      ServiceName: 'bedrock.amazonaws.com',
      ServiceSpecificCredentialId: 'ACCASAMBEDROCKKEY0001',
      ...(createdDaysAgo === null ? {} : { CreateDate: new Date(now - createdDaysAgo * MS_PER_DAY) }),
      ...overrides,
    }) as ServiceSpecificCredentialMetadata;

  const ago = (now: number, days: number | null) =>
    days === null ? undefined : new Date(now - days * MS_PER_DAY);
  // (the SDK types these dates as always there; AWS is not held to it here)
  const sshKey = (now: number, days: number | null, o: Partial<SSHPublicKeyMetadata> = {}) =>
    ({
      UserName: 'sam',
      SSHPublicKeyId: 'APKASAMSSHKEY0000001',
      Status: 'Active',
      UploadDate: ago(now, days),
      ...o,
    }) as SSHPublicKeyMetadata;
  const certificate = (now: number, days: number | null, o: Partial<SigningCertificate> = {}) =>
    ({
      UserName: 'sam',
      CertificateId: 'SAMCERT0001',
      CertificateBody: '-----BEGIN CERTIFICATE-----',
      Status: 'Active',
      UploadDate: ago(now, days),
      ...o,
    }) as SigningCertificate;
  const accessKey = (now: number, days: number | null, o: Partial<AccessKeyMetadata> = {}) =>
    ({
      UserName: 'sam',
      AccessKeyId: 'AKIASAMKEY0000000001',
      Status: 'Active',
      CreateDate: ago(now, days),
      ...o,
    }) as AccessKeyMetadata;

  const cases: {
    name: string;
    credentials: (now: number) => ServiceSpecificCredentialMetadata[];
    /** sam's other credentials (the mocked lists; none by default). */
    others?: (now: number) => {
      ssh?: SSHPublicKeyMetadata[];
      certificates?: SigningCertificate[];
      accessKeys?: AccessKeyMetadata[];
    };
    thresholds?: Record<string, number>;
    /** null: quarantined; else the skip's detail. */
    expect: RegExp | null;
  }[] = [
    { name: 'none: the user is quarantined (control)', credentials: () => [], expect: null },
    {
      name: 'an Active credential created 5 days ago keeps the user out',
      credentials: (now) => [credential(now, 5)],
      expect:
        /the user's service-specific credential ACCASAMBEDROCKKEY0001 \(bedrock\.amazonaws\.com\) created 5 days ago: not unused now \(threshold 90\)/,
    },
    {
      name: 'an Active credential created 200 days ago does not',
      credentials: (now) => [credential(now, 200)],
      expect: null,
    },
    {
      name: 'created 20 days ago is judged by the service_specific_credential threshold (10: unused)',
      credentials: (now) => [credential(now, 20)],
      thresholds: { service_specific_credential: 10 },
      expect: null,
    },
    {
      name: 'created 20 days ago, service_specific_credential threshold 30: in use',
      credentials: (now) => [credential(now, 20)],
      thresholds: { service_specific_credential: 30 },
      expect: /created 20 days ago: not unused now \(threshold 30\)/,
    },
    {
      name: 'an Active credential without a CreateDate keeps the user out (conservative)',
      credentials: (now) => [credential(now, null)],
      expect: /ACCASAMBEDROCKKEY0001 \(bedrock\.amazonaws\.com\) with no creation date: AWS gave no date/,
    },
    {
      name: 'an Inactive credential created 5 days ago does not count',
      credentials: (now) => [credential(now, 5, { Status: 'Inactive' })],
      expect: null,
    },
    {
      name: 'an Expired credential created 5 days ago does not count',
      credentials: (now) => [
        credential(now, 5, { Status: 'Expired', ExpirationDate: new Date(now - MS_PER_DAY) }),
      ],
      expect: null,
    },
    {
      name: "an Active credential past its ExpirationDate (at apply's now) does not count",
      credentials: (now) => [credential(now, 5, { ExpirationDate: new Date(now - MS_PER_DAY) })],
      expect: null,
    },
    {
      name: 'an Active credential expiring tomorrow still counts',
      credentials: (now) => [credential(now, 5, { ExpirationDate: new Date(now + MS_PER_DAY) })],
      expect: /ACCASAMBEDROCKKEY0001 \(bedrock\.amazonaws\.com\) created 5 days ago/,
    },
    {
      name: 'a status this version does not know keeps the user out (conservative), created 5 days ago',
      credentials: (now) => [credential(now, 5, { Status: 'Suspended' as 'Active' })],
      expect:
        /ACCASAMBEDROCKKEY0001 \(bedrock\.amazonaws\.com\) with status Suspended, which this version does not know/,
    },
    {
      name: 'a status this version does not know keeps the user out however old the credential',
      credentials: (now) => [credential(now, 400, { Status: 'Suspended' as 'Active' })],
      expect:
        /ACCASAMBEDROCKKEY0001 .*status Suspended, which this version does not know, so it may be in use/,
    },
    // SSH keys, signing certificates and access keys (the lists mocked for sam: see the header)
    {
      name: 'an Active SSH key uploaded 200 days ago does not keep the user out (control)',
      credentials: () => [],
      others: (now) => ({ ssh: [sshKey(now, 200)] }),
      expect: null,
    },
    {
      name: 'an Active SSH key with no UploadDate keeps the user out',
      credentials: () => [],
      others: (now) => ({ ssh: [sshKey(now, null)] }),
      expect:
        /the user's SSH key APKASAMSSHKEY0000001 with no upload date: AWS gave no date, so it may be in use/,
    },
    {
      name: 'an Inactive SSH key with no UploadDate does not count',
      credentials: () => [],
      others: (now) => ({ ssh: [sshKey(now, null, { Status: 'Inactive' })] }),
      expect: null,
    },
    {
      name: 'an SSH key whose status this version does not know keeps the user out, however old',
      credentials: () => [],
      others: (now) => ({ ssh: [sshKey(now, 400, { Status: 'Pending' as 'Active' })] }),
      expect:
        /the user's SSH key APKASAMSSHKEY0000001 with status Pending, which this version does not know, so it may be in use/,
    },
    {
      name: 'an Active signing certificate with no UploadDate keeps the user out',
      credentials: () => [],
      others: (now) => ({ certificates: [certificate(now, null)] }),
      expect: /the user's signing certificate SAMCERT0001 with no upload date: AWS gave no date/,
    },
    {
      name: 'a signing certificate whose status this version does not know keeps the user out, however old',
      credentials: () => [],
      others: (now) => ({ certificates: [certificate(now, 400, { Status: 'Revoked' as 'Active' })] }),
      expect: /signing certificate SAMCERT0001 with status Revoked, which this version does not know/,
    },
    {
      name: 'an Active access key with no CreateDate and no last use keeps the user out',
      credentials: () => [],
      others: (now) => ({ accessKeys: [accessKey(now, null)] }),
      expect:
        /the user's access key AKIASAMKEY0000000001 with no creation or last-use date: AWS gave no date/,
    },
    {
      name: 'an access key whose status this version does not know keeps the user out, however old',
      credentials: () => [],
      others: (now) => ({ accessKeys: [accessKey(now, 400, { Status: 'Expired' as 'Active' })] }),
      expect: /access key AKIASAMKEY0000000001 with status Expired, which this version does not know/,
    },
    {
      name: 'an Inactive access key created 5 days ago does not count',
      credentials: () => [],
      others: (now) => ({ accessKeys: [accessKey(now, 5, { Status: 'Inactive' })] }),
      expect: null,
    },
    {
      name: 'an old one and a recent CodeCommit one: the recent one keeps the user out',
      credentials: (now) => [
        credential(now, 400),
        credential(now, 3, {
          ServiceName: 'codecommit.amazonaws.com',
          ServiceSpecificCredentialId: 'ACCASAMCODECOMMIT0001',
        }),
      ],
      expect: /ACCASAMCODECOMMIT0001 \(codecommit\.amazonaws\.com\) created 3 days ago/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      // moto's clock is the machine's: apply's now is too
      const now = Date.now();
      listed = c.credentials(now);
      const others = c.others?.(now) ?? {};
      sshKeys = others.ssh ?? [];
      certificates = others.certificates ?? [];
      accessKeys = others.accessKeys ?? [];
      const judging = ctx(c.thresholds, now);
      const state = await quarantineUser.readState(clients(), step, judging);
      const result = quarantineUser.eligibility(state, judging);
      if (c.expect === null) assert.equal(result, null, JSON.stringify(state.activity));
      else {
        assert.equal(result?.reason, 'changed_since_plan', JSON.stringify(state.activity));
        assert.match(result.detail, c.expect);
      }
    });
  }
});
