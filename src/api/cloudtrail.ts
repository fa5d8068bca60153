/**
 * `credsweep/cloudtrail`: CloudTrail evidence: scanning log files (local or S3), Athena and
 * LookupEvents, the aggregator behind them, and folding the evidence into an inventory.
 */
export {
  runAthenaTrailQuery,
  summaryFromAggregationRows,
  ATHENA_PERMISSIONS,
} from '../sources/cloudtrail/athena.ts';
export { athenaAggregationSql, athenaTrailDdl } from '../sources/cloudtrail/athena-sql.ts';
export { lookupTrailEvents, LOOKUP_EVENTS_PERMISSIONS } from '../sources/cloudtrail/lookup-events.ts';
export {
  createTrailAggregator,
  type TrailAggregator,
  type TrailAggregatorOptions,
  type TrailRecord,
} from '../sources/cloudtrail/aggregate.ts';
export { scanCloudTrail, S3_TRAIL_PERMISSIONS, type TrailScanOptions } from '../sources/cloudtrail/scan.ts';
export { foldTrailEvidence, indexTrailEvidence } from '../audit/fold-trail-evidence.ts';
export type * from '../model/trail-summary.ts';
