/**
 * What an `s3://bucket/prefix` path means and how to reach it, without the SDK: the scan decides
 * from these whether to load the S3 client at all (s3.ts), which a local scan never does.
 */
import { UsageError } from '../../errors.ts';

/** Every AWS call this source makes. */
export const S3_TRAIL_PERMISSIONS = ['s3:ListBucket', 's3:GetObject'] as const;

/** Where and as whom; plain data, so worker threads can build their own client from it. */
export interface S3Connection {
  region?: string;
  endpointUrl?: string;
  profile?: string;
}

export function isS3Url(path: string): boolean {
  return /^s3:\/\//i.test(path);
}

export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(url);
  if (!m || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(m[1]!)) {
    throw new UsageError(`'${url}' is not an s3://bucket/prefix URL`);
  }
  return { bucket: m[1]!, prefix: m[2]! };
}
