/**
 * `plan --permissions`, the pure planner: permission findings per principal → one restrict-permissions
 * step, or the principal skipped with its reason. Table-driven, no AWS.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/model/finding.ts';
import { buildBoundary } from '../../src/remediation/permissions-boundary.ts';
import { assembleRemediationPlan, type PlanOptions } from '../../src/remediation/plan.ts';
import type { PlanBoundary } from '../../src/remediation/plan-permissions.ts';
import { AS_OF, aFinding } from '../helpers/builders.ts';

const ACCOUNT = '111122223333';
const arnOf = (type: 'user' | 'role', name: string) => `arn:aws:iam::${ACCOUNT}:${type}/${name}`;

function perm(
  name: string,
  service: string,
  status: Finding['status'],
  extra: Partial<Finding> & { type?: 'user' | 'role' } = {},
): Finding {
  const { type = 'role', ...rest } = extra;
  return aFinding({
    accountId: ACCOUNT,
    principalType: type,
    principalName: name,
    arn: arnOf(type, name),
    credential: 'permission',
    service,
    status,
    lastUsed: status === 'unused' ? '2026-03-01T00:00:00Z' : '2026-10-29T00:00:00Z',
    reason: `service ${service} ${status}`,
    ...rest,
  });
}

/** app: s3 in use, ec2 unused, sqs unused; its s3:PutObject unused (action granularity). */
const APP = [
  perm('app', 's3', 'in_use'),
  perm('app', 'ec2', 'unused'),
  perm('app', 'sqs', 'unused', { lastUsed: '2026-04-01T00:00:00Z' }),
  perm('app', 's3', 'unused', { action: 's3:PutObject', lastUsed: null }),
  perm('app', 's3', 'in_use', { action: 's3:GetObject' }),
  // An action of a service outside the boundary is fenced off with its service already.
  perm('app', 'ec2', 'unused', { action: 'ec2:RunInstances' }),
];

function plan(
  findings: Finding[],
  boundaries: Record<string, PlanBoundary> = {},
  overrides: Partial<PlanOptions> = {},
) {
  const all = new Map<string, PlanBoundary>();
  for (const f of findings) all.set(f.arn, { arn: null, document: null });
  for (const [arn, b] of Object.entries(boundaries)) all.set(arn, b);
  return assembleRemediationPlan(findings, {
    dataCollectedAt: AS_OF,
    createdAt: AS_OF,
    thresholdDays: 90,
    deleteAfterDays: 30,
    allowIrreversible: false,
    includeRoot: false,
    include: [],
    exclude: [],
    caller: { accountId: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ops/run`, accessKeyId: null },
    permissions: { granularity: 'action', boundaries: all },
    ...overrides,
  });
}

describe('plan --permissions (pure)', () => {
  it('one reversible step per principal: services in use allowed, unused tracked actions of those denied', () => {
    const p = plan(APP);
    assert.equal(p.options.permissions, true);
    assert.equal(p.steps.length, 1);
    const step = p.steps[0]!;
    assert.equal(step.id, `${ACCOUNT}/restrict-permissions/role/app`);
    assert.equal(step.credential, 'permission');
    assert.equal(step.reversible, true);
    assert.deepEqual(step.restriction, {
      granularity: 'action',
      servicesInUse: ['s3'],
      unusedActions: ['s3:PutObject'],
      previousBoundaryArn: null,
      policyName: buildBoundary({ servicesInUse: ['s3'], unusedActions: ['s3:PutObject'] }).policyName,
    });
    // The latest use of anything fenced off: apply skips the step if any of it is used later.
    assert.deepEqual(step.expected, { lastUsed: '2026-04-01T00:00:00Z' });
    assert.match(
      step.reason,
      /^allow only s3: services ec2, sqs; actions s3:PutObject not used past the threshold; boundary CredsweepBoundary-[0-9a-f]{16}; reversible \(undo\)$/,
    );
    assert.deepEqual(p.summary, { steps: 1, reversible: 1, irreversible: 0, skipped: 0 });
  });

  it('an existing boundary is intersected: its document is part of the planned one, its ARN recorded', () => {
    const existing = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const prev = `arn:aws:iam::${ACCOUNT}:policy/guardrail`;
    const step = plan(APP, { [arnOf('role', 'app')]: { arn: prev, document: existing } }).steps[0]!;
    assert.equal(step.restriction?.previousBoundaryArn, prev);
    assert.equal(
      step.restriction?.policyName,
      buildBoundary({ servicesInUse: ['s3'], unusedActions: ['s3:PutObject'], existingBoundary: existing })
        .policyName,
    );
    assert.match(step.reason, /its boundary .*guardrail stays in force \(intersected\)/);
  });

  it('without --permissions, permission findings are never planned (not even as a role with --roles)', () => {
    const p = plan(APP, {}, { permissions: undefined, roles: true });
    assert.deepEqual(p.steps, []);
    assert.deepEqual(p.skipped, []);
  });

  const skips: {
    name: string;
    findings: Finding[];
    boundaries?: Record<string, PlanBoundary>;
    overrides?: Partial<PlanOptions>;
    reason: string;
    detail: RegExp;
  }[] = [
    {
      name: 'every service in use',
      findings: [perm('busy', 's3', 'in_use'), perm('busy', 'ec2', 'in_use')],
      reason: 'all_in_use',
      detail: /every granted service/,
    },
    {
      name: 'no service in use (quarantine instead)',
      findings: [perm('idle', 's3', 'unused'), perm('idle', 'ec2', 'unused')],
      reason: 'no_service_in_use',
      detail: /would deny everything; quarantine it instead/,
    },
    {
      name: 'an exempt principal (the audit marked its findings)',
      findings: [
        perm('vip', 's3', 'in_use'),
        perm('vip', 'ec2', 'exempt', { reason: 'exempt by tag credsweep:exempt' }),
      ],
      reason: 'exempt',
      detail: /exempt by tag/,
    },
    {
      name: 'an exempt principal (its tags read at plan time)',
      findings: APP,
      boundaries: {
        [arnOf('role', 'app')]: { arn: null, document: null, exempt: 'exempt by tag credsweep:exempt=true' },
      },
      reason: 'exempt',
      detail: /credsweep:exempt=true/,
    },
    {
      name: 'a service-linked role',
      findings: [
        perm('AWSServiceRoleForX', 's3', 'service_linked'),
        perm('AWSServiceRoleForX', 'ec2', 'service_linked'),
      ],
      reason: 'service_linked',
      detail: /managed by their AWS service/,
    },
    {
      name: 'the role credsweep runs as',
      findings: [perm('ops', 's3', 'in_use'), perm('ops', 'ec2', 'unused')],
      reason: 'caller_role',
      detail: /calling AWS as this role/,
    },
    {
      name: 'the role credsweep assumes in a member account (--role-name)',
      findings: [
        perm('Remediator', 's3', 'in_use', {
          accountId: '444455556666',
          arn: 'arn:aws:iam::444455556666:role/Remediator',
        }),
        perm('Remediator', 'ec2', 'unused', {
          accountId: '444455556666',
          arn: 'arn:aws:iam::444455556666:role/Remediator',
        }),
      ],
      overrides: { memberRoleNames: ['Remediator'] },
      reason: 'caller_role',
      detail: /runs as this role in account 444455556666/,
    },
    {
      name: 'the user credsweep runs as',
      findings: [perm('me', 's3', 'in_use', { type: 'user' }), perm('me', 'ec2', 'unused', { type: 'user' })],
      overrides: { caller: { accountId: ACCOUNT, arn: arnOf('user', 'me'), accessKeyId: null } },
      reason: 'caller_user',
      detail: /calling AWS as this user/,
    },
    {
      name: 'excluded',
      findings: APP,
      overrides: { exclude: ['ap*'] },
      reason: 'excluded',
      detail: /--exclude ap\*/,
    },
    {
      name: 'excluded by a pattern in other case (IAM names ignore case)',
      findings: APP,
      overrides: { exclude: ['AP*'] },
      reason: 'excluded',
      detail: /--exclude AP\*/,
    },
    {
      name: 'not included',
      findings: APP,
      overrides: { include: ['other'] },
      reason: 'not_included',
      detail: /no --include/,
    },
    {
      name: 'a boundary that could not be read',
      findings: APP,
      boundaries: { [arnOf('role', 'app')]: { unreadable: 'its boundary could not be read (AccessDenied)' } },
      reason: 'unresolved',
      detail: /AccessDenied/,
    },
    {
      name: 'a boundary credsweep set already',
      findings: APP,
      boundaries: {
        [arnOf('role', 'app')]: {
          arn: `arn:aws:iam::${ACCOUNT}:policy/credsweep/CredsweepBoundary-0123456789abcdef`,
          document: '{"Statement":[]}',
        },
      },
      reason: 'already_restricted',
      detail: /credsweep's already/,
    },
    {
      name: 'a boundary too large for a managed policy',
      findings: [
        perm('wide', 's3', 'in_use'),
        perm('wide', 'ec2', 'unused'),
        ...Array.from({ length: 400 }, (_, i) =>
          perm('wide', 's3', 'unused', { action: `s3:SomeLongActionName${String(i).padStart(4, '0')}` }),
        ),
      ],
      reason: 'boundary_invalid',
      detail: /more than a managed policy holds/,
    },
  ];
  for (const c of skips) {
    it(`skips ${c.name}: ${c.reason}`, () => {
      const p = plan(c.findings, c.boundaries, c.overrides);
      assert.deepEqual(p.steps, []);
      assert.deepEqual(
        p.skipped.map((s) => [s.credential, s.reason]),
        [['permission', c.reason]],
      );
      assert.match(p.skipped[0]!.detail, c.detail);
    });
  }
});
