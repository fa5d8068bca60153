/**
 * Where notifications go: an SNS topic and a Slack-compatible incoming webhook (`{"text": …}`).
 * SNS subjects are limited to 100 characters and messages to 256 KB; the summary stays far below.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

export const NOTIFY_PERMISSIONS = ['sns:Publish'] as const;

/** POSTs JSON to a URL; injected so tests and the Lambda share the code (fetch with a timeout). */
export type PostJson = (url: string, body: unknown) => Promise<void>;

export const postJsonWithFetch: PostJson = async (url, body) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
    redirect: 'error',
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`webhook answered HTTP ${response.status}`);
};

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

export async function postToWebhook(post: PostJson, url: string, message: { text: string }): Promise<void> {
  await post(url, { text: escapeSlackText(message.text) });
}
