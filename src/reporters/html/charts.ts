/**
 * The HTML report's charts: Vega-Lite specs compiled and rendered to SVG strings here in Node, so the
 * page needs no script, library or network to show them. Vega escapes every text it writes into
 * the SVG (axis labels carry account ids, which come from AWS).
 */
import type { Loader } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import type { AuditReport, Finding } from '../../model/finding.ts';
import { findingNoun } from '../finding-facts.ts';
import type { TrendPoint } from '../reporter.ts';

export const STATUS_COLORS = {
  unused: '#c62828',
  in_use: '#2e7d32',
  other: '#9e9e9e',
} as const;

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

const CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelColor: '#444', titleColor: '#444', gridColor: '#eee', domainColor: '#bbb', tickColor: '#bbb' },
  legend: { labelColor: '#444', titleColor: '#444', orient: 'top', labelLimit: 260 },
} as const;

/** Refuses every load: the charts only ever use inline data, and rendering must never touch the network. */
const NO_NETWORK_LOADER = {
  load: () => Promise.reject(new Error('credsweep charts use inline data only')),
  sanitize: () => Promise.reject(new Error('credsweep charts use inline data only')),
  http: () => Promise.reject(new Error('no network')),
  file: () => Promise.reject(new Error('no files')),
};

/** Loaded on first use: every CLI command would otherwise pay for parsing Vega at start-up. */
async function loadVega() {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  return { vega, vl };
}

export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const { vega, vl } = await loadVega();
  const compiled = vl.compile({ ...spec, config: CONFIG } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), {
    renderer: 'none',
    loader: NO_NETWORK_LOADER as unknown as Loader,
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

type AgeGroup = 'unused' | 'in use' | 'inactive, unverified, other';

function ageGroup(f: Finding): AgeGroup {
  if (f.status === 'unused') return 'unused';
  if (f.status === 'in_use') return 'in use';
  return 'inactive, unverified, other';
}

/**
 * The histogram's x range: wide enough to show the threshold with room on both sides; older
 * credentials pile into one overflow bar so a single 4,700-day-old password cannot squash the rest.
 */
export function ageAxis(thresholdDays: number): { cap: number; step: number } {
  const step = Math.max(5, Math.ceil(Math.max(thresholdDays * 4, 120) / 24 / 5) * 5);
  return { cap: step * 24, step };
}

export function credentialAgeSpec(report: AuditReport): TopLevelSpec {
  const { cap, step } = ageAxis(report.thresholdDays);
  const values = report.findings
    .filter((f) => f.credential !== 'none')
    .map((f) => ({ age: Math.min(Math.max(f.ageDays, 0), cap + step / 2), group: ageGroup(f) }));
  // The default threshold, and each per-kind one from the configuration file that differs from it.
  const rules = [
    { days: report.thresholdDays, label: `threshold ${report.thresholdDays} d`, offset: 0 },
    ...Object.entries(report.thresholds ?? {})
      .filter(([, days]) => days !== report.thresholdDays)
      .map(([kind, days], i) => ({
        days,
        label: `${kind.replaceAll('_', ' ')} ${days} d`,
        offset: 14 * (i + 1),
      })),
  ].map((r) => ({ ...r, days: Math.min(r.days, cap + step) }));
  return {
    width: 520,
    height: 220,
    data: { values },
    layer: [
      {
        mark: { type: 'bar', binSpacing: 1 },
        encoding: {
          x: {
            field: 'age',
            type: 'quantitative',
            bin: { extent: [0, cap + step], step },
            title: `days since last activity (last bar: ${cap} or more)`,
          },
          y: { aggregate: 'count', type: 'quantitative', title: `${findingNoun(report)}s` },
          color: {
            field: 'group',
            type: 'nominal',
            title: null,
            scale: {
              domain: ['unused', 'in use', 'inactive, unverified, other'],
              range: [STATUS_COLORS.unused, STATUS_COLORS.in_use, STATUS_COLORS.other],
            },
          },
        },
      },
      // One datum per threshold, so each rule and its label are drawn once (not once per finding).
      {
        data: { values: rules },
        mark: { type: 'rule', color: '#111', strokeDash: [5, 3], strokeWidth: 1.5 },
        encoding: { x: { field: 'days', type: 'quantitative' } },
      },
      {
        data: { values: rules },
        mark: {
          type: 'text',
          align: 'left',
          baseline: 'top',
          dx: 4,
          dy: 2,
          color: '#111',
          fontWeight: 'bold',
        },
        encoding: {
          x: { field: 'days', type: 'quantitative' },
          y: { field: 'offset', type: 'quantitative', scale: null },
          text: { field: 'label', type: 'nominal' },
        },
      },
    ],
  } as TopLevelSpec;
}

/** At most this many accounts are drawn; the cards and table still list every account. */
export const ACCOUNT_CHART_LIMIT = 25;

export function unusedPerAccountSpec(report: AuditReport): TopLevelSpec {
  // A failed account has no findings: drawing it as 0 would read as clean. The failure notice names it.
  const counts = new Map<string, number>();
  for (const a of report.accounts) if (a.status !== 'failed') counts.set(a.accountId, 0);
  for (const f of report.findings) {
    counts.set(f.accountId, (counts.get(f.accountId) ?? 0) + (f.status === 'unused' ? 1 : 0));
  }
  const values = [...counts]
    .map(([account, unused]) => ({ account, unused }))
    .sort((a, b) => b.unused - a.unused || a.account.localeCompare(b.account))
    .slice(0, ACCOUNT_CHART_LIMIT);
  return {
    width: 360,
    height: { step: 22 },
    data: { values },
    encoding: {
      y: { field: 'account', type: 'nominal', sort: null, title: null, axis: { labelLimit: 160 } },
      x: {
        field: 'unused',
        type: 'quantitative',
        title: `unused ${findingNoun(report)}s`,
        axis: { tickMinStep: 1 },
      },
    },
    layer: [
      { mark: { type: 'bar', color: STATUS_COLORS.unused } },
      {
        mark: { type: 'text', align: 'left', dx: 3, color: '#333' },
        encoding: { text: { field: 'unused', type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}

export function unusedTrendSpec(trend: readonly TrendPoint[]): TopLevelSpec {
  return {
    width: 520,
    height: 180,
    data: { values: trend.map((p) => ({ runAt: p.runAt, unused: p.unused })) },
    mark: { type: 'line', point: { color: STATUS_COLORS.unused }, color: STATUS_COLORS.unused },
    encoding: {
      x: { field: 'runAt', type: 'temporal', title: 'run' },
      y: { field: 'unused', type: 'quantitative', title: 'unused credentials', axis: { tickMinStep: 1 } },
    },
  } as TopLevelSpec;
}
