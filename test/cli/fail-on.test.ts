/** `--fail-on`: statuses and severities, parsed once; exit 1 when any finding matches. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countFindings, failOnMatched, parseFailOn } from '../../src/cli/fail-on.ts';
import { aFinding } from '../helpers/builders.ts';
import { runCredsweep } from '../helpers/cli.ts';

const DEMO = ['audit', '--report', 'examples/demo/credential-report.csv', '--format', 'json'];
const AS_OF = ['--as-of', '2026-11-01T18:00:00Z'];

describe('--fail-on', () => {
  it('parses statuses and a severity, comma-separated or repeated', () => {
    assert.deepEqual(parseFailOn('unused,inactive'), { statuses: ['unused', 'inactive'] });
    assert.deepEqual(parseFailOn('severity:high'), { statuses: [], severity: 'high' });
    assert.deepEqual(parseFailOn('severity:low', parseFailOn('unused')), {
      statuses: ['unused'],
      severity: 'low',
    });
    assert.throws(() => parseFailOn('everything'), /expected statuses \(unused, in_use/);
    assert.throws(() => parseFailOn('severity:huge'), /severity:critical\|high/);
    // the tables show informational as info: what a user reads there is accepted
    assert.deepEqual(parseFailOn('severity:info'), { statuses: [], severity: 'informational' });
  });

  it('severity:high matches high and critical findings, not medium', () => {
    const high = parseFailOn('severity:high');
    assert.ok(failOnMatched(high, countFindings([aFinding({})])));
    assert.ok(!failOnMatched(high, countFindings([aFinding({ credential: 'password' })])));
    assert.ok(failOnMatched(parseFailOn('inactive'), countFindings([aFinding({ status: 'inactive' })])));
    assert.ok(!failOnMatched(parseFailOn('inactive'), countFindings([aFinding({})])));
  });

  const runs: Array<[string[], number]> = [
    [['--fail-on', 'severity:critical', ...AS_OF], 1], // the root password is unused
    [['--fail-on', 'severity:critical', '--as-of', '2000-01-01'], 0],
    [['--fail-on', 'unused,inactive', '--as-of', '2000-01-01'], 1], // inactive keys stay inactive
    [['--fail-on', 'unused', '--as-of', '2000-01-01'], 0],
  ];
  for (const [args, code] of runs) {
    it(`audit ${args.join(' ')} exits ${code}`, async () => {
      const run = await runCredsweep([...DEMO, ...args]);
      assert.equal(run.code, code, run.stderr);
      assert.ok(JSON.parse(run.stdout).findings.length > 0, 'the report is still written');
    });
  }

  it('a bad value is exit 2 and one line naming the choices', async () => {
    const run = await runCredsweep([...DEMO, '--fail-on', 'severity:huge']);
    assert.equal(run.code, 2);
    assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /--fail-on.*severity:critical\|high\|medium\|low\|informational/);
  });
});
