/**
 * A finding's statuses, apart from finding.ts's zod schemas so that the report audit's worker threads
 * (src/audit/report-workers/) can count findings without loading zod (~0.1 s CPU and ~14 MB RSS a
 * thread). finding.ts re-exports them.
 */
export const FINDING_STATUSES = [
  'unused',
  'in_use',
  'inactive',
  'unverified',
  'no_credentials',
  'exempt',
  'service_linked',
] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export function emptySummary(): Record<FindingStatus, number> {
  return Object.fromEntries(FINDING_STATUSES.map((s) => [s, 0])) as Record<FindingStatus, number>;
}
