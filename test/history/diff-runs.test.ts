import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffRuns, isEmptyDiff } from '../../src/history/diff-runs.ts';
import { renderDiffText } from '../../src/history/render-diff.ts';
import type { AccountResult, Finding } from '../../src/model/finding.ts';
import { aFinding as aSharedFinding } from '../helpers/builders.ts';

function aFinding(overrides: Partial<Finding> = {}): Finding {
  return aSharedFinding({
    status: 'in_use',
    lastUsed: null,
    lastActivity: '2026-10-01T00:00:00Z',
    ageDays: 31,
    reason: 'access key 1 last used 31 days ago (threshold 90)',
    ...overrides,
  });
}
const ok = (accountId: string): AccountResult => ({ accountId, status: 'ok' });

describe('diffRuns', () => {
  it('identifies a credential by account, ARN and kind: status changes sort into the right lists', () => {
    const before = [
      aFinding({ principalName: 'a', arn: 'arn:a', status: 'in_use' }),
      aFinding({ principalName: 'b', arn: 'arn:b', status: 'unused' }),
      aFinding({ principalName: 'c', arn: 'arn:c', status: 'unused' }),
      aFinding({ principalName: 'd', arn: 'arn:d', status: 'unused' }),
      aFinding({ principalName: 'e', arn: 'arn:e', status: 'unused' }),
    ];
    const after = [
      aFinding({ principalName: 'a', arn: 'arn:a', status: 'unused', ageDays: 91 }),
      aFinding({ principalName: 'b', arn: 'arn:b', status: 'in_use' }),
      aFinding({ principalName: 'c', arn: 'arn:c', status: 'inactive' }),
      aFinding({ principalName: 'e', arn: 'arn:e', status: 'unused' }),
      aFinding({ principalName: 'f', arn: 'arn:f', status: 'unused' }),
      aFinding({ principalName: 'a', arn: 'arn:a', credential: 'password', status: 'in_use' }),
    ];
    const diff = diffRuns({ findings: before, accounts: [] }, { findings: after, accounts: [] });
    assert.deepEqual(
      diff.newlyUnused.map((c) => [c.principalName, c.before ?? 'new', c.after]),
      [
        ['a', 'in_use', 'unused'],
        ['f', 'new', 'unused'],
      ],
    );
    assert.deepEqual(
      diff.newlyInUse.map((c) => c.principalName),
      ['b'],
    );
    assert.deepEqual(
      diff.resolved.map((c) => [c.principalName, c.after]),
      [['c', 'inactive']],
    );
    assert.deepEqual(
      diff.removed.map((c) => c.principalName),
      ['d'],
    );
    const text = renderDiffText(diff);
    assert.match(text, /Newly unused \(2\):\n {2}111122223333 a access_key_1: in_use → unused, 91 days/);
    assert.match(text, /Removed \(1\):\n {2}111122223333 d access_key_1: unused → removed/);
  });

  it('the same run twice is no change', () => {
    const run = { findings: [aFinding({ status: 'unused' })], accounts: [ok('111122223333')] };
    assert.ok(isEmptyDiff(diffRuns(run, run)));
    assert.equal(renderDiffText(diffRuns(run, run)), 'No changes.\n');
  });

  it('an account that failed (or was not audited) this time does not make its credentials "removed"', () => {
    const before = {
      findings: [aFinding({ accountId: '111111111111' }), aFinding({ accountId: '222222222222' })],
      accounts: [ok('111111111111'), ok('222222222222')],
    };
    const after = {
      findings: [],
      accounts: [
        {
          accountId: '111111111111',
          status: 'failed' as const,
          error: { code: 'AccessDenied', message: 'x' },
        },
      ],
    };
    const diff = diffRuns(before, after);
    assert.deepEqual(diff.removed, []);
    assert.deepEqual(diff.notAudited, ['111111111111', '222222222222']);
    const afterOk = { findings: [], accounts: [ok('111111111111')] };
    assert.equal(
      diffRuns(before, afterOk).removed.length,
      1,
      'an audited account with no findings left: removed',
    );
  });

  it('permission findings of one principal stay distinct by service/action', () => {
    const p = (service: string, status: Finding['status']) =>
      aFinding({ credential: 'permission', service, status });
    const diff = diffRuns(
      { findings: [p('s3', 'in_use'), p('ec2', 'in_use')], accounts: [] },
      { findings: [p('s3', 'unused'), p('ec2', 'in_use')], accounts: [] },
    );
    assert.deepEqual(
      diff.newlyUnused.map((c) => c.service),
      ['s3'],
    );
  });
});
