/**
 * What a report audit worker thread loads (dist, as the package runs it): every module a worker loads
 * costs each thread CPU at start-up and RSS for the whole audit (zod, pulled in through
 * src/model/finding.ts, cost ~0.1 s and ~6 MB a thread), so the worker's module graph is the
 * parser, grouping, rules, judge, exemptions and the per-finding renderers, and no other package
 * than papaparse. Static imports only: the worker has no dynamic ones.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { staticModuleGraph } from '../../helpers/module-graph.ts';

describe('report audit worker modules', () => {
  it('loads papaparse and no other package (no zod, no schemas, no AWS SDK)', () => {
    const { files, packages } = staticModuleGraph('dist/audit/report-workers/part-worker.js');
    assert.deepEqual(packages, ['papaparse']);
    assert.ok(files.includes('dist/audit/judge.js'), files.join('\n'));
    assert.ok(!files.includes('dist/model/finding.js'), files.join('\n'));
  });
});
