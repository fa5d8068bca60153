/**
 * The one redaction: anything shaped like an AWS secret removed from text that came from AWS, an SDK
 * or a proxy before it is printed or stored. AWS's own error messages hold no secrets, but an SDK or a
 * proxy error may echo the request (an endpoint that answers GetObject with its `x-amz-security-token`
 * header put the session token into `trail`'s output and `files.bad`). Applied by `classifyAwsError`
 * (every AWS failure turned into `{code, message}`), by `AwsAccessError` (every AWS failure credsweep
 * raises) and by the CLI's last-resort error line; a URL's user info also where credsweep quotes an
 * endpoint URL back. Pure, no dependencies, so src/errors.ts can use it.
 */

// 40-character secret access keys, long base64 session tokens, 64-hex signatures.
const SECRET_SHAPED = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40,}(?![A-Za-z0-9/+=])/g;
// `SecretAccessKey=…`, `"SessionToken": "…"`, `X-Amz-Security-Token: …`, `X-Amz-Signature=…` (URL or header).
const SECRET_ASSIGNMENT =
  /(secret[_-]?access[_-]?key|session[_-]?token|security[_-]?token|x-amz-signature|signature)(["']?\s*[:=]\s*["']?)[^\s"',;&<]+/gi;

// The user info of a URL (`http://user:password@host`): up to the authority's last `@`, as URL parsers
// read it (a password may hold a raw `@`). An endpoint URL given with a password must not print it.
// A double quote or an angle bracket ends it too (no URL holds one unencoded): in JSON text
// (`"http://host","owner":"a@b"`) the next field's `@` is not this URL's. Commas and single quotes
// may stand in a password unencoded (RFC 3986 sub-delims), so they do not.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"<>]*(?:@[^\s/?#@"<>]*)*@/gi;

export function redactSecrets(text: string): string {
  return redactUrlUserinfo(text)
    .replace(SECRET_ASSIGNMENT, '$1$2[redacted]')
    .replace(SECRET_SHAPED, '[redacted]');
}

/** `http://u:secret@host/` → `http://[redacted]@host/`: also for URLs too malformed to parse. */
export function redactUrlUserinfo(text: string): string {
  return text.replace(URL_USERINFO, '$1[redacted]@');
}
