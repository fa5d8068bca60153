/**
 * Reading the files remediation consumes, validated once at the edge with their zod contracts: the
 * audit's findings.json and a plan. A bad file is one InputError line (`file: where: what`).
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { accountArnMismatch, principalOfIamArn } from '../arn.ts';
import { InputError } from '../errors.ts';
import { MAX_JSON_TEXT_BYTES, readWholeFile } from '../files/read-whole.ts';
import { type AuditReport, auditReportSchema } from '../model/finding.ts';
import { type ExpectedFile, recogniseJson, recogniseText, wrongFileMessage } from '../model/file-kinds.ts';
import { type RemediationPlan, remediationPlanSchema, unknownFieldHint } from '../model/remediation-plan.ts';

/**
 * What to do with an audit JSON past MAX_JSON_TEXT_BYTES (≈ 800 000 findings; a 1M-row audit writes
 * 630 MB): the plan is made from all the findings held at once, so it is made from smaller audits.
 */
const SMALLER_AUDITS =
  'plan from smaller audits: one per account (--accounts), or the credential report split by account';

async function readJsonFile(
  path: string,
  what: string,
  expected: ExpectedFile,
): Promise<{ json: unknown; text: string }> {
  // A regular file or a pipe, read up to the cap (a device such as /dev/zero is refused, not read for ever).
  const bytes = await readWholeFile(path, {
    maxBytes: MAX_JSON_TEXT_BYTES,
    ...(expected === 'audit-report' ? { tooLargeHint: SMALLER_AUDITS } : {}),
  });
  if (bytes === undefined) throw new InputError('no such file', path);
  const text = bytes.toString('utf8');
  try {
    return { json: JSON.parse(text), text };
  } catch (e) {
    // Another file credsweep knows (a journal's JSON lines, a credential report CSV): say what it is.
    const kind = recogniseText(text);
    if (kind && kind !== expected) throw new InputError(wrongFileMessage(kind, expected, path), path);
    const position = /position (\d+)/.exec((e as Error).message);
    const line = position ? text.slice(0, Number(position[1])).split('\n').length : undefined;
    throw new InputError(`not ${what} (invalid JSON)`, path, line);
  }
}

function validate<T>(
  schema: z.ZodType<T>,
  json: unknown,
  path: string,
  what: string,
  expected: ExpectedFile,
): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const kind = recogniseJson(json);
  if (kind && kind !== expected) throw new InputError(wrongFileMessage(kind, expected, path), path);
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  throw new InputError(`not ${what}: ${where}: ${issue.message}${unknownFieldHint(issue)}`, path);
}

export async function readAuditReport(path: string): Promise<AuditReport> {
  const { json } = await readJsonFile(path, 'a credsweep audit JSON', 'audit-report');
  const report = validate(auditReportSchema, json, path, 'a credsweep audit JSON', 'audit-report');
  checkFindingAccounts(report, path);
  return report;
}

/**
 * Each finding in an account that can exist, the one its own ARN names: plan and export act in
 * `accountId` (assume a role there, name it to Security Hub), and an IAM account id is exactly 12
 * digits. The audit itself reports what a credential report says (a hand-written one may hold
 * `1234567890`); acting on it is where such an id stops, with the finding named.
 */
function checkFindingAccounts(report: AuditReport, path: string): void {
  report.findings.forEach((f, i) => {
    const mismatch = accountArnMismatch(f.accountId, f.arn);
    if (mismatch === null) {
      checkFindingPrincipal(f, i, path);
      return;
    }
    throw new InputError(
      mismatch.problem === 'account_id'
        ? `findings.${i}.accountId: ${JSON.stringify(f.accountId.slice(0, 40))} is not an AWS account id (12 digits)`
        : mismatch.named === undefined
          ? `findings.${i}.arn: not an IAM ARN with a 12-digit account: ${JSON.stringify(f.arn.slice(0, 80))}`
          : `findings.${i}.arn: names account ${mismatch.named}, not the finding's ${f.accountId}`,
      path,
    );
  });
}

/**
 * A user's or role's finding names the principal its ARN names: plan acts on `principalName` (the
 * UserName of every IAM call) while exemptions, the report and the reviewer go by the ARN, so a file
 * saying `arn …user/kevin` with `principalName: "breakglass"` would plan kevin's finding on breakglass's
 * keys, past an exemption written for breakglass's ARN. An audit never writes that; an edited file can.
 */
function checkFindingPrincipal(f: AuditReport['findings'][number], i: number, path: string): void {
  if (f.principalType !== 'user' && f.principalType !== 'role') return;
  const named = principalOfIamArn(f.arn);
  if (named?.type === f.principalType && named.name === f.principalName) return;
  throw new InputError(
    named === undefined
      ? `findings.${i}.arn: not the ARN of an IAM ${f.principalType}: ${JSON.stringify(f.arn.slice(0, 80))}`
      : `findings.${i}.principalName: ${JSON.stringify(f.principalName.slice(0, 64))} is not the ${named.type} its ARN names (${JSON.stringify(named.name.slice(0, 64))})`,
    path,
  );
}

export async function readRemediationPlan(path: string): Promise<{ plan: RemediationPlan; sha256: string }> {
  const { json, text } = await readJsonFile(path, 'a credsweep plan', 'plan');
  return { plan: parseRemediationPlan(json, path), sha256: createHash('sha256').update(text).digest('hex') };
}

/**
 * `value` held to the plan file's contract, or an InputError naming `file` (`not a credsweep plan:
 * where: what`). The result is a new object (zod copies every object and array it parses):
 * applyPlan acts on it, not on what its caller can still change. The plan's schema is strict: a key it
 * does not know is refused, not dropped, so a field added after sealing (or one a newer credsweep
 * writes, whose meaning this version would lose) cannot pass the digest check unseen.
 */
export function parseRemediationPlan(value: unknown, file: string): RemediationPlan {
  return validate(remediationPlanSchema, value, file, 'a credsweep plan', 'plan');
}
