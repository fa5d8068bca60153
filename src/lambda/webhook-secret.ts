/**
 * The team webhook URL lives in Secrets Manager: a Slack incoming-webhook URL is a bearer secret
 * (whoever has it can post to the channel), and a Lambda environment variable is readable by anyone
 * with lambda:GetFunctionConfiguration. The function reads it when a run has something to send.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeliveryError } from './notify.ts';

export const WEBHOOK_SECRET_PERMISSIONS = ['secretsmanager:GetSecretValue'] as const;

export async function readSecretString(client: SecretsManagerClient, secretId: string): Promise<string> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (typeof out.SecretString !== 'string')
    throw new DeliveryError('the webhook secret holds no SecretString');
  return out.SecretString;
}

/**
 * The URL in the secret: the whole SecretString, or its `url` field when it is JSON. Only https is
 * accepted; what is wrong is said without echoing the value.
 */
export async function readWebhookUrl(
  readSecret: (secretId: string) => Promise<string>,
  secretId: string,
): Promise<string> {
  let text: string;
  try {
    text = (await readSecret(secretId)).trim();
  } catch (error) {
    const name = (error as { name?: unknown })?.name;
    throw new DeliveryError(
      `cannot read the webhook secret${typeof name === 'string' && /^\w{1,60}$/.test(name) ? `: ${name}` : ''}`,
    );
  }
  if (text.startsWith('{')) {
    try {
      const url = (JSON.parse(text) as { url?: unknown }).url;
      text = typeof url === 'string' ? url.trim() : '';
    } catch {
      text = '';
    }
  }
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {}
  if (url?.protocol !== 'https:' || url.username || url.password)
    throw new DeliveryError('the webhook secret does not hold an https URL (without user info)');
  return url.toString();
}
