/**
 * The pure merge of IAM Access Analyzer's UnusedPermission evidence with Access Advisor's answer
 * (src/audit/access-analyzer-permissions.ts), at its boundaries: which date wins, which actions are
 * added, and when a silence of the analyzer is (not) a disagreement. The CLI test
 * (test/cli/permissions-access-analyzer.test.ts) shows the same end to end.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  annotatePermissionDisagreements,
  foldAccessAnalyzerPermissions,
} from '../../src/audit/access-analyzer-permissions.ts';
import type { AccessAnalyzerEvidence } from '../../src/model/inventory.ts';
import type { PermissionPrincipal, ServiceAccess } from '../../src/model/service-access.ts';
import { evaluateServiceAccess } from '../../src/rules/permission-unused.ts';
import { AS_OF, daysAgo } from '../helpers/builders.ts';

const principal = (createdDaysAgo: number): PermissionPrincipal => ({
  accountId: '111122223333',
  type: 'role',
  name: 'app',
  arn: 'arn:aws:iam::111122223333:role/app',
  createdAt: daysAgo(createdDaysAgo),
});
const s3 = (overrides: Partial<ServiceAccess> = {}): ServiceAccess => ({
  serviceName: 'Amazon S3',
  namespace: 's3',
  lastAuthenticated: daysAgo(5),
  region: 'us-east-1',
  trackedActions: [
    { action: 'GetObject', lastAccessed: daysAgo(5), region: 'us-east-1' },
    { action: 'PutObject', lastAccessed: daysAgo(200), region: 'us-east-1' },
  ],
  ...overrides,
});
const evidence = (permissions: AccessAnalyzerEvidence['permissions']): AccessAnalyzerEvidence => ({
  analyzerArn: 'arn:aws:access-analyzer:us-east-1:111122223333:analyzer/a',
  trackingDays: 90,
  accessKeys: {},
  permissions,
});
const verdict = (lastAccessed: number | null) => ({ findingId: 'f', lastAccessed });
const ctx = { asOf: AS_OF, thresholdDays: 90, granularity: 'action' as const };

function judge(services: ServiceAccess[], aa: AccessAnalyzerEvidence, createdDaysAgo = 700) {
  const p = principal(createdDaysAgo);
  const folded = foldAccessAnalyzerPermissions(services, aa);
  return annotatePermissionDisagreements(
    p,
    services,
    evaluateServiceAccess(p, folded, ctx),
    aa,
    { trackingDays: 90 },
    AS_OF,
  );
}
const row = (f: ReturnType<typeof judge>[number]) => [
  f.action ?? f.service,
  f.status,
  f.lastActivitySource,
  f.ageDays,
  f.disagreement?.accessAnalyzer ?? null,
];

describe('Access Analyzer merged with Access Advisor (pure)', () => {
  it('a later access the analyzer knows wins, marked as its; an analyzer action Access Advisor lacks is added', () => {
    const aa = evidence({
      s3: {
        ...verdict(daysAgo(5)),
        wholeService: false,
        actions: { 's3:PutObject': verdict(daysAgo(150)), 's3:DeleteBucket': verdict(null) },
      },
    });
    assert.deepEqual(judge([s3()], aa).map(row), [
      ['s3', 'in_use', 'last_used', 5, null],
      ['s3:DeleteBucket', 'unused', 'created', 700, null],
      ['s3:GetObject', 'in_use', 'last_used', 5, null],
      ['s3:PutObject', 'unused', 'access_analyzer', 150, null],
    ]);
  });

  it('no evidence for the principal: Access Advisor’s verdicts, and its long-unaccessed action not reported', () => {
    const alone = evaluateServiceAccess(principal(700), [s3()], ctx);
    const merged = judge([s3()], evidence({}));
    assert.deepEqual(
      merged.map((f) => [f.action ?? f.service, f.status, f.lastActivitySource, f.caveats]),
      alone.map((f) => [
        f.action ?? f.service,
        f.status,
        f.lastActivitySource,
        f.action === 's3:PutObject'
          ? ['access_analyzer_90_days', 'access_analyzer_disagrees']
          : ['access_analyzer_90_days'],
      ]),
    );
    assert.match(
      merged.find((f) => f.action === 's3:PutObject')!.reason,
      /Access Advisor says last accessed \d{4}-\d{2}-\d{2}, but IAM Access Analyzer does not report it unused for 90 days/,
    );
  });

  it('silence is a disagreement only for a principal older than the window and long unaccessed', () => {
    const sqs: ServiceAccess = {
      serviceName: 'Amazon SQS',
      namespace: 'sqs',
      lastAuthenticated: null,
      region: null,
      trackedActions: null,
    };
    assert.equal(judge([sqs], evidence({}))[0]!.disagreement?.accessAnalyzer, 'not_reported');
    assert.equal(judge([sqs], evidence({}), 60)[0]!.disagreement, undefined, 'younger than 90 days');
    const recent = { ...sqs, lastAuthenticated: daysAgo(30) };
    assert.equal(judge([recent], evidence({}))[0]!.disagreement, undefined, 'accessed inside the window');
  });

  it('an analyzer naming only some actions of a service says nothing about the service itself', () => {
    const partial = evidence({
      s3: { ...verdict(null), wholeService: false, actions: { 's3:PutObject': verdict(null) } },
    });
    const old = s3({ lastAuthenticated: daysAgo(300) });
    const service = judge([old], partial).find((f) => f.action === undefined)!;
    assert.equal(service.disagreement, undefined);
    // and a service only the analyzer names for some actions, with no date, is not invented
    assert.deepEqual(
      foldAccessAnalyzerPermissions([], partial).map((s) => s.namespace),
      [],
    );
  });

  it('the analyzer calls unused what Access Advisor saw inside the window: listed, Access Advisor’s date kept', () => {
    const aa = evidence({ s3: { ...verdict(daysAgo(120)), wholeService: true, actions: {} } });
    const [service] = judge([s3({ trackedActions: null })], aa);
    assert.deepEqual(row(service!), ['s3', 'in_use', 'last_used', 5, 'unused']);
    assert.equal(service!.disagreement?.findingId, 'f');
  });
});
