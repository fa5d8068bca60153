/**
 * One trail object (a local file or an S3 object) through gunzip (when it is gzip) and the scanner,
 * into a fresh aggregator: a file either counts whole or is reported bad with its error, never half.
 *
 * Two ways through, the same result: an object that is small once inflated (CloudTrail writes one
 * file per account, Region and ~5 minutes: typically well under a few MB) is read whole, inflated
 * in one zlib call and scanned in one pass, which avoids the per-chunk cost of streams (about half
 * a second per GB here); a larger one is streamed, so memory stays one chunk plus one record.
 */
import { isGzip } from '../../files/gzip.ts';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import { classifyAwsError } from '../../aws/classify-error.ts';
import { readFailure } from '../../files/read-whole.ts';
import { createTrailAggregator, type TrailAggregator, type TrailAggregatorOptions } from './aggregate.ts';
import { aggregatingHandler } from './extract-record.ts';
import { CloudTrailJsonScanner, JsonScanError } from './scan-json.ts';

/** Where one trail file lives; plain data, so it can be posted to a worker thread. */
export type TrailObject = { kind: 'file'; path: string } | { kind: 's3'; bucket: string; key: string };

export function describeTrailObject(o: TrailObject): string {
  return o.kind === 'file' ? o.path : `s3://${o.bucket}/${o.key}`;
}

const READ_CHUNK = 1 << 18;
const GUNZIP_CHUNK = 1 << 17;
/**
 * Objects up to this size (inflated, and as read) are handled whole. A worker inflates and scans one
 * at a time (the object, its inflated bytes and their copy in the scanner) while the next ones are
 * read (scan.ts IN_FLIGHT_*), which keeps the process well under 256 MB.
 */
export const WHOLE_OBJECT_BYTES = 16 * 1024 * 1024;
/**
 * An S3 object is downloaded whole (then handled like a small file) only up to this many bytes as
 * stored: a worker downloads several at once (scan.ts), and CloudTrail's gzip files are far smaller.
 */
export const S3_WHOLE_OBJECT_BYTES = 4 * 1024 * 1024;

/**
 * A gzip object stops being read once it has inflated to this many bytes: a small file that inflates
 * without end (a zip bomb) is reported bad instead of keeping a worker busy for ever. CloudTrail's
 * own files are far smaller (one per account, Region and ~5 minutes).
 */
export const DEFAULT_MAX_INFLATED_BYTES = 1024 * 1024 * 1024;

export class InflateLimitError extends Error {
  constructor(readonly limit: number) {
    super(`inflates past the ${formatBytes(limit)} limit (a zip bomb?); stopped reading`);
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / 1024 / 1024) * 10) / 10} MiB` : `${n} bytes`;
}

/** How one object is read: the aggregator's options plus the inflation cap. */
export interface TrailReadOptions extends TrailAggregatorOptions {
  /** Default DEFAULT_MAX_INFLATED_BYTES. */
  maxInflatedBytes?: number;
}

/**
 * Feeds chunks to a scanner, carrying the bytes of an unfinished record into the next chunk. The
 * carried bytes and the next chunk are joined in one reused buffer, so the steady state allocates
 * nothing per chunk (fewer short-lived buffers: a flatter memory profile).
 */
export async function scanChunks(
  chunks: AsyncIterable<Uint8Array>,
  scanner: CloudTrailJsonScanner,
): Promise<void> {
  let work = Buffer.allocUnsafe(0);
  let carried = 0;
  for await (const chunk of chunks) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let buf: Buffer;
    const usingWork = carried > 0;
    if (!usingWork) {
      buf = b;
    } else {
      const need = carried + b.length;
      if (work.length < need) {
        const bigger = Buffer.allocUnsafe(Math.max(need, work.length * 2));
        work.copy(bigger, 0, 0, carried);
        work = bigger;
      }
      b.copy(work, carried);
      buf = work.subarray(0, need);
    }
    const used = scanner.scan(buf, false);
    const left = buf.length - used;
    if (left > 0) {
      if (usingWork) {
        work.copyWithin(0, used, buf.length); // overlapping move to the front
      } else {
        if (work.length < left) work = Buffer.allocUnsafe(Math.max(left, 2 * GUNZIP_CHUNK));
        buf.copy(work, 0, used);
      }
    }
    carried = left;
  }
  scanner.scan(work.subarray(0, carried), true);
}

/**
 * The decompressed bytes of `source`: gunzipped when it starts with the gzip magic, else as is.
 * Throws InflateLimitError once the gunzipped bytes pass `maxInflatedBytes`.
 */
export async function* decompressed(
  source: AsyncIterable<Uint8Array>,
  maxInflatedBytes: number = DEFAULT_MAX_INFLATED_BYTES,
): AsyncGenerator<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await it.next();
    if (next.done) {
      if (head.length > 0) yield head;
      return;
    }
    head = head.length === 0 ? Buffer.from(next.value) : Buffer.concat([head, next.value]);
  }
  async function* rest(): AsyncGenerator<Uint8Array> {
    yield head;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  }
  if (!isGzip(head)) {
    yield* rest();
    return;
  }
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK });
  const feeding = pipeline(Readable.from(rest(), { objectMode: false }), gunzip);
  feeding.catch(() => {}); // its error also surfaces on gunzip, read below
  let inflated = 0;
  for await (const chunk of gunzip) {
    inflated += (chunk as Buffer).length;
    if (inflated > maxInflatedBytes) {
      gunzip.destroy();
      throw new InflateLimitError(maxInflatedBytes);
    }
    yield chunk as Buffer;
  }
  await feeding;
}

export interface ObjectOpener {
  /** The raw bytes of an S3 object (s3.ts); absent when only local files are scanned. */
  s3?: (bucket: string, key: string) => Promise<AsyncIterable<Uint8Array>>;
}

/**
 * Scans one object into its own aggregator. Returns the aggregator, or the error that makes the
 * object bad (truncated or corrupt gzip, invalid JSON, not CloudTrail, unreadable). Other errors
 * are bugs and are thrown.
 */
export async function scanTrailObject(
  object: TrailObject,
  options: TrailReadOptions,
  opener: ObjectOpener = {},
): Promise<{ aggregator: TrailAggregator } | { error: string }> {
  const aggregator = createTrailAggregator(options);
  const scanner = new CloudTrailJsonScanner(
    aggregatingHandler(aggregator, {
      includeTemporary: options.includeTemporary ?? false,
      windowed: options.since !== undefined || options.until !== undefined,
    }),
  );
  const maxInflated = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  try {
    let raw: Buffer | AsyncIterable<Uint8Array>;
    if (object.kind === 'file') {
      const info = await stat(object.path);
      // Only a regular file's size is its length: a FIFO's (`<(zcat …)`) is 0 whatever it holds, so
      // it is streamed; a device is no trail file (/dev/zero would be read for ever).
      if (!info.isFile() && !info.isFIFO()) {
        return { error: info.isDirectory() ? 'is a folder' : 'is a device or socket, not a file' };
      }
      raw =
        info.isFile() && info.size <= WHOLE_OBJECT_BYTES
          ? await readFile(object.path)
          : createReadStream(object.path, { highWaterMark: READ_CHUNK });
    } else {
      if (!opener.s3) throw new Error('no S3 client for an s3:// object');
      raw = await readUpTo(await opener.s3(object.bucket, object.key), S3_WHOLE_OBJECT_BYTES);
    }
    const whole = Buffer.isBuffer(raw) ? inflateWhole(raw, maxInflated) : undefined;
    if (whole) scanner.scan(whole, true);
    else {
      const source = Buffer.isBuffer(raw) ? Readable.from([raw], { objectMode: false }) : raw;
      await scanChunks(decompressed(source, maxInflated), scanner);
    }
    return { aggregator };
  } catch (e) {
    const error = describeObjectError(e);
    if (error === null) throw e;
    return { error };
  }
}

/**
 * The object's bytes inflated in one call when they fit in WHOLE_OBJECT_BYTES (the bytes themselves
 * when not gzip); undefined when they inflate to more, so the caller streams them instead. Throws
 * InflateLimitError past `maxInflated`, and zlib's error for a corrupt or truncated gzip.
 */
export function inflateWhole(raw: Buffer, maxInflated: number): Buffer | undefined {
  if (!isGzip(raw)) return raw;
  const cap = Math.min(WHOLE_OBJECT_BYTES, maxInflated);
  // zlib's output chunk sized from the gzip trailer's ISIZE (the inflated size mod 2^32, RFC 1952),
  // so that the output is one buffer, not 16 KB pieces copied together at the end. Only a hint: a
  // wrong ISIZE (several members, a forged trailer) costs speed, and maxOutputLength is the limit.
  const size = raw.length >= 18 ? raw.readUInt32LE(raw.length - 4) : 0;
  const chunkSize = Math.max(64 * 1024, Math.min(size + 1, cap + 1));
  try {
    return gunzipSync(raw, { maxOutputLength: cap, chunkSize });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw e;
    if (cap >= maxInflated) throw new InflateLimitError(maxInflated);
    return undefined;
  }
}

/**
 * The whole body when it ends within `limit` bytes; otherwise an iterable of everything (what was
 * read, then the rest), to be streamed.
 */
async function readUpTo(
  body: AsyncIterable<Uint8Array>,
  limit: number,
): Promise<Buffer | AsyncIterable<Uint8Array>> {
  const it = body[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await it.next();
    if (next.done) return Buffer.concat(head, size);
    head.push(next.value);
    size += next.value.length;
    if (size > limit) break;
  }
  return (async function* () {
    yield* head;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  })();
}

/** A one-line reason for a bad object, or null when the error is not about the object (a bug). */
export function describeObjectError(e: unknown): string | null {
  if (e instanceof JsonScanError || e instanceof InflateLimitError) return e.message;
  const err = e as NodeJS.ErrnoException & { $metadata?: unknown; name?: string };
  if (typeof err?.code === 'string' && err.code.startsWith('Z_')) {
    return err.code === 'Z_BUF_ERROR' ? `truncated gzip (${err.message})` : `corrupt gzip (${err.message})`;
  }
  if (err?.code === 'ERR_STRING_TOO_LONG') return 'a value is too large';
  if (typeof err?.syscall === 'string') return `cannot read (${readFailure(err)})`;
  if (err?.$metadata !== undefined) {
    // classifyAwsError redacts: an endpoint may echo the request's x-amz-security-token.
    const { code, message } = classifyAwsError(e);
    return `S3: ${code}: ${message}`;
  }
  if (e instanceof SyntaxError) return `invalid JSON (${e.message})`;
  return null;
}
