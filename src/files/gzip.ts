/**
 * Whether bytes are gzip, by its magic number (RFC 1952: 1f 8b), never by a file's name: CloudTrail
 * delivers `.json.gz`, and a credential report may arrive compressed under any name.
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}
