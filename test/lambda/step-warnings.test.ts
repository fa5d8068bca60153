/**
 * Owner notices before the role, user and permission steps of the scheduled plan
 * (notifications.plannedSteps), like those before key deactivations: who is told (the principal's
 * `owner` tag), when the step is due, what it does and what undo restores; who never is (service-linked,
 * exempt, already quarantined); each told once; and the counts the run summary shows. Pure.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/model/finding.ts';
import { type OwnerWarningSettings, upcomingSteps } from '../../src/lambda/owner-warnings.ts';
import { describeUpcoming } from '../../src/lambda/run-summary.ts';
import {
  planStepWarnings,
  unusedPermissionsFromAnalyzer,
  type PlannedSteps,
} from '../../src/lambda/step-warnings.ts';
import { evaluatePrincipal } from '../../src/rules/index.ts';
import { AS_OF, aKey, aRole, aUser, daysAgo } from '../helpers/builders.ts';

const ctx = { asOf: AS_OF, thresholdDays: 90 };
const settings: OwnerWarningSettings = {
  warningDays: 7,
  graceDays: 0,
  ownerWebhookAllow: ['https://hooks.slack.com/services/T0123/'],
  exemptionHowTo: 'ask #security',
};
const ALL: PlannedSteps = { roles: true, deleteRolesAfterDays: 30, quarantineUsers: true, permissions: true };
const IN_SEVEN = '2026-11-08';

function role(name: string, lastUsedDaysAgo: number | null, path = '/'): Finding[] {
  return evaluatePrincipal(
    aRole({
      name,
      arn: `arn:aws:iam::111122223333:role${path}${name}`,
      createdAt: daysAgo(400),
      role: { lastUsed: lastUsedDaysAgo === null ? null : daysAgo(lastUsedDaysAgo), path },
    }),
    ctx,
  );
}

function user(name: string, passwordUsed: number, keyUsed: number): Finding[] {
  return evaluatePrincipal(
    aUser({
      name,
      arn: `arn:aws:iam::111122223333:user/${name}`,
      password: { lastUsed: daysAgo(passwordUsed), lastChanged: daysAgo(500) },
      accessKeys: [aKey({ lastUsed: daysAgo(keyUsed), accessKeyId: `AKIA${name.toUpperCase()}` })],
    }),
    ctx,
  );
}

const tagsBy =
  (tags: Record<string, Record<string, string>>) =>
  (f: Finding): Record<string, string> | undefined =>
    tags[f.principalName];

describe('notices before role, user and permission steps', () => {
  it('nothing without plannedSteps: the Lambda cannot know the plan flags', () => {
    const plan = planStepWarnings(
      role('old', 200),
      () => ({ owner: 'a@example.com' }),
      ctx,
      settings,
      {},
      {},
    );
    assert.deepEqual(plan.warnings, []);
    assert.deepEqual(plan.unreachable, []);
  });

  const roleCases: [string, number | null, string | undefined][] = [
    ['a role crossing the role threshold in 10 days: not yet', 80, undefined],
    ['a role crossing in 3 days: quarantined after the full notice', 87, IN_SEVEN],
    ['a role unused for 200 days: still the full notice', 200, IN_SEVEN],
    ['a role never used (created 400 days ago)', null, IN_SEVEN],
  ];
  for (const [name, lastUsed, expected] of roleCases) {
    it(name, () => {
      const plan = planStepWarnings(
        role('app', lastUsed),
        () => ({ owner: 'team-a@example.com' }),
        ctx,
        settings,
        {},
        ALL,
      );
      assert.equal(plan.warnings[0]?.deactivateOn, expected);
    });
  }

  it("the role's owner tag is told what quarantine does and what undo removes", () => {
    const [w] = planStepWarnings(
      role('app', 200),
      () => ({ owner: 'team-a@example.com' }),
      ctx,
      settings,
      {},
      ALL,
    ).warnings;
    assert.equal(w!.step, 'quarantine-role');
    assert.deepEqual(w!.target, { kind: 'email', address: 'team-a@example.com' });
    assert.equal(w!.subject, `credsweep: role app will be quarantined on ${IN_SEVEN}`);
    assert.match(w!.message, /^The role app \(account 111122223333\) was last used on 2026-04-15\./);
    assert.match(
      w!.message,
      /On 2026-11-08, it will be quarantined: a deny-all inline policy \(CredsweepQuarantine\)/,
    );
    assert.match(w!.message, /`credsweep undo` removes it/);
    assert.match(w!.message, /claim an exemption: ask #security/);
  });

  it('the role threshold applies (thresholds.role)', () => {
    const plan = planStepWarnings(
      role('app', 120),
      () => ({ owner: 'team-a@example.com' }),
      { ...ctx, thresholds: { role: 180 } },
      settings,
      {},
      ALL,
    );
    assert.deepEqual(plan.warnings, [], '120 days < 180: not within the notice period');
  });

  it('never a service-linked or exempt role; an unusable owner tag is counted unreachable', () => {
    const linked = role('AWSServiceRoleForSupport', 300, '/aws-service-role/support.amazonaws.com/');
    assert.equal(linked[0]!.status, 'service_linked');
    const exempt = role('dr', 300).map((f) => ({ ...f, status: 'exempt' as const }));
    const plan = planStepWarnings(
      [...linked, ...exempt, ...role('orphan', 300)],
      tagsBy({ orphan: { owner: 'https://attacker.example/x' } }),
      ctx,
      settings,
      {},
      ALL,
    );
    assert.deepEqual(plan.warnings, []);
    assert.deepEqual(
      plan.unreachable.map((u) => [u.finding.principalName, u.step, u.why]),
      [
        [
          'orphan',
          'quarantine-role',
          'owner webhook on attacker.example is not under an ownerWebhookAllow prefix',
        ],
      ],
    );
  });

  it('a role credsweep quarantined is announced for deletion deleteRolesAfterDays after, not quarantined again', () => {
    const quarantined = tagsBy({
      app: { owner: 'team-a@example.com', 'credsweep:quarantined-at': '2026-10-05T09:00:00Z' },
    });
    const [w] = planStepWarnings(role('app', 300), quarantined, ctx, settings, {}, ALL).warnings;
    assert.equal(w!.step, 'delete-role');
    assert.equal(w!.deactivateOn, '2026-11-08', '10-05 + 30 = 11-04, but the full 7-day notice');
    assert.match(w!.message, /quarantined by credsweep on 2026-10-05/);
    assert.match(w!.message, /undo` recreates it, with a new RoleId/);
    const notYet = planStepWarnings(
      role('app', 300),
      quarantined,
      ctx,
      settings,
      {},
      { ...ALL, deleteRolesAfterDays: 60 },
    );
    assert.deepEqual(notYet.warnings, [], '10-05 + 60 is past the notice period');
    const noDeletion = planStepWarnings(role('app', 300), quarantined, ctx, settings, {}, { roles: true });
    assert.deepEqual(noDeletion.warnings, [], 'without deleteRolesAfterDays the plan never deletes');
  });

  it('a user none of whose credentials is used is announced for quarantine, from its latest use', () => {
    const owner = () => ({ owner: 'bob@example.com' });
    const plan = planStepWarnings(user('bob', 200, 88), owner, ctx, settings, {}, ALL);
    const [w] = plan.warnings;
    assert.equal(w!.step, 'quarantine-user');
    assert.equal(w!.deactivateOn, IN_SEVEN, 'the key crosses in 2 days: full notice');
    assert.match(
      w!.message,
      /^The user bob \(account 111122223333\) holds 2 credentials \(password, access_key_1\), none used since 2026-08-05\./,
    );
    assert.match(w!.message, /deny-all inline policy \(CredsweepQuarantine\).*`credsweep undo` removes it/);
    assert.deepEqual([...plan.quarantinedUsers], ['arn:aws:iam::111122223333:user/bob']);

    const keyInUse = planStepWarnings(user('bob', 200, 10), owner, ctx, settings, {}, ALL);
    assert.deepEqual(keyInUse.warnings, [], 'a key used 10 days ago: not quarantined');
    const exempt = user('bob', 200, 200).map((f, i) => (i === 0 ? { ...f, status: 'exempt' as const } : f));
    assert.deepEqual(planStepWarnings(exempt, owner, ctx, settings, {}, ALL).warnings, []);
    const recentSshKey = evaluatePrincipal(
      aUser({
        name: 'bob',
        arn: 'arn:aws:iam::111122223333:user/bob',
        password: { lastUsed: daysAgo(200), lastChanged: daysAgo(500) },
        sshPublicKeys: [{ sshPublicKeyId: 'APKABOB', active: true, uploadedAt: daysAgo(10) }],
      }),
      ctx,
    );
    assert.deepEqual(
      planStepWarnings(recentSshKey, owner, ctx, settings, {}, ALL).warnings,
      [],
      'an SSH key uploaded 10 days ago counts as in use, as plan --quarantine-users judges it',
    );
    const onlyInactive = evaluatePrincipal(
      aUser({
        name: 'bob',
        arn: 'arn:aws:iam::111122223333:user/bob',
        accessKeys: [aKey({ active: false })],
      }),
      ctx,
    );
    assert.equal(
      planStepWarnings(onlyInactive, owner, ctx, settings, {}, ALL).warnings[0]?.deactivateOn,
      IN_SEVEN,
      'an inactive key is not in use: due now, after the notice',
    );
    const already = () => ({ owner: 'bob@example.com', 'credsweep:quarantined-at': '2026-10-01T00:00:00Z' });
    assert.deepEqual(planStepWarnings(user('bob', 200, 200), already, ctx, settings, {}, ALL).warnings, []);
  });

  it('restrict-permissions from IAM Access Analyzer: unused services and actions past the permission threshold', () => {
    const arn = 'arn:aws:iam::111122223333:role/app';
    const unused = unusedPermissionsFromAnalyzer(
      new Map([
        [
          arn,
          {
            analyzerArn: 'arn:aws:access-analyzer:us-east-1:111122223333:analyzer/x',
            trackingDays: 90,
            accessKeys: {},
            permissions: {
              sqs: { findingId: 'f1', lastAccessed: null, wholeService: true, actions: {} },
              dynamodb: { findingId: 'f1', lastAccessed: daysAgo(120), wholeService: true, actions: {} },
              kms: { findingId: 'f1', lastAccessed: daysAgo(20), wholeService: true, actions: {} },
              s3: {
                findingId: 'f2',
                lastAccessed: daysAgo(3),
                wholeService: false,
                actions: {
                  's3:DeleteBucket': { findingId: 'f2', lastAccessed: null },
                  's3:GetObject': { findingId: 'f2', lastAccessed: daysAgo(2) },
                },
              },
            },
          },
        ],
      ]),
      ctx,
    );
    assert.deepEqual(unused, [
      {
        accountId: '111122223333',
        arn,
        services: ['dynamodb', 'sqs'],
        actions: ['s3:DeleteBucket'],
        source: 'access_analyzer',
      },
    ]);
    const owner = () => ({ owner: 'team-a@example.com' });
    const first = planStepWarnings(role('app', 1), owner, ctx, settings, {}, ALL, unused);
    const [w] = first.warnings;
    assert.equal(w!.step, 'restrict-permissions');
    assert.equal(w!.deactivateOn, IN_SEVEN);
    assert.equal(w!.subject, `credsweep: permissions of app will be restricted on ${IN_SEVEN}`);
    assert.match(
      w!.message,
      /holds 2 granted services it has not used: dynamodb, sqs; and 1 action of services in use: s3:DeleteBucket \(IAM Access Analyzer, threshold 90 days\)/,
    );
    assert.match(w!.message, /`credsweep undo` restores the previous boundary \(or none\)/);

    const nextDay = { ...ctx, asOf: AS_OF + 86_400_000 };
    const again = planStepWarnings(role('app', 1), owner, nextDay, settings, first.warned, ALL, unused);
    assert.deepEqual(again.warnings, [], 'told once');
    assert.equal(Object.values(again.warned)[0]?.deactivateOn, IN_SEVEN, 'the announced date is kept');
    const more = [{ ...unused[0]!, services: ['dynamodb', 'sns', 'sqs'] }];
    const news = planStepWarnings(role('app', 1), owner, nextDay, settings, first.warned, ALL, more);
    assert.equal(news.warnings.length, 1, 'another unused service is news');
  });

  it('the run counts the steps due within the notice period, told or not', () => {
    const plan = planStepWarnings(
      [...role('a', 200), ...role('b', 300), ...user('bob', 200, 200)],
      tagsBy({ a: { owner: 'a@example.com' }, bob: { owner: 'bob@example.com' } }),
      ctx,
      settings,
      {},
      ALL,
    );
    const counts = upcomingSteps(plan);
    assert.deepEqual(counts, { 'quarantine-role': 2, 'quarantine-user': 1 });
    assert.equal(
      describeUpcoming({ ...counts, 'deactivate-access-key': 3, 'restrict-permissions': 1 }),
      "Due within the owners' notice period: 3 access key deactivations, 2 role quarantines, 1 user quarantine, 1 permissions restriction.",
    );
    assert.equal(describeUpcoming({}), undefined);
  });
});
