/**
 * What a CloudTrail scan learns (from log files, S3, Athena or LookupEvents): the `credsweep trail`
 * JSON output, schemaVersion 1. Every CloudTrail source produces exactly this shape.
 */
export interface TrailBadFile {
  path: string;
  error: string;
}

export interface TrailAccessKeyUse {
  accessKeyId: string;
  principalArn: string | null;
  /** ISO-8601 UTC with Z. */
  firstSeen: string;
  lastSeen: string;
  events: number;
  sourceIps: { count: number; top: string[] };
  /** Distinct eventSource values, sorted. */
  services: string[];
  /** Distinct awsRegion values, sorted. */
  regions: string[];
  lastEventName: string;
}

export interface TrailRoleAssumption {
  roleArn: string;
  lastAssumed: string;
  lastAssumedBy: string | null;
  lastSourceIp: string | null;
  assumeEvents: number;
}

export interface TrailConsoleLogins {
  principalArn: string;
  lastSuccess: string | null;
  successes: number;
  failures: number;
}

export interface TrailSummary {
  schemaVersion: 1;
  files: { scanned: number; bad: TrailBadFile[] };
  records: number;
  accessKeys: TrailAccessKeyUse[];
  roles: TrailRoleAssumption[];
  consoleLogins: TrailConsoleLogins[];
}
