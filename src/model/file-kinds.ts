/**
 * What a file a user handed to the wrong command actually is, told apart by its shape (not its
 * name), so the error says what to do instead of which schema field failed: `apply findings.json`
 * says "this is an audit report; run `credsweep plan --from` first". Pure: text in, a sentence out.
 */

export type FileKind =
  | 'audit-report'
  | 'plan'
  | 'journal'
  | 'credential-report-json'
  | 'credential-report-csv'
  | 'cloudtrail-log'
  | 'trail-summary';

/** What each command expects, for the sentences below. */
export type ExpectedFile = 'audit-report' | 'plan' | 'journal' | 'credential-report-csv';

const NAMES: Record<FileKind, string> = {
  'audit-report': 'a credsweep audit report (JSON)',
  plan: 'a credsweep remediation plan',
  journal: 'a credsweep apply journal',
  'credential-report-json': 'the JSON that `aws iam get-credential-report` prints',
  'credential-report-csv': 'an IAM credential report (CSV)',
  'cloudtrail-log': 'a CloudTrail log file',
  'trail-summary': 'a `credsweep trail` summary (JSON)',
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The kind of a parsed JSON value, when it is one credsweep knows. */
export function recogniseJson(json: unknown): FileKind | undefined {
  if (!isObject(json)) return undefined;
  if (typeof json.Content === 'string' && ('ReportFormat' in json || 'GeneratedTime' in json)) {
    return 'credential-report-json';
  }
  if (Array.isArray(json.Records)) return 'cloudtrail-log';
  if (Array.isArray(json.steps) && 'caller' in json) return 'plan';
  if (Array.isArray(json.findings) && 'summary' in json) return 'audit-report';
  if ((json.v === 1 || json.v === 2) && typeof json.runId === 'string' && typeof json.phase === 'string')
    return 'journal';
  if (Array.isArray(json.accessKeys) && 'files' in json) return 'trail-summary';
  return undefined;
}

/** The kind of a file from its text: JSON, JSON lines (a journal) or the credential report's CSV. */
export function recogniseText(text: string): FileKind | undefined {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('{')) {
    try {
      return recogniseJson(JSON.parse(start));
    } catch {
      const firstLine = start.split('\n', 1)[0]!;
      try {
        return recogniseJson(JSON.parse(firstLine));
      } catch {
        return undefined;
      }
    }
  }
  const header = start.split(/\r?\n/, 1)[0]!;
  return /^"?user"?[,;\t]"?arn"?[,;\t]/.test(header) ? 'credential-report-csv' : undefined;
}

/** What to do with a file of kind `found` given where `expected` was wanted. */
export function wrongFileMessage(found: FileKind, expected: ExpectedFile, file: string): string {
  const what = `this is ${NAMES[found]}, not ${NAMES[expected]}`;
  return `${what}: ${instead(found, expected, file)}`;
}

function instead(found: FileKind, expected: ExpectedFile, file: string): string {
  if (found === 'credential-report-json') {
    return 'decode its Content first: `aws iam get-credential-report --query Content --output text | base64 --decode > report.csv`, then `credsweep audit --report report.csv`';
  }
  switch (expected) {
    case 'plan':
      if (found === 'audit-report')
        return `run \`credsweep plan --from ${file} --output plan.json\` first, then apply plan.json`;
      if (found === 'journal')
        return 'apply takes the plan file; to reverse this journal run `credsweep undo` on it';
      if (found === 'credential-report-csv') {
        return `audit it (\`credsweep audit --report ${file} --format json --output findings.json\`), then \`credsweep plan --from findings.json\``;
      }
      return 'apply takes the file `credsweep plan --output` wrote';
    case 'journal':
      if (found === 'plan')
        return `undo takes the journal that apply wrote (by default ${file}.journal.jsonl)`;
      return 'undo takes the journal that `credsweep apply` wrote (<plan>.journal.jsonl by default)';
    case 'audit-report':
      if (found === 'credential-report-csv') {
        return `audit it first: \`credsweep audit --report ${file} --format json --output findings.json\``;
      }
      if (found === 'plan')
        return '`plan --from` takes the JSON of `credsweep audit --format json`; apply takes this plan';
      return '`plan --from` takes the JSON of `credsweep audit --format json --output findings.json`';
    case 'credential-report-csv':
      if (found === 'cloudtrail-log')
        return `merge it into an audit with \`--cloudtrail ${file}\`, or summarise it with \`credsweep trail ${file}\``;
      if (found === 'audit-report')
        return '`audit --report` reads the credential report CSV; this is already an audit';
      return '`audit --report` reads the CSV that `aws iam get-credential-report` returns, decoded';
  }
}

/** A credential report header separated by something other than commas: the line to say so. */
export function csvSeparatorProblem(header: string): string | undefined {
  if (header.includes(',')) return undefined;
  if (header.includes(';')) {
    return 'separated by semicolons: the credential report is comma-separated (a spreadsheet re-saved it?); download it again or save it as CSV with commas';
  }
  if (header.includes('\t')) {
    return 'separated by tabs: the credential report is comma-separated; download it again or save it as CSV with commas';
  }
  return undefined;
}
