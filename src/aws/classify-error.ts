/**
 * AWS error classification: whatever the SDK (or the network) threw → `{ code, message }` fit for
 * a report and a terminal.
 *
 *   classifyAwsError(e) → { code: 'AccessDenied', message: 'User: … is not authorized …' }
 *   redactSecrets(text) → text with anything shaped like a secret key or session token removed
 *
 * AWS error messages do not contain secrets, but an SDK or proxy error may echo a request, so every
 * message is redacted before it leaves here.
 */
import { AwsAccessError } from '../errors.ts';
import { redactSecrets } from '../redact.ts';
import { failedOperation } from './failed-call.ts';

export interface ClassifiedAwsError {
  code: string;
  message: string;
  /** Throttling or a transient network/server error (the SDK already retried it). */
  transient: boolean;
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'TimeoutError',
]);

// The one redaction lives in src/redact.ts (errors.ts needs it too); re-exported for existing callers.
export { redactSecrets };

export interface ClassifyOptions {
  /** The caller's message names the call already (`GetCallerIdentity failed: …`): not again. */
  callNamed?: boolean;
}

export function classifyAwsError(e: unknown, options: ClassifyOptions = {}): ClassifiedAwsError {
  const err = (e ?? {}) as {
    name?: string;
    code?: string;
    Code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $fault?: string;
    $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
  };
  // credsweep's own AwsAccessError carries the AWS code it stands for (NoRole, AccessDenied…): its
  // class name is no code a user can look up.
  const rawCode =
    e instanceof AwsAccessError
      ? e.awsCode
      : (err.Code ?? (err.name && err.name !== 'Error' ? err.name : undefined) ?? err.code ?? 'Error');
  // A code is a name (AccessDenied, ThrottlingException): anything else from the wire (a newline, a
  // secret-shaped string) is not passed on as one.
  let code = /^[A-Za-z0-9._:-]{1,100}$/.test(String(rawCode)) ? String(rawCode) : 'Error';
  let message = typeof err.message === 'string' && err.message !== '' ? err.message : String(e);
  const operation = options.callNamed ? undefined : failedOperation(e);
  const status = err.$metadata?.httpStatusCode ?? err.$response?.statusCode;
  const type = err.$response ? contentType(err.$response.headers) : undefined;
  if (err.$response && isNotAwsAnswer(code, message, type)) {
    // An answer that is not AWS's (a web page from a proxy or a wrong endpoint, an emulator without
    // the operation): the SDK's own message is about XML tags and a hidden field, or just "Unknown".
    code = 'UnexpectedResponse';
    const what = [status ? `HTTP ${status}` : undefined, type].filter(Boolean).join(', ');
    message = `${operation ? `${operation}: ` : ''}the endpoint's answer is not an AWS response${what ? ` (${what})` : ''}`;
  } else if ((message === 'UnknownError' || message === 'Unknown') && status) {
    // an error without a body: the query protocol says 'Unknown', the JSON ones 'UnknownError'
    message = `${operation ? `${operation}: ` : ''}HTTP ${status}`;
  }
  const transient =
    THROTTLING.has(code) || NETWORK.has(code) || err.$fault === 'server' || /socket hang up/i.test(message);
  return { code, message: redactSecrets(message.replace(/\s+/g, ' ').trim()), transient };
}

/**
 * An answer that did not come from AWS: one the SDK could not read at all, or a web page (text/html)
 * in which it found no error code. A page that does carry one is AWS's error, whatever its media type
 * says (moto labels its XML errors text/html).
 */
function isNotAwsAnswer(code: string, message: string, type: string | undefined): boolean {
  if (/Deserialization error/.test(message)) return true;
  return type === 'text/html' && (code === 'Unknown' || code === 'UnknownError' || code === 'Error');
}

/** The media type of a response (`text/html`), without its parameters; undefined if none or odd. */
function contentType(headers: Record<string, string | undefined> | undefined): string | undefined {
  const value = headers?.['content-type'] ?? headers?.['Content-Type'];
  const type = value?.split(';')[0]?.trim().toLowerCase();
  return type && /^[a-z0-9.+-]{1,40}\/[a-z0-9.+-]{1,60}$/.test(type) ? type : undefined;
}
