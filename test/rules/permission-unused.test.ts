import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findingSchema } from '../../src/model/finding.ts';
import { evaluateServiceAccess } from '../../src/rules/permission-unused.ts';
import type { PermissionPrincipal, ServiceAccess } from '../../src/sources/access-advisor/service-access.ts';
import { AS_OF, daysAgo } from '../helpers/builders.ts';

const alice: PermissionPrincipal = {
  accountId: '111122223333',
  type: 'user',
  name: 'alice',
  arn: 'arn:aws:iam::111122223333:user/alice',
  createdAt: daysAgo(200),
};

function aService(overrides: Partial<ServiceAccess> = {}): ServiceAccess {
  return {
    serviceName: 'Amazon Simple Storage Service',
    namespace: 's3',
    lastAuthenticated: null,
    region: null,
    trackedActions: null,
    ...overrides,
  };
}

const ctx = { asOf: AS_OF, thresholdDays: 90, granularity: 'service' as const };

describe('evaluateServiceAccess', () => {
  it('gives one finding per granted service, sorted by namespace, in the audit envelope shape', () => {
    const findings = evaluateServiceAccess(
      alice,
      [
        aService({ namespace: 's3', lastAuthenticated: daysAgo(10), region: 'eu-west-1' }),
        aService({ namespace: 'ec2', serviceName: 'Amazon EC2' }),
      ],
      ctx,
    );
    assert.deepEqual(
      findings.map((f) => [f.service, f.status, f.credential]),
      [
        ['ec2', 'unused', 'permission'],
        ['s3', 'in_use', 'permission'],
      ],
    );
    for (const f of findings) findingSchema.parse(f);
    assert.equal(findings[1]!.lastUsedRegion, 'eu-west-1');
  });

  const cases: Array<[string, number | null, string, boolean, string]> = [
    ['accessed 89 days ago', 89, 'in_use', false, 'last_used'],
    ['accessed exactly 90 days ago', 90, 'unused', false, 'last_used'],
    ['accessed 300 days ago', 300, 'unused', false, 'last_used'],
    ['never accessed (falls back to the creation date)', null, 'unused', true, 'created'],
  ];
  for (const [name, age, status, neverUsed, source] of cases) {
    it(`a service ${name} is ${status}`, () => {
      const [f] = evaluateServiceAccess(
        alice,
        [aService({ lastAuthenticated: age === null ? null : daysAgo(age) })],
        ctx,
      );
      assert.equal(f!.status, status);
      assert.equal(f!.neverUsed, neverUsed);
      assert.equal(f!.lastActivitySource, source);
      assert.equal(f!.ageDays, age ?? 200);
      assert.match(f!.reason, neverUsed ? /never accessed/ : /last accessed \d+ days ago/);
    });
  }

  it('a never-accessed service of a principal older than 400 days carries the tracking caveat', () => {
    const old = { ...alice, createdAt: daysAgo(500) };
    const [f] = evaluateServiceAccess(old, [aService()], ctx);
    assert.deepEqual(f!.caveats, ['access_advisor_400_days']);
    const [young] = evaluateServiceAccess(alice, [aService()], ctx);
    assert.deepEqual(young!.caveats, []);
  });

  it('with action granularity, lists the tracked actions of services in use after the service', () => {
    const findings = evaluateServiceAccess(
      { ...alice, type: 'role', name: 'deployer', arn: 'arn:aws:iam::111122223333:role/deployer' },
      [
        aService({
          lastAuthenticated: daysAgo(3),
          trackedActions: [
            { action: 'PutObject', lastAccessed: null, region: null },
            { action: 'GetObject', lastAccessed: daysAgo(3), region: 'us-east-1' },
          ],
        }),
        aService({
          namespace: 'ec2',
          trackedActions: [{ action: 'RunInstances', lastAccessed: null, region: null }],
        }),
      ],
      { ...ctx, granularity: 'action' },
    );
    assert.deepEqual(
      findings.map((f) => [f.service, f.action ?? null, f.status, f.principalType]),
      [
        ['ec2', null, 'unused', 'role'],
        ['s3', null, 'in_use', 'role'],
        ['s3', 's3:GetObject', 'in_use', 'role'],
        ['s3', 's3:PutObject', 'unused', 'role'],
      ],
    );
  });

  it('service granularity ignores tracked actions', () => {
    const findings = evaluateServiceAccess(
      alice,
      [
        aService({
          lastAuthenticated: daysAgo(3),
          trackedActions: [{ action: 'X', lastAccessed: null, region: null }],
        }),
      ],
      ctx,
    );
    assert.equal(findings.length, 1);
  });
});
