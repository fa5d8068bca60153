/**
 * The restrict-permissions boundary builder (pure), and the boundary calls against moto_server:
 * moto 5.2.1 has Put/DeleteRolePermissionsBoundary but not the user ones (docs/aws-behaviour.md §11), so the
 * user calls are not exercised here.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  GetRoleCommand,
  IAMClient,
  PutRolePermissionsBoundaryCommand,
} from '@aws-sdk/client-iam';
import { BoundaryError, buildBoundary } from '../../src/remediation/permissions-boundary.ts';
import { type MotoServer, startMoto } from '../helpers/moto.ts';

describe('buildBoundary', () => {
  it('allows only the services in use, denies unused tracked actions', () => {
    const b = buildBoundary({ servicesInUse: ['sqs', 's3', 's3'], unusedActions: ['s3:DeleteBucket'] });
    assert.deepEqual(JSON.parse(b.document).Statement, [
      { Sid: 'CredsweepServicesInUse', Effect: 'Allow', Action: ['s3:*', 'sqs:*'], Resource: '*' },
      { Sid: 'CredsweepUnusedActions', Effect: 'Deny', Action: ['s3:DeleteBucket'], Resource: '*' },
    ]);
    assert.match(b.policyName, /^CredsweepBoundary-[0-9a-f]{16}$/);
  });

  it('keeps an existing boundary in force: its statements plus a Deny outside the services in use', () => {
    const existing = JSON.stringify({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: ['s3:*', 'ec2:*'], Resource: '*' },
    });
    const b = buildBoundary({ servicesInUse: ['s3'], existingBoundary: existing });
    assert.deepEqual(JSON.parse(b.document).Statement, [
      { Effect: 'Allow', Action: ['s3:*', 'ec2:*'], Resource: '*' },
      { Sid: 'CredsweepOnlyServicesInUse', Effect: 'Deny', NotAction: ['s3:*'], Resource: '*' },
    ]);
  });

  it('names the same boundary the same, whatever the input order', () => {
    const a = buildBoundary({ servicesInUse: ['s3', 'sqs'] });
    const b = buildBoundary({ servicesInUse: ['sqs', 's3'] });
    assert.equal(a.policyName, b.policyName);
    assert.notEqual(a.policyName, buildBoundary({ servicesInUse: ['s3'] }).policyName);
  });

  it('refuses what it cannot express', () => {
    assert.throws(() => buildBoundary({ servicesInUse: [] }), BoundaryError);
    assert.throws(() => buildBoundary({ servicesInUse: ['s3"*'] }), BoundaryError);
    assert.throws(() => buildBoundary({ servicesInUse: ['s3'], unusedActions: ['nope'] }), BoundaryError);
    assert.throws(() => buildBoundary({ servicesInUse: ['s3'], existingBoundary: '{' }), BoundaryError);
    const many = Array.from({ length: 400 }, (_, i) => `service-number-${i}`);
    assert.throws(() => buildBoundary({ servicesInUse: many }), /more than a managed policy holds/);
  });
});

describe('role boundary calls on moto', () => {
  let moto: MotoServer;
  let iam: IAMClient;
  before(async () => {
    moto = await startMoto();
    iam = new IAMClient(moto.clientConfig());
  });
  after(() => moto.stop());
  beforeEach(() => moto.reset());

  it('puts and removes a role boundary built from the services in use', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: '{}' }));
    const b = buildBoundary({ servicesInUse: ['s3'] });
    const policy = await iam.send(
      new CreatePolicyCommand({ PolicyName: b.policyName, Path: '/credsweep/', PolicyDocument: b.document }),
    );
    await iam.send(
      new PutRolePermissionsBoundaryCommand({ RoleName: 'r', PermissionsBoundary: policy.Policy!.Arn! }),
    );
    const role = await iam.send(new GetRoleCommand({ RoleName: 'r' }));
    assert.equal(role.Role?.PermissionsBoundary?.PermissionsBoundaryArn, policy.Policy!.Arn);
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'r' }));
    assert.equal(
      (await iam.send(new GetRoleCommand({ RoleName: 'r' }))).Role?.PermissionsBoundary,
      undefined,
    );
  });
});
