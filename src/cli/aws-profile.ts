/**
 * `--profile NAME` must name a profile of the shared AWS files, or the command stops before any AWS
 * call: a mistyped name is bad input (exit 2), where the SDK would fail the first call with "Could not
 * resolve credentials using profile" (exit 3, as if AWS had failed). The check is a superset of what
 * the SDK reads (`[NAME]` or `[profile NAME]` in either file), so it never refuses a profile the SDK
 * would use; whether the profile holds credentials is still for the SDK to say.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';

/** The shared config and credentials files the SDK reads (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE). */
function sharedFiles(env: NodeJS.ProcessEnv): string[] {
  return [
    env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config'),
    env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), '.aws', 'credentials'),
  ];
}

function profilesIn(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return [...text.matchAll(/^[ \t]*\[[ \t]*(?:profile[ \t]+)?([^\]]*?)[ \t]*\][ \t]*\r?$/gm)].map(
    (m) => m[1]!,
  );
}

export function assertProfileExists(name: string, env: NodeJS.ProcessEnv): void {
  const files = sharedFiles(env);
  if (files.some((file) => profilesIn(file).includes(name))) return;
  throw new UsageError(
    `--profile ${name}: no such profile in ${files.join(' or ')} (aws configure list-profiles lists them)`,
  );
}
