/** The limits on a configuration text, checked as it is read and as it is parsed. */
import { InputError } from '../errors.ts';

/**
 * A configuration is a few kilobytes; these limits keep a hostile one (the Lambda reads its
 * configuration from an environment variable anyone who can update the function can set) from
 * exhausting memory: a size cap, and a cap on YAML alias expansions (a "billion laughs" alias bomb
 * expands 9 aliases into 9⁷ nodes). Both are refused with the file and line, exit 2.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;
export const MAX_ALIAS_EXPANSIONS = 100;

/** A configuration text of more than MAX_CONFIG_BYTES is an input error at the line where it passes them. */
export function assertSize(text: string, file: string): void {
  if (Buffer.byteLength(text, 'utf8') <= MAX_CONFIG_BYTES) return;
  const line = text.slice(0, MAX_CONFIG_BYTES).split('\n').length;
  throw new InputError(
    `larger than the ${MAX_CONFIG_BYTES / 1024 / 1024} MiB a configuration may be`,
    file,
    line,
  );
}
