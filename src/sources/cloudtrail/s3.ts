/**
 * CloudTrail files in S3: `s3://bucket/prefix` listed with ListObjectsV2 (date folders outside
 * --since/--until pruned level by level, digest and insight folders skipped, locate.ts rules) and
 * read with GetObject, streamed.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { fromIni } from '@aws-sdk/credential-providers';
import { DEFAULT_REGION, maxAttempts } from '../../aws/clients.ts';
import { classifyAwsError } from '../../aws/classify-error.ts';
import { nameFailedCalls } from '../../aws/failed-call.ts';
import { AwsAccessError } from '../../errors.ts';
import { parseS3Url, type S3Connection } from './s3-location.ts';
import { isOutsideWindow, isTrailFileName, SKIPPED_FOLDERS, type TrailWindow } from './locate.ts';
import type { TrailObject } from './read-object.ts';

export { isS3Url, parseS3Url, S3_TRAIL_PERMISSIONS, type S3Connection } from './s3-location.ts';

export function createS3Client(connection: S3Connection): S3Client {
  return nameFailedCalls(
    new S3Client({
      region: connection.region ?? DEFAULT_REGION,
      retryMode: 'adaptive',
      maxAttempts: maxAttempts(),
      // a trail bucket often lives in another Region than the one configured
      followRegionRedirects: true,
      ...(connection.endpointUrl ? { endpoint: connection.endpointUrl, forcePathStyle: true } : {}),
      ...(connection.profile ? { credentials: fromIni({ profile: connection.profile }) } : {}),
    }),
  );
}

function wanted(key: string): boolean {
  const segments = key.split('/');
  return isTrailFileName(segments[segments.length - 1]!) && !segments.some((s) => SKIPPED_FOLDERS.has(s));
}

/** The trail objects under `s3://bucket/prefix`, in key order. */
export async function listS3TrailObjects(
  client: S3Client,
  url: string,
  window: TrailWindow,
): Promise<TrailObject[]> {
  const { bucket, prefix } = parseS3Url(url);
  const keys: string[] = [];
  try {
    if (window.since === undefined && window.until === undefined) {
      await listLevel(client, bucket, prefix, undefined, keys, window);
    } else {
      await listLevel(client, bucket, prefix, '/', keys, window);
    }
  } catch (e) {
    const { code, message } = classifyAwsError(e);
    throw new AwsAccessError(`s3://${bucket}/${prefix}: ${message}`, code);
  }
  return keys.sort().map((key) => ({ kind: 's3', bucket, key }));
}

/** Folder listings in flight at once: an organisation bucket has a folder per account, Region and day. */
const LIST_CONCURRENCY = 16;

/** Lists `root` and, with a delimiter, every folder under it that the window needs, in parallel. */
function listLevel(
  client: S3Client,
  bucket: string,
  root: string,
  delimiter: '/' | undefined,
  keys: string[],
  window: TrailWindow,
): Promise<void> {
  const queue = [root];
  let active = 0;
  return new Promise((resolve, reject) => {
    let failed = false;
    const pump = () => {
      if (failed) return;
      if (queue.length === 0 && active === 0) return resolve();
      while (active < LIST_CONCURRENCY && queue.length > 0) {
        const prefix = queue.shift()!;
        active++;
        listFolder(client, bucket, prefix, delimiter, keys).then(
          (folders) => {
            active--;
            for (const folder of folders) {
              const segments = folder.replace(/\/$/, '').split('/');
              if (SKIPPED_FOLDERS.has(segments[segments.length - 1]!)) continue;
              if (isOutsideWindow(segments, window)) continue;
              queue.push(folder);
            }
            pump();
          },
          (e) => {
            failed = true;
            reject(e);
          },
        );
      }
    };
    pump();
  });
}

/** One prefix, every page: its keys go to `keys`, its sub-folders are returned. */
async function listFolder(
  client: S3Client,
  bucket: string,
  prefix: string,
  delimiter: '/' | undefined,
  keys: string[],
): Promise<string[]> {
  let token: string | undefined;
  const folders: string[] = [];
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ContinuationToken: token,
        ...(delimiter ? { Delimiter: delimiter } : {}),
      }),
    );
    for (const o of page.Contents ?? []) if (o.Key && wanted(o.Key)) keys.push(o.Key);
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) folders.push(p.Prefix);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return folders;
}

/** Streams an object's bytes (GetObject). */
export function s3ObjectReader(client: S3Client) {
  return async (bucket: string, key: string): Promise<AsyncIterable<Uint8Array>> => {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!out.Body) throw Object.assign(new Error('empty body'), { $metadata: out.$metadata });
    return out.Body as AsyncIterable<Uint8Array>;
  };
}
