/**
 * Where a live audit reads an account's credentials: the credential report, or the IAM API (which
 * knows key ids). Its own module so that the CLI can offer the choice without loading the sources.
 */
export type LiveSource = 'report' | 'api';
export const LIVE_SOURCES: readonly LiveSource[] = ['report', 'api'];
