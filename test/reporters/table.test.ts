/** The findings table (src/reporters/table.ts): how a row says what it knows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findingsTableLines } from '../../src/reporters/table.ts';
import { aFinding } from '../helpers/builders.ts';

describe('findings table', () => {
  it("a last activity known from the principal's creation names the principal: role created, user created", () => {
    const created = { lastActivitySource: 'created' as const, lastUsed: null, neverUsed: true };
    const lines = findingsTableLines(
      [
        aFinding({
          ...created,
          principalType: 'role',
          principalName: 'app',
          arn: 'arn:aws:iam::111122223333:role/app',
          credential: 'role',
          lastActivity: '2026-12-02T00:00:00Z',
        }),
        aFinding({ ...created, principalName: 'bob', lastActivity: '2026-01-02T00:00:00Z' }),
      ],
      { color: false },
    ).join('\n');
    assert.match(lines, /app \(role\) +role .* 2026-12-02 role created/);
    assert.match(lines, /bob +access key 1 .* 2026-01-02 user created/);
    assert.doesNotMatch(lines, /app \(role\).*user created/);
  });
});
