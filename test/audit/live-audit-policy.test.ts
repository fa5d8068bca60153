import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ACCOUNT_AUDIT_PERMISSIONS } from '../../src/audit/audit-account.ts';
import { CALLER_PERMISSIONS } from '../../src/audit/audit-accounts.ts';
import { liveAuditPolicy } from '../../src/audit/live-audit-policy.ts';

const FIX = 'regenerate it: node --import tsx scripts/write-audit-policy.ts';

describe('the live-audit least-privilege policy', () => {
  const shipped = JSON.parse(
    readFileSync(new URL('../../policies/audit-policy.json', import.meta.url), 'utf8'),
  );

  it('policies/audit-policy.json is exactly what the sources declare', () => {
    assert.deepEqual(shipped, liveAuditPolicy(), FIX);
  });

  it('docs/live-and-organizations.md shows the same policy', () => {
    const section = readFileSync(new URL('../../docs/live-and-organizations.md', import.meta.url), 'utf8');
    const block = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
    assert.ok(block, 'a ```json block in docs/live-and-organizations.md');
    assert.deepEqual(JSON.parse(block), shipped, 'docs policy differs from policies/audit-policy.json');
  });

  it('is read-only and covers every declared action', () => {
    const actions = shipped.Statement.flatMap((s: { Action: string[] }) => s.Action) as string[];
    for (const action of [...ACCOUNT_AUDIT_PERMISSIONS.report, ...ACCOUNT_AUDIT_PERMISSIONS.api]) {
      assert.ok(actions.includes(action), action);
    }
    for (const action of [...CALLER_PERMISSIONS.org, ...CALLER_PERMISSIONS.assumeRole]) {
      assert.ok(actions.includes(action), action);
    }
    for (const action of actions) {
      assert.match(action, /^(iam:(Get|List|Generate)|organizations:List|sts:AssumeRole$)/, action);
      assert.doesNotMatch(action, /\*/, 'no wildcards');
    }
  });
});
