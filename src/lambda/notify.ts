/**
 * Where notifications go: an SNS topic and a Slack-compatible incoming webhook (`{"text": …}`).
 * SNS subjects are limited to 100 characters and messages to 256 KB; the summary stays far below.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

export const NOTIFY_PERMISSIONS = ['sns:Publish'] as const;

/**
 * POSTs JSON to a URL and resolves when it answered 2xx; throws otherwise. Injected so the Lambda
 * and the tests share everything around it: the URL is checked (https, allow-list) before it gets
 * here, and a test's delivery reaches a loopback server without any production rule relaxed.
 */
export type PostJson = (url: string, body: unknown, options: { timeoutMs: number }) => Promise<void>;

/** The delivery the function uses: fetch, no redirects (a 3xx must not lead a notice elsewhere). */
export function postJsonWith(fetchImpl: typeof fetch): PostJson {
  return async (url, body, { timeoutMs }) => {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    await response.arrayBuffer();
    if (!response.ok) throw new DeliveryError(`HTTP ${response.status}`);
  };
}

export const postJsonWithFetch: PostJson = postJsonWith((...args) => fetch(...args));

export class DeliveryError extends Error {
  override name = 'DeliveryError';
}

/**
 * Why a send failed, in a few words that never carry the URL (a Slack webhook URL is a secret) or
 * a response body: `HTTP 404`, `timeout`, `network error ENOTFOUND`, `redirect refused`, or the AWS
 * error's name (`NotFoundException`).
 */
export function describeDeliveryFailure(error: unknown): string {
  const e = error as {
    name?: unknown;
    code?: unknown;
    cause?: { code?: unknown; name?: unknown; message?: unknown };
  };
  if (error instanceof DeliveryError) return error.message;
  if (e?.cause?.message === 'unexpected redirect') return 'redirect refused'; // fetch's redirect: 'error'
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.cause?.name === 'TimeoutError')
    return 'timeout';
  const code = e?.cause?.code ?? e?.code;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return `network error ${code}`;
  if (typeof e?.name === 'string' && /^[A-Za-z][\w.]{0,60}$/.test(e.name)) return e.name;
  return 'failed';
}

export async function publishToTopic(
  sns: SNSClient,
  topicArn: string,
  message: { subject: string; text: string },
  attributes: Record<string, string> = {},
): Promise<void> {
  await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: message.subject,
      Message: message.text,
      MessageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
      ),
    }),
  );
}

/**
 * Slack reads `<…>` in text as links and mentions (`<!channel>`); its docs ask for `&`, `<` and `>`
 * to be escaped. AWS error messages and tag-derived text can hold anything, so everything is.
 */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export async function postToWebhook(
  post: PostJson,
  url: string,
  message: { text: string },
  timeoutMs: number,
): Promise<void> {
  await post(url, { text: escapeSlackText(message.text) }, { timeoutMs });
}
