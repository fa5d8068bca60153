/**
 * Bytes of a credential report to text, chunk by chunk. UTF-8 unless the file starts with the UTF-16
 * little-endian byte-order mark (spreadsheet "Unicode text" exports); a UTF-8 BOM is dropped; invalid
 * UTF-8 becomes U+FFFD (the audit then names the user as it reads, not as AWS stored it).
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

const UTF16LE_BOM = [0xff, 0xfe] as const;

/** Yields the input's text; a multi-byte character split across chunks is joined, never mangled. */
export async function* decodeReportText(input: Readable): AsyncGenerator<string> {
  let decoder: StringDecoder | undefined;
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
      const utf16 = bytes[0] === UTF16LE_BOM[0] && bytes[1] === UTF16LE_BOM[1];
      decoder = new StringDecoder(utf16 ? 'utf16le' : 'utf8');
      if (utf16) bytes = bytes.subarray(2);
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
