/**
 * What to do when the SDK finds no credentials, said the same by every command:
 *
 *   credentialsHint('Could not load credentials from any providers') → 'give --profile, set AWS_PROFILE …'
 *   credentialsHint('Could not resolve credentials using profile: [ops] in …') → 'profile ops: …'
 *
 * A user who named a profile (flag or AWS_PROFILE) did give one: telling them to "give --profile"
 * reads as if it had been ignored.
 */
const NO_CREDENTIALS_HINT =
  'give --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws sso login';

export function credentialsHint(message: string): string {
  const profile = /using profile: \[([^\]]*)\]/.exec(message)?.[1];
  return profile === undefined
    ? NO_CREDENTIALS_HINT
    : `profile ${profile} gives no credentials: see aws configure list --profile ${profile}, or run aws sso login --profile ${profile}`;
}
