/**
 * IAM and Organizations are global; us-east-1 is where their endpoints live. Apart from ./clients.ts
 * so that a command's help can name it without loading the SDK.
 */
export const DEFAULT_REGION = 'us-east-1';
