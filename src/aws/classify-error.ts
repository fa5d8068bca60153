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

// 40-character secret access keys and long base64 session tokens.
const SECRET_SHAPED = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40,}(?![A-Za-z0-9/+=])/g;
const SECRET_ASSIGNMENT =
  /(secret[_-]?access[_-]?key|session[_-]?token|x-amz-security-token)(["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi;

export function redactSecrets(text: string): string {
  return text.replace(SECRET_ASSIGNMENT, '$1$2[redacted]').replace(SECRET_SHAPED, '[redacted]');
}

export function classifyAwsError(e: unknown): ClassifiedAwsError {
  const err = (e ?? {}) as {
    name?: string;
    code?: string;
    Code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $fault?: string;
  };
  const rawCode =
    err.Code ?? (err.name && err.name !== 'Error' ? err.name : undefined) ?? err.code ?? 'Error';
  const code = String(rawCode);
  let message = typeof err.message === 'string' && err.message !== '' ? err.message : String(e);
  if (message === 'UnknownError' && err.$metadata?.httpStatusCode) {
    message = `HTTP ${err.$metadata.httpStatusCode}`;
  }
  const transient =
    THROTTLING.has(code) || NETWORK.has(code) || err.$fault === 'server' || /socket hang up/i.test(message);
  return { code, message: redactSecrets(message.replace(/\s+/g, ' ').trim()), transient };
}
