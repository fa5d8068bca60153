/**
 * The JSON texts a history database holds (a run's accounts and summary, each finding's body), held
 * to the shape its readers use when they are read back. The file is outside credsweep's control (a
 * hand edit, another tool, a bad restore): a body of `null` or accounts of `{}` was a TypeError in
 * `diff` and `history` (exit 70, a stack trace). Now it is the damaged-database line, naming the run.
 *
 * Loose on purpose: only what `history`, `diff` and the trend read is checked, and every other field
 * is kept as stored, so a run an older credsweep wrote reads as it did.
 */
import { z } from 'zod';
import { accountResultSchema, findingSchema } from '../model/finding.ts';

const storedAccounts = z.array(
  accountResultSchema.pick({ accountId: true, status: true, source: true }).loose(),
);
const storedSummary = z.record(z.string(), z.number());
const storedFinding = findingSchema
  .pick({
    accountId: true,
    principalName: true,
    arn: true,
    credential: true,
    status: true,
    ageDays: true,
    reason: true,
    accessKeyId: true,
    sshPublicKeyId: true,
    serviceSpecificCredentialId: true,
    service: true,
    action: true,
  })
  .loose();

export const STORED_JSON = {
  accounts: storedAccounts,
  summary: storedSummary,
  finding: storedFinding,
} as const;

/**
 * `text` parsed and checked against `STORED_JSON[kind]`; a plain Error (what the store reports as the
 * database being damaged) saying where (`run 2, finding 5: status: …`) otherwise.
 */
export function readStoredJson<K extends keyof typeof STORED_JSON>(
  text: unknown,
  kind: K,
  where: string,
): unknown {
  let value: unknown;
  try {
    value = JSON.parse(String(text));
  } catch {
    throw new Error(`${where}: not JSON`);
  }
  const parsed = STORED_JSON[kind].safeParse(value);
  if (parsed.success) return value;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new Error(`${where}: ${path}${issue.message}`);
}
