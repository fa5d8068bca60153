/**
 * The look at a report's start (src/sources/credential-report/check-start.ts) and its decoding
 * (decode-text.ts): a gzip-compressed report is inflated as it streams, UTF-16 big-endian with its
 * byte-order mark is decoded like little-endian, and UTF-16 without a mark is one clear line; each
 * read gives the rows the plain UTF-8 report gives.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { InputError } from '../../../src/errors.ts';
import { checkReportStart } from '../../../src/sources/credential-report/check-start.ts';
import { parseCredentialReport } from '../../../src/sources/credential-report/parse-csv.ts';
import { DEMO_REPORT, REPO_ROOT } from '../../helpers/cli.ts';

const DEMO = readFileSync(join(REPO_ROOT, DEMO_REPORT), 'utf8');

/** The bytes in chunks of `size` (a BOM or a character split across chunks must not matter). */
function chunked(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks, { objectMode: false });
}

async function rowsOf(bytes: Buffer, size = 1 << 16) {
  const rows = [];
  for await (const row of parseCredentialReport(
    await checkReportStart(chunked(bytes, size), 'r.csv'),
    'r.csv',
  ))
    rows.push(row);
  return rows;
}

const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();

describe('checkReportStart and decodeReportText: the encodings a report arrives in', () => {
  it('a gzip-compressed report reads as the report, whole or in small chunks', async () => {
    const expected = await rowsOf(Buffer.from(DEMO));
    assert.ok(expected.length > 10);
    const gz = gzipSync(DEMO);
    assert.deepEqual(await rowsOf(gz), expected);
    assert.deepEqual(await rowsOf(gz, 7), expected);
  });

  it('UTF-16BE with its byte-order mark reads as the report (odd chunk sizes split the pairs)', async () => {
    const expected = await rowsOf(Buffer.from(DEMO));
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(DEMO)]);
    assert.deepEqual(await rowsOf(be), expected);
    assert.deepEqual(await rowsOf(be, 3), expected);
    assert.deepEqual(await rowsOf(gzipSync(be)), expected, 'gzip of UTF-16BE');
  });

  for (const [name, bytes] of [
    ['UTF-16LE', Buffer.from(DEMO, 'utf16le')],
    ['UTF-16BE', utf16be(DEMO)],
  ] as const) {
    it(`${name} without a byte-order mark is one line at line 1 saying so (it was "missing columns")`, async () => {
      await assert.rejects(
        rowsOf(bytes),
        (e) =>
          e instanceof InputError &&
          e.location === 'r.csv:1' &&
          e.message ===
            `this is ${name} text without a byte-order mark, not UTF-8: save it as UTF-8 (or UTF-16 with its byte-order mark)`,
      );
    });
  }

  it('a truncated or corrupt gzip is an InputError, at the start or mid-stream', async () => {
    const gz = gzipSync(DEMO);
    for (const bad of [gz.subarray(0, 300), Buffer.from([0x1f, 0x8b, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63])]) {
      await assert.rejects(
        rowsOf(bad),
        (e) => e instanceof InputError && /^corrupt or truncated gzip \(/.test(e.message),
      );
    }
  });
});
