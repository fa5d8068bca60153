import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { suggestReducedPolicies } from '../../src/audit/suggest-policy.ts';
import { evaluateServiceAccess } from '../../src/rules/permission-unused.ts';
import type { PermissionPrincipal } from '../../src/sources/access-advisor/service-access.ts';
import { AS_OF, daysAgo } from '../helpers/builders.ts';

const role: PermissionPrincipal = {
  accountId: '111122223333',
  type: 'role',
  name: 'app',
  arn: 'arn:aws:iam::111122223333:role/app',
  createdAt: daysAgo(100),
};
const ctx = { asOf: AS_OF, thresholdDays: 90, granularity: 'action' as const };

describe('suggestReducedPolicies', () => {
  it('keeps the services in use, drops the unused ones and denies unused tracked actions', () => {
    const findings = evaluateServiceAccess(
      role,
      [
        {
          serviceName: 'S3',
          namespace: 's3',
          lastAuthenticated: daysAgo(1),
          region: null,
          trackedActions: [
            { action: 'GetObject', lastAccessed: daysAgo(1), region: null },
            { action: 'DeleteBucket', lastAccessed: null, region: null },
          ],
        },
        { serviceName: 'EC2', namespace: 'ec2', lastAuthenticated: null, region: null, trackedActions: null },
        {
          serviceName: 'IAM',
          namespace: 'iam',
          lastAuthenticated: daysAgo(20),
          region: null,
          trackedActions: null,
        },
      ],
      ctx,
    );
    const { suggestions, schemaVersion, note } = suggestReducedPolicies(findings);
    assert.equal(schemaVersion, 1);
    assert.match(note, /never applies/);
    assert.deepEqual(suggestions, [
      {
        principalArn: role.arn,
        keptServices: ['iam', 's3'],
        removedServices: ['ec2'],
        removedActions: ['s3:DeleteBucket'],
        policy: {
          Version: '2012-10-17',
          Statement: [
            { Sid: 'KeepServicesInUse', Effect: 'Allow', Action: ['iam:*', 's3:*'], Resource: '*' },
            { Sid: 'DropUnusedTrackedActions', Effect: 'Deny', Action: ['s3:DeleteBucket'], Resource: '*' },
          ],
        },
      },
    ]);
  });

  it('a principal using nothing gets a deny-all boundary, never an empty Allow', () => {
    const findings = evaluateServiceAccess(
      role,
      [{ serviceName: 'EC2', namespace: 'ec2', lastAuthenticated: null, region: null, trackedActions: null }],
      ctx,
    );
    const [s] = suggestReducedPolicies(findings).suggestions;
    assert.deepEqual(s!.policy.Statement, [
      { Sid: 'NothingInUse', Effect: 'Deny', Action: '*', Resource: '*' },
    ]);
    assert.deepEqual(s!.removedServices, ['ec2']);
  });
});
