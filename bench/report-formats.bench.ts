/**
 * Rendering the report formats for 1 000, 10 000 and 100 000 findings in one process (seeded data, 300
 * accounts). Baseline measured in the same run: the JSON envelope (JSON.stringify, the floor for any
 * format). The HTML report also compiles and renders its Vega-Lite charts to SVG.
 */
import { assembleAuditReport } from '../src/audit/audit-report.ts';
import type { AuditReport, Finding } from '../src/model/finding.ts';
import { REPORTERS } from '../src/reporters/index.ts';
import type { Benchmark } from './run.ts';

const STATUSES = ['unused', 'in_use', 'in_use', 'inactive', 'unverified', 'no_credentials'] as const;
const KINDS = ['password', 'access_key_1', 'access_key_2', 'cert_1', 'none'] as const;

/** A deterministic report: the same findings on every run (linear congruential generator). */
export function seededReport(count: number, seed = 20261123): AuditReport {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const findings: Finding[] = Array.from({ length: count }, (_, i) => {
    const accountId = String(100000000000 + Math.floor(next() * 300));
    const ageDays = Math.floor(next() ** 2 * 3000);
    const status = STATUSES[Math.floor(next() * STATUSES.length)]!;
    return {
      accountId,
      principalType: 'user',
      principalName: `user-${i}`,
      arn: `arn:aws:iam::${accountId}:user/team-${i % 40}/user-${i}`,
      credential: KINDS[Math.floor(next() * KINDS.length)]!,
      status,
      lastUsed: null,
      lastActivity: new Date(Date.UTC(2026, 10, 1) - ageDays * 86_400_000)
        .toISOString()
        .replace('.000Z', 'Z'),
      lastActivitySource: 'last_used',
      ageDays,
      neverUsed: next() < 0.2,
      caveats: [],
      reason: `credential last used ${ageDays} days ago (threshold 90)`,
    };
  });
  return assembleAuditReport(
    { generatedAt: Date.UTC(2026, 10, 1), asOf: Date.UTC(2026, 10, 1), thresholdDays: 90 },
    findings,
  );
}

async function timeRender(format: string, report: AuditReport): Promise<{ ms: number; bytes: number }> {
  const reporter = REPORTERS[format]!;
  const start = performance.now();
  const text = await reporter.render(report, { color: false });
  return { ms: performance.now() - start, bytes: Buffer.byteLength(text) };
}

export const reportFormatsBench: Benchmark = {
  name: 'report-formats',
  description: 'render html, md, asff and ocsf for 1 000 / 10 000 / 100 000 findings against JSON',
  async run() {
    await timeRender('html', seededReport(100)); // warm-up: loads Vega once
    console.log('| findings | format | ms | × JSON | output MB |');
    console.log('|---:|---|---:|---:|---:|');
    for (const count of [1_000, 10_000, 100_000]) {
      const report = seededReport(count);
      const json = await timeRender('json', report);
      console.log(
        `| ${count} | json (baseline) | ${json.ms.toFixed(0)} | 1.0 | ${(json.bytes / 1e6).toFixed(1)} |`,
      );
      for (const format of ['html', 'md', 'asff', 'ocsf']) {
        const r = await timeRender(format, report);
        console.log(
          `| ${count} | ${format} | ${r.ms.toFixed(0)} | ${(r.ms / json.ms).toFixed(1)} | ${(r.bytes / 1e6).toFixed(1)} |`,
        );
      }
    }
  },
};
