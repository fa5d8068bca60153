/**
 * quarantine-user's live re-check: every credential the user could still use is judged by its own
 * kind's threshold (the plan's recorded thresholds), so a forged step cannot quarantine a user whose
 * console password a longer password threshold still counts as in use. The first block is pure; the
 * second reads the user's live state (readState) against moto, with aws-sdk-client-mock answering
 * ListServiceSpecificCredentials only: moto 5.2.1 lacks it (NotImplementedError; the tests' launcher
 * answers an empty list, docs/aws-behaviour.md §9), so every other call goes through to moto.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  IAMClient,
  ListServiceSpecificCredentialsCommand,
  type ServiceSpecificCredentialMetadata,
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

  const cases: {
    name: string;
    credentials: (now: number) => ServiceSpecificCredentialMetadata[];
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
      name: 'a status this version does not know counts as Active (conservative), created 5 days ago',
      credentials: (now) => [credential(now, 5, { Status: 'Suspended' as 'Active' })],
      expect: /ACCASAMBEDROCKKEY0001 \(bedrock\.amazonaws\.com\) created 5 days ago/,
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
