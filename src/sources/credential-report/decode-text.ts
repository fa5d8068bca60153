/**
 * Bytes of a credential report to text, chunk by chunk. UTF-8 unless the file starts with a UTF-16
 * byte-order mark, little-endian (spreadsheet "Unicode text" exports) or big-endian; a UTF-8 BOM is
 * dropped; invalid UTF-8 becomes U+FFFD (the audit then names the user as it reads, not as AWS stored it).
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

const UTF16LE_BOM = [0xff, 0xfe] as const;
const UTF16BE_BOM = [0xfe, 0xff] as const;

interface TextDecoding {
  write(bytes: Buffer): string;
  end(): string;
}

/**
 * UTF-16BE through Node's UTF-16LE decoder, each byte pair swapped (StringDecoder has no big-endian);
 * an odd byte waits for the next chunk, and one left at the end is U+FFFD.
 */
function utf16BeDecoding(): TextDecoding {
  const le = new StringDecoder('utf16le');
  let odd: number | undefined;
  return {
    write(bytes) {
      const joined = odd === undefined ? bytes : Buffer.concat([Buffer.of(odd), bytes]);
      const even = joined.length & ~1;
      odd = even < joined.length ? joined[even] : undefined;
      return le.write(Buffer.from(joined.subarray(0, even)).swap16());
    },
    end() {
      return le.end() + (odd === undefined ? '' : '\ufffd');
    },
  };
}

/** Yields the input's text; a multi-byte character split across chunks is joined, never mangled. */
export async function* decodeReportText(input: Readable): AsyncGenerator<string> {
  let decoder: TextDecoding | undefined;
  let head: Buffer | undefined;
  let first = true;
  const emit = (bytes: Buffer): string => {
    const text = decoder!.write(bytes);
    if (first && text.length > 0) {
      first = false;
      return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    }
    return text;
  };
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    let bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (decoder === undefined) {
      // The byte-order mark needs two bytes; a first chunk of one byte waits for the next.
      bytes = head ? Buffer.concat([head, bytes]) : bytes;
      if (bytes.length < 2) {
        head = bytes;
        continue;
      }
      head = undefined;
      const le = bytes[0] === UTF16LE_BOM[0] && bytes[1] === UTF16LE_BOM[1];
      const be = bytes[0] === UTF16BE_BOM[0] && bytes[1] === UTF16BE_BOM[1];
      decoder = be ? utf16BeDecoding() : new StringDecoder(le ? 'utf16le' : 'utf8');
      if (le || be) bytes = bytes.subarray(2);
    }
    const text = emit(bytes);
    if (text.length > 0) yield text;
  }
  // A one-byte file never chose a decoder in the loop.
  decoder ??= new StringDecoder('utf8');
  const rest = (head ? emit(head) : '') + decoder.end();
  if (rest.length > 0) yield rest;
}

/** UTF-8 bytes to text as they come, with no look for a byte-order mark (the middle of a file). */
export async function* decodeUtf8(input: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (text.length > 0) yield text;
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}
