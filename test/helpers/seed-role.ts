/** Roles for the role-remediation tests, with every part a role can have. */
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  type IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { MOTO_DEFAULT_ACCOUNT } from './moto.ts';

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
