/**
 * The least-privilege IAM policy for credsweep's evidence commands (`permissions`, `trail --lookup`,
 * `trail --athena`, `--access-analyzer`), built from the permissions those sources declare next to their AWS calls, so the
 * shipped policies/evidence-policy.json cannot drift from the code (a test regenerates and compares;
 * `node --import tsx scripts/write-evidence-policy.ts` rewrites it).
 *
 * The S3 statements name placeholder buckets: replace TRAIL_BUCKET and ATHENA_RESULTS_BUCKET.
 */
import {
  ATHENA_QUERY_PERMISSIONS,
  ATHENA_RESULTS_PERMISSIONS,
  ATHENA_TRAIL_BUCKET_PERMISSIONS,
} from '../sources/cloudtrail/athena.ts';
import { FIND_ANALYZER_PERMISSIONS } from '../sources/access-analyzer/find-analyzer.ts';
import { FINDING_RECOMMENDATION_PERMISSIONS } from '../sources/access-analyzer/finding-recommendation.ts';
import { UNUSED_ACCESS_FINDING_PERMISSIONS } from '../sources/access-analyzer/unused-access-findings.ts';
import { LAST_ACCESSED_PERMISSIONS } from '../sources/access-advisor/last-accessed.ts';
import { PRINCIPAL_PERMISSIONS } from '../sources/access-advisor/principals.ts';
import { LOOKUP_EVENTS_PERMISSIONS } from '../sources/cloudtrail/lookup-events.ts';
import { S3_TRAIL_PERMISSIONS } from '../sources/cloudtrail/s3-location.ts';

export interface EvidencePolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
}

export interface EvidencePolicyDocument {
  Version: '2012-10-17';
  Statement: EvidencePolicyStatement[];
}

const sorted = (actions: readonly string[]) => [...new Set(actions)].sort();

export function evidencePolicy(): EvidencePolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'CredsweepAccessAdvisor',
        Effect: 'Allow',
        Action: sorted([...PRINCIPAL_PERMISSIONS, ...LAST_ACCESSED_PERMISSIONS]),
        Resource: '*',
      },
      {
        // `audit --access-analyzer` and `permissions --access-analyzer` (its recommendations with
        // --suggest-policy), with the caller's credentials
        Sid: 'CredsweepAccessAnalyzerFindings',
        Effect: 'Allow',
        Action: sorted([
          ...FIND_ANALYZER_PERMISSIONS,
          ...UNUSED_ACCESS_FINDING_PERMISSIONS,
          ...FINDING_RECOMMENDATION_PERMISSIONS,
        ]),
        Resource: '*',
      },
      {
        Sid: 'CredsweepCloudTrailLookup',
        Effect: 'Allow',
        Action: sorted(LOOKUP_EVENTS_PERMISSIONS),
        Resource: '*',
      },
      {
        Sid: 'CredsweepAthenaQuery',
        Effect: 'Allow',
        Action: sorted(ATHENA_QUERY_PERMISSIONS),
        Resource: '*',
      },
      {
        // The trail bucket, read by `trail s3://…` and `audit --cloudtrail s3://…` (the file scan:
        // ListBucket, GetObject) and by Athena as the caller (GetBucketLocation too)
        Sid: 'CredsweepReadTrailBucket',
        Effect: 'Allow',
        Action: sorted([...ATHENA_TRAIL_BUCKET_PERMISSIONS, ...S3_TRAIL_PERMISSIONS]),
        Resource: ['arn:aws:s3:::TRAIL_BUCKET', 'arn:aws:s3:::TRAIL_BUCKET/*'],
      },
      {
        Sid: 'CredsweepAthenaResults',
        Effect: 'Allow',
        Action: sorted(ATHENA_RESULTS_PERMISSIONS),
        Resource: ['arn:aws:s3:::ATHENA_RESULTS_BUCKET', 'arn:aws:s3:::ATHENA_RESULTS_BUCKET/*'],
      },
    ],
  };
}
