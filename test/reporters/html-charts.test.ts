/** The HTML report's chart specs (pure) and their rendering to SVG in Node. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleAuditReport } from '../../src/audit/audit-report.ts';
import type { Finding } from '../../src/model/finding.ts';
import {
  ACCOUNT_CHART_LIMIT,
  ageAxis,
  credentialAgeSpec,
  renderVegaLiteSvg,
  unusedPerAccountSpec,
} from '../../src/reporters/html/charts.ts';
import { AS_OF, aFinding as aSharedFinding } from '../helpers/builders.ts';

function aFinding(overrides: Partial<Finding> = {}): Finding {
  return aSharedFinding({
    credential: 'password',
    lastUsed: null,
    lastActivitySource: 'last_changed',
    ageDays: 100,
    neverUsed: true,
    reason: 'r',
    ...overrides,
  });
}

const meta = { generatedAt: AS_OF, asOf: AS_OF, thresholdDays: 90 };

describe('html report charts', () => {
  it('sizes the age axis around the threshold: 24 bins, then one overflow bar', () => {
    const cases: Array<[number, { cap: number; step: number }]> = [
      [0, { cap: 120, step: 5 }],
      [30, { cap: 120, step: 5 }],
      [90, { cap: 360, step: 15 }],
      [365, { cap: 1560, step: 65 }],
    ];
    for (const [threshold, expected] of cases) {
      const axis = ageAxis(threshold);
      assert.deepEqual(axis, expected, `threshold ${threshold}`);
      assert.ok(axis.cap > threshold, 'the threshold is on the axis');
    }
  });

  it('clamps ages into the axis and leaves users without credentials out', () => {
    const spec = credentialAgeSpec(
      assembleAuditReport(meta, [
        aFinding({ ageDays: 5000 }),
        aFinding({ ageDays: -3, status: 'in_use' }),
        aFinding({ credential: 'none', status: 'no_credentials' }),
      ]),
    ) as unknown as { data: { values: Array<{ age: number; group: string }> } };
    assert.deepEqual(spec.data.values, [
      { age: 367.5, group: 'unused' },
      { age: 0, group: 'in use' },
    ]);
  });

  it('counts unused per account, most first, never drawing a failed account as clean', () => {
    const findings = [
      aFinding({ accountId: 'a' }),
      aFinding({ accountId: 'b' }),
      aFinding({ accountId: 'b' }),
      aFinding({ accountId: 'c', status: 'in_use' }),
    ];
    const spec = unusedPerAccountSpec(
      assembleAuditReport(meta, findings, [
        { accountId: 'failed', status: 'failed', error: { code: 'AccessDenied', message: 'no' } },
      ]),
    ) as unknown as { data: { values: Array<{ account: string; unused: number }> } };
    assert.deepEqual(spec.data.values, [
      { account: 'b', unused: 2 },
      { account: 'a', unused: 1 },
      { account: 'c', unused: 0 },
    ]);
    const many = Array.from({ length: ACCOUNT_CHART_LIMIT + 10 }, (_, i) =>
      aFinding({ accountId: `acct-${i}` }),
    );
    const capped = unusedPerAccountSpec(assembleAuditReport(meta, many)) as unknown as {
      data: { values: unknown[] };
    };
    assert.equal(capped.data.values.length, ACCOUNT_CHART_LIMIT);
  });

  it('renders SVG with the threshold marked, escaping what the data says', async () => {
    const svg = await renderVegaLiteSvg(
      unusedPerAccountSpec(assembleAuditReport(meta, [aFinding({ accountId: '<script>x</script>' })])),
    );
    assert.match(svg, /^<svg /);
    assert.doesNotMatch(svg, /<script/);
    assert.match(svg, /&lt;script&gt;/);
    const age = await renderVegaLiteSvg(credentialAgeSpec(assembleAuditReport(meta, [aFinding({})])));
    assert.match(age, />threshold 90 d</);
  });
});
