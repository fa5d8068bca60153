/**
 * The role record (everything to recreate a role) and the quarantine policy, against moto_server:
 * capture → delete (the instance profile stays) → recreate → the same role field by field but its
 * RoleId; an AssumeRole'd session of a quarantined role is refused when moto enforces IAM.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteRolePolicyCommand,
  GetInstanceProfileCommand,
  IAMClient,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  QUARANTINE_POLICY_NAME,
  isQuarantineDocument,
  quarantinePolicyDocument,
} from '../../src/remediation/quarantine-policy.ts';
import {
  captureRoleRecord,
  deleteRoleAndAttachments,
  getRole,
  recreateRole,
  trustedServices,
  withinRecord,
  isBareRole,
  type RoleRecord,
} from '../../src/remediation/role-record.ts';
import { MOTO_DEFAULT_ACCOUNT, type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedFullRole } from '../helpers/seed-role.ts';

const ALLOW_ALL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

let moto: MotoServer;
let iam: IAMClient;
before(async () => {
  moto = await startMoto();
  iam = new IAMClient(moto.clientConfig());
});
after(() => moto.stop());
beforeEach(() => moto.reset());

describe('role record', () => {
  it('captures every part of a role, decoded', async () => {
    const { boundaryArn, managedArn } = await seedFullRole(iam);
    const record = (await captureRoleRecord(iam, 'app-worker'))!;
    assert.equal(record.path, '/apps/');
    assert.equal(record.description, 'worker & friends');
    assert.equal(record.maxSessionDuration, 7200);
    assert.equal(JSON.parse(record.trustPolicy).Statement[0].Action, 'sts:AssumeRole');
    assert.deepEqual(
      record.inlinePolicies.map((p) => [p.name, JSON.parse(p.document).Statement[0].Resource]),
      [['read-bucket', 'arn:aws:s3:::bucket/a b+c%/*']],
    );
    assert.deepEqual(record.attachedPolicyArns, [managedArn]);
    assert.equal(record.permissionsBoundaryArn, boundaryArn);
    assert.deepEqual(record.tags, [
      { key: 'cost centre', value: '42 %' },
      { key: 'owner', value: 'team-a@example.com' },
    ]);
    assert.deepEqual(
      record.instanceProfiles.map((p) => p.name),
      ['app-worker-profile'],
    );
    assert.equal(await captureRoleRecord(iam, 'no-such-role'), null);
  });

  it('deletes the role but not its instance profile, and recreates it field by field with a new RoleId', async () => {
    await seedFullRole(iam);
    const original = (await captureRoleRecord(iam, 'app-worker'))!;
    await deleteRoleAndAttachments(iam, original);
    assert.equal(await getRole(iam, 'app-worker'), undefined);
    const profile = await iam.send(
      new GetInstanceProfileCommand({ InstanceProfileName: 'app-worker-profile' }),
    );
    assert.deepEqual(profile.InstanceProfile?.Roles, []);
    // Deleting again (a retried request) is a no-op.
    await deleteRoleAndAttachments(iam, original);

    const recreated = await recreateRole(iam, original);
    assert.deepEqual(recreated.missingInstanceProfiles, []);
    assert.notEqual(recreated.roleId, original.roleId);
    const now = (await captureRoleRecord(iam, 'app-worker'))!;
    assert.equal(now.roleId, recreated.roleId);
    for (const field of [
      'roleName',
      'path',
      'arn',
      'description',
      'maxSessionDuration',
      'inlinePolicies',
      'attachedPolicyArns',
      'permissionsBoundaryArn',
      'tags',
      'instanceProfiles',
    ] as const) {
      assert.deepEqual(now[field], original[field], field);
    }
    assert.deepEqual(JSON.parse(now.trustPolicy), JSON.parse(original.trustPolicy));
    // Recreating again without knowing it made that role: someone else's role, refused, left alone.
    await assert.rejects(recreateRole(iam, original), /was created by someone else meanwhile/);
    // A retried undo (the RoleId it created journalled) converges instead of failing.
    await recreateRole(iam, original, { created: recreated.roleId });
    assert.deepEqual(
      (await captureRoleRecord(iam, 'app-worker'))!.instanceProfiles,
      original.instanceProfiles,
    );
  });

  it('recreates without the quarantine policy when told, and names missing instance profiles', async () => {
    await seedFullRole(iam);
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'app-worker',
        PolicyName: QUARANTINE_POLICY_NAME,
        PolicyDocument: quarantinePolicyDocument(Date.UTC(2026, 0, 1)),
      }),
    );
    const record = (await captureRoleRecord(iam, 'app-worker'))!;
    await deleteRoleAndAttachments(iam, record);
    const withoutProfile = {
      ...record,
      instanceProfiles: [...record.instanceProfiles, { name: 'gone', arn: 'x' }],
    };
    const recreated = await recreateRole(iam, withoutProfile, {
      skipInlinePolicy: (name) => name === QUARANTINE_POLICY_NAME,
    });
    assert.deepEqual(recreated.missingInstanceProfiles, ['gone']);
    const now = (await captureRoleRecord(iam, 'app-worker'))!;
    assert.deepEqual(
      now.inlinePolicies.map((p) => p.name),
      ['read-bucket'],
    );
  });

  it('names the AWS service principals a trust policy trusts', () => {
    const trust = (principal: unknown) =>
      JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] });
    assert.deepEqual(trustedServices(trust({ Service: 'lambda.amazonaws.com' })), ['lambda.amazonaws.com']);
    assert.deepEqual(trustedServices(trust({ Service: ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'] })), [
      'ec2.amazonaws.com',
      'ecs-tasks.amazonaws.com',
    ]);
    assert.deepEqual(trustedServices(trust({ AWS: 'arn:aws:iam::1:root' })), []);
    assert.deepEqual(trustedServices('not json'), []);
  });
});

describe('quarantine policy', () => {
  it('denies everything and revokes sessions issued before the quarantine, to the second', () => {
    const doc = JSON.parse(quarantinePolicyDocument(Date.UTC(2026, 11, 1, 10, 0, 0, 999)));
    assert.deepEqual(doc.Statement[0], {
      Sid: 'CredsweepQuarantineDenyAll',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
    });
    assert.deepEqual(doc.Statement[1].Condition, {
      DateLessThan: { 'aws:TokenIssueTime': '2026-12-01T10:00:00Z' },
    });
    assert.ok(isQuarantineDocument(JSON.stringify(doc)));
    doc.Statement[0].Action = 's3:*';
    assert.equal(isQuarantineDocument(JSON.stringify(doc)), false);
    assert.equal(isQuarantineDocument('{'), false);
  });

  it('refuses an AssumeRole session of the quarantined role when moto enforces IAM', async () => {
    // moto checks a trust policy's principal against the caller's exact ARN (not the account root).
    await iam.send(new CreateUserCommand({ UserName: 'admin' }));
    await iam.send(
      new PutUserPolicyCommand({ UserName: 'admin', PolicyName: 'all', PolicyDocument: ALLOW_ALL }),
    );
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'admin' }))).AccessKey!;
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'quiet',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT}:user/admin` },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({ RoleName: 'quiet', PolicyName: 'all', PolicyDocument: ALLOW_ALL }),
    );
    await moto.setIamEnforcement(true);
    const adminCreds = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    const sts = new STSClient(moto.clientConfig(adminCreds));
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT}:role/quiet`,
        RoleSessionName: 'old',
      }),
    );
    const c = assumed.Credentials!;
    const session = new IAMClient(
      moto.clientConfig({
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken!,
      }),
    );
    await session.send(new ListUsersCommand({}));
    const admin = new IAMClient(moto.clientConfig(adminCreds));
    await admin.send(
      new PutRolePolicyCommand({
        RoleName: 'quiet',
        PolicyName: QUARANTINE_POLICY_NAME,
        PolicyDocument: quarantinePolicyDocument(Date.now()),
      }),
    );
    await assert.rejects(session.send(new ListUsersCommand({})), (e: Error) => e.name === 'AccessDenied');
    // Undone: the same session works again.
    await admin.send(new DeleteRolePolicyCommand({ RoleName: 'quiet', PolicyName: QUARANTINE_POLICY_NAME }));
    await session.send(new ListUsersCommand({}));
  });
});

describe('withinRecord (a role with only parts of its record taken away)', () => {
  const record: RoleRecord = {
    roleName: 'app',
    path: '/apps/',
    roleId: 'AROA1',
    arn: 'arn:aws:iam::111122223333:role/apps/app',
    trustPolicy: '{"Statement":[]}',
    inlinePolicies: [{ name: 'read', document: '{"a":1}' }],
    attachedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    permissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/boundary',
    tags: [],
    instanceProfiles: [{ name: 'p', arn: 'arn:aws:iam::111122223333:instance-profile/p' }],
  };
  it('holds for the record itself and for it emptied; not for another RoleId when the id must match', () => {
    assert.equal(withinRecord(record, record, { sameId: true }), true);
    const bare = { ...record, inlinePolicies: [], attachedPolicyArns: [], instanceProfiles: [] };
    assert.equal(withinRecord(bare, record, { sameId: true }), true);
    assert.equal(isBareRole(bare), true);
    assert.equal(withinRecord({ ...record, roleId: 'AROA2' }, record, { sameId: true }), false);
    assert.equal(withinRecord({ ...record, roleId: 'AROA2' }, record, { sameId: false }), true);
  });
  it('does not hold for a change: a policy added or edited, another trust, the boundary removed or replaced', () => {
    for (const changed of [
      { ...record, inlinePolicies: [...record.inlinePolicies, { name: 'more', document: '{}' }] },
      { ...record, inlinePolicies: [{ name: 'read', document: '{"a":2}' }] },
      { ...record, attachedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
      { ...record, trustPolicy: '{"Statement":[{}]}' },
      { ...record, permissionsBoundaryArn: null },
      { ...record, permissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/other' },
    ]) {
      assert.equal(withinRecord(changed, record, { sameId: true }), false, JSON.stringify(changed));
    }
  });
});
