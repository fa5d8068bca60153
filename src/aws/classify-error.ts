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
import { redactSecrets } from '../redact.ts';

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
