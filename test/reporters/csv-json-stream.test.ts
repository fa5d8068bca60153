/**
 * The streaming CSV and JSON writers: the CSV one tests each line once and escapes cell by cell only
 * where needed, so its output is checked against an independent CSV parser (csv-parse) and the
 * formula guard for every draw; the JSON one must equal the whole-report render.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { AuditTally, assembleAuditReport } from '../../src/audit/audit-report.ts';
import type { Finding } from '../../src/model/finding.ts';
import { CSV_COLUMNS, csvReporter } from '../../src/reporters/csv.ts';
import { jsonReporter } from '../../src/reporters/json.ts';
import { aFinding } from '../helpers/builders.ts';

const META = { generatedAt: Date.UTC(2026, 10, 1), asOf: Date.UTC(2026, 10, 1), thresholdDays: 90 };

/** Streams the findings in batches of up to three (an empty batch first), as runAudit hands them over. */
async function streamed(reporter: typeof csvReporter, findings: Finding[]): Promise<string> {
  let out = '';
  async function* batches() {
    yield [];
    for (let i = 0; i < findings.length; i += 3) yield findings.slice(i, i + 3);
  }
  await reporter.stream!(META, batches(), new AuditTally(), async (chunk) => {
    out += chunk;
  });
  return out;
}

// Text a hostile report could put in a name or a reason: separators, quotes, line ends, formula starts.
const hostileText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc
    .array(fc.constantFrom('a', ',', '"', '\n', '\r', '=', '+', '-', '@', '\t', ';', ' ', "'"), {
      maxLength: 8,
    })
    .map((cs) => cs.join('')),
);
const finding = fc
  .record({
    principalName: hostileText,
    reason: hostileText,
    ageDays: fc.integer({ min: -400, max: 4000 }),
    neverUsed: fc.boolean(),
    caveats: fc.array(fc.constantFrom('duplicate_report_rows', '=x', 'a,b'), { maxLength: 2 }),
    accessKeyId: fc.option(hostileText, { nil: undefined }),
    lastUsed: fc.option(fc.constant('2026-01-01T00:00:00Z'), { nil: null }),
  })
  .map((o) => aFinding(o as Partial<Finding>));

/** What each cell must read as: the value, with the apostrophe guard on text starting = + - @ tab CR. */
function expectedCells(f: Finding): string[] {
  return CSV_COLUMNS.map((column) => {
    const value = f[column];
    if (value === undefined || value === null) return '';
    if (typeof value === 'number') return String(value);
    if (typeof value === 'boolean') return String(value);
    const text = Array.isArray(value) ? value.join(';') : String(value);
    return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  });
}

describe('streaming CSV writer', () => {
  it('reads back, through an independent parser, as the guarded cells of every finding (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(finding, { maxLength: 6 }), async (findings) => {
        const text = await streamed(csvReporter, findings);
        const rows = parse(text, { relax_column_count: false }) as string[][];
        assert.deepEqual(rows[0], [...CSV_COLUMNS]);
        assert.deepEqual(rows.slice(1), findings.map(expectedCells));
        assert.equal(text, csvReporter.render({ findings } as never, { color: false }));
      }),
      { numRuns: 300, seed: 42 },
    );
  });
  it('leaves negative ages as numbers and guards a name that starts with a minus', async () => {
    const text = await streamed(csvReporter, [aFinding({ ageDays: -3, principalName: '-x' })]);
    assert.match(text, /,'-x,/);
    assert.match(text, /,-3,/);
  });
});

describe('streaming JSON writer', () => {
  it('writes the same envelope as the whole-report render, large or empty', async () => {
    for (const count of [0, 1, 5_000]) {
      const findings = Array.from({ length: count }, (_, i) => aFinding({ principalName: `u"${i}\n` }));
      const parsed = JSON.parse(await streamed(jsonReporter, findings));
      assert.deepEqual(parsed.findings, findings);
      assert.equal(parsed.summary.unused, count);
      assert.deepEqual(parsed.accounts, count ? [{ accountId: '111122223333', status: 'ok' }] : []);
    }
  });
});

describe('streamed chunks', () => {
  it('reach the output one at a time, in order, even when the envelope after the findings is larger than a chunk', async () => {
    // 3 000 accounts: the accounts line alone is ~130 000 characters, two chunks. The writer before
    // this one sent that line's chunk and the summary's without waiting between them, and the file
    // writer, which takes one write at a time, put the summary over a finding.
    const findings = Array.from({ length: 3_000 }, (_, i) =>
      aFinding({ accountId: String(100_000_000_000 + i), principalName: `user-${i}` }),
    );
    for (const reporter of [jsonReporter, csvReporter]) {
      let out = '';
      let writing = false;
      async function* batches() {
        for (let i = 0; i < findings.length; i += 500) yield findings.slice(i, i + 500);
      }
      await reporter.stream!(META, batches(), new AuditTally(), async (chunk) => {
        assert.equal(writing, false, `${reporter.id}: a write started before the one before it was done`);
        writing = true;
        await new Promise((resolve) => setImmediate(resolve));
        out += chunk;
        writing = false;
      });
      const whole = reporter.render(assembleAuditReport(META, findings), { color: false }) as string;
      // the streamed JSON has its keys in another order (findings first)
      if (reporter === jsonReporter) assert.deepEqual(JSON.parse(out), JSON.parse(whole));
      else assert.equal(out, whole);
    }
  });
});
