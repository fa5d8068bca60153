/** Roles for the role-remediation tests, with every part a role can have. */
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateServiceLinkedRoleCommand,
  CreateUserCommand,
  GetRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { QUARANTINE_POLICY_NAME, quarantinePolicyDocument } from '../../src/remediation/quarantine-policy.ts';
import { MS_PER_DAY } from '../../src/time.ts';
import { inAccount, MOTO_DEFAULT_ACCOUNT, type MotoServer } from './moto.ts';
import { MEMBER } from './remediation-fixture.ts';
import { seedRole } from './seed-iam.ts';

/** A role with everything a role can have: path, description, session length, trust, inline + managed policies, boundary, tags, instance profile. */
export async function seedFullRole(
  iam: IAMClient,
  name = 'app-worker',
  options: { trust?: unknown; tags?: Record<string, string> } = {},
) {
  const boundary = await iam.send(
    new CreatePolicyCommand({
      PolicyName: `${name}-boundary`,
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['s3:*', 'sqs:*'], Resource: '*' }],
      }),
    }),
  );
  const managed = await iam.send(
    new CreatePolicyCommand({
      PolicyName: `${name}-read-queue`,
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: '*' }],
      }),
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      Path: '/apps/',
      Description: 'worker & friends',
      MaxSessionDuration: 7200,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: options.trust ?? { AWS: `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT}:root` },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
      PermissionsBoundary: boundary.Policy!.Arn!,
      Tags: Object.entries({ owner: 'team-a@example.com', 'cost centre': '42 %', ...options.tags }).map(
        ([Key, Value]) => ({ Key, Value }),
      ),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: 'read-bucket',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::bucket/a b+c%/*',
            Condition: { StringEquals: { 'aws:PrincipalTag/team': 'a&b' } },
          },
        ],
      }),
    }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: managed.Policy!.Arn! }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: `${name}-profile` }));
  await iam.send(
    new AddRoleToInstanceProfileCommand({ InstanceProfileName: `${name}-profile`, RoleName: name }),
  );
  return { boundaryArn: boundary.Policy!.Arn!, managedArn: managed.Policy!.Arn! };
}

/**
 * The roles and users the hostile-plan battery aims role and user steps at (all created 200 days ago
 * unless said): `victim` (plain, unused), `lambda-fn` (trusts lambda.amazonaws.com), `credsweep-ops`
 * (the role a case runs credsweep as), `kept` (tagged credsweep:exempt=true), `vendor-role` (exempt by
 * a configuration exemption), `busy-role` (used 5 days ago), `parked` (carries credsweep's quarantine,
 * applied 10 days ago per the journal the case passes), `by-hand` (the same quarantine put on by
 * someone else), a service-linked role, and the user `hank` (a key created 2 days ago, never used).
 */
export async function seedHostileRoles(moto: MotoServer, iam: IAMClient) {
  const arns: Record<string, string> = {};
  const roleIds: Record<string, string> = {};
  for (const [name, spec] of [
    ['victim', {}],
    ['credsweep-ops', {}],
    ['kept', { tags: { 'credsweep:exempt': 'true' } }],
    ['vendor-role', {}],
    ['busy-role', { usedDaysAgo: 5 }],
    ['parked', {}],
    ['by-hand', {}],
  ] as const) {
    arns[name] = await seedRole(moto, iam, { name, createdDaysAgo: 200, ...spec });
  }
  await moto.setClockOffsetDays(-200);
  try {
    await seedFullRole(iam, 'lambda-fn', { trust: { Service: 'lambda.amazonaws.com' } });
    arns['lambda-fn'] = `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT}:role/apps/lambda-fn`;
    const linked = await iam.send(
      new CreateServiceLinkedRoleCommand({ AWSServiceName: 'elasticbeanstalk.amazonaws.com' }),
    );
    arns.linked = linked.Role!.Arn!;
    await iam.send(new CreateUserCommand({ UserName: 'hank' }));
  } finally {
    await moto.setClockOffsetDays(-2);
  }
  try {
    await iam.send(new CreateAccessKeyCommand({ UserName: 'hank' }));
  } finally {
    await moto.setClockOffsetDays(0);
  }
  // The role credsweep assumes in the member account (--role-name Remediator), unused as far as IAM knows.
  const member = inAccount(new IAMClient(moto.clientConfig()), MEMBER);
  try {
    arns['member:Remediator'] = await seedRole(moto, member, { name: 'Remediator', createdDaysAgo: 200 });
  } finally {
    member.destroy();
  }
  for (const name of ['parked', 'by-hand']) {
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: QUARANTINE_POLICY_NAME,
        PolicyDocument: quarantinePolicyDocument(Date.now() - 10 * MS_PER_DAY),
      }),
    );
  }
  for (const name of Object.keys(arns).filter((n) => !n.startsWith('member:'))) {
    const roleName = name === 'linked' ? arns.linked!.split('/').at(-1)! : name;
    roleIds[name] = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!.RoleId!;
  }
  return { arns, roleIds, linkedName: arns.linked!.split('/').at(-1)! };
}
