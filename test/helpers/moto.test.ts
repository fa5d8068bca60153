import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetCredentialReportCommand,
  GetRoleCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { inAccount, type MotoServer, startMoto } from './moto.ts';

const DAY_MS = 86_400_000;

function daysBeforeNow(date: Date | undefined): number {
  assert.ok(date, 'expected a date');
  return Math.round((Date.now() - date.getTime()) / DAY_MS);
}

describe('moto harness', () => {
  let moto: MotoServer;
  before(async () => {
    moto = await startMoto();
  });
  after(() => moto.stop());
  beforeEach(() => moto.reset());

  it('seeds a key "300 days ago" and uses it "120 days ago"', async () => {
    const iam = new IAMClient(moto.clientConfig());
    await moto.setClockOffsetDays(-300);
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
    assert.ok(AccessKey?.AccessKeyId && AccessKey.SecretAccessKey);

    await moto.setClockOffsetDays(-120);
    const asAlice = new STSClient(
      moto.clientConfig({ accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey }),
    );
    await asAlice.send(new GetCallerIdentityCommand({}));
    await moto.setClockOffsetDays(0);

    const keys = await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }));
    assert.equal(daysBeforeNow(keys.AccessKeyMetadata?.[0]?.CreateDate), 300);
    const lastUsed = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: AccessKey.AccessKeyId }));
    assert.equal(daysBeforeNow(lastUsed.AccessKeyLastUsed?.LastUsedDate), 120);
    assert.equal(lastUsed.AccessKeyLastUsed?.ServiceName, 'sts');

    await iam.send(new GenerateCredentialReportCommand({}));
    const report = await iam.send(new GetCredentialReportCommand({}));
    const csv = new TextDecoder().decode(report.Content);
    const [header, row] = csv.trim().split('\n');
    const columns = header!.split(',');
    const cells = row!.split(',');
    const cell = (name: string) => cells[columns.indexOf(name)];
    assert.equal(cell('user'), 'alice');
    assert.equal(daysBeforeNow(new Date(cell('user_creation_time')!)), 300);
    assert.equal(daysBeforeNow(new Date(cell('access_key_1_last_used_date')!)), 120);
  });

  it('records role last use at the shifted time', async () => {
    const iam = new IAMClient(moto.clientConfig());
    await moto.setClockOffsetDays(-500);
    const { Role } = await iam.send(
      new CreateRoleCommand({ RoleName: 'deployer', AssumeRolePolicyDocument: '{"Version":"2012-10-17"}' }),
    );
    await moto.setClockOffsetDays(-50);
    const sts = new STSClient(moto.clientConfig());
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: Role!.Arn!, RoleSessionName: 'test' }),
    );
    const asRole = new STSClient(
      moto.clientConfig({
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretAccessKey!,
        sessionToken: Credentials!.SessionToken!,
      }),
    );
    await asRole.send(new GetCallerIdentityCommand({}));
    await moto.setClockOffsetDays(0);

    const { Role: fetched } = await iam.send(new GetRoleCommand({ RoleName: 'deployer' }));
    assert.equal(daysBeforeNow(fetched?.CreateDate), 500);
    assert.equal(daysBeforeNow(fetched?.RoleLastUsed?.LastUsedDate), 50);
  });

  it('setClock takes an absolute date, and reset() puts the clock back', async () => {
    const iam = new IAMClient(moto.clientConfig());
    await moto.setClock(new Date('2024-06-01T12:00:00Z'));
    await iam.send(new CreateUserCommand({ UserName: 'old' }));
    const { Users } = await iam.send(new ListUsersCommand({}));
    const created = Users?.[0]?.CreateDate;
    assert.ok(created && Math.abs(created.getTime() - Date.parse('2024-06-01T12:00:00Z')) < 60_000);

    await moto.reset();
    await iam.send(new CreateUserCommand({ UserName: 'new' }));
    const after = await iam.send(new ListUsersCommand({}));
    assert.deepEqual(
      after.Users?.map((u) => u.UserName),
      ['new'],
    );
    assert.equal(daysBeforeNow(after.Users?.[0]?.CreateDate), 0);
  });

  it('inAccount() seeds another moto account', async () => {
    const member = inAccount(new IAMClient(moto.clientConfig()), '111111111111');
    await member.send(new CreateUserCommand({ UserName: 'member-user' }));
    const { Users: inMember } = await member.send(new ListUsersCommand({}));
    assert.deepEqual(
      inMember?.map((u) => u.UserName),
      ['member-user'],
    );
    const { Users: inDefault } = await new IAMClient(moto.clientConfig()).send(new ListUsersCommand({}));
    assert.deepEqual(inDefault ?? [], []);
  });

  it('setIamEnforcement(true) makes unknown keys fail for real; reset() turns it off', async () => {
    const iam = new IAMClient(moto.clientConfig());
    await moto.setIamEnforcement(true);
    await assert.rejects(iam.send(new ListUsersCommand({})), (e: Error) => e.name === 'InvalidClientTokenId');
    await moto.reset();
    await iam.send(new ListUsersCommand({}));
  });
});
