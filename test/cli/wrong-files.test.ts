/**
 * The usual wrong-file mistakes end in one line saying what the file is and what to run instead,
 * exit 2, before any AWS call (the runs have no credentials): the recogniser is src/model/file-kinds.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT, runCredsweep } from '../helpers/cli.ts';

const DEMO = 'examples/demo/credential-report.csv';
const NO_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_SESSION_TOKEN: '',
  AWS_PROFILE: '',
  AWS_CONFIG_FILE: '/nonexistent',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  AWS_EC2_METADATA_DISABLED: 'true',
};

describe('wrong-file mistakes: one line, exit 2, what to do instead', () => {
  const dir = mkdtempSync(join(tmpdir(), 'credsweep-wrong-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const files: Record<string, string> = {};
  before(async () => {
    const audit = await runCredsweep([
      'audit',
      '--report',
      DEMO,
      '--format',
      'json',
      '--as-of',
      '2026-11-01',
    ]);
    assert.equal(audit.code, 0, audit.stderr);
    files.findings = file('findings.json', audit.stdout);
    // The plan's shape as far as recognising it goes (the full contract is src/model/remediation-plan.ts).
    files.plan = file(
      'plan.json',
      `${JSON.stringify({ schemaVersion: 1, caller: { accountId: '111122223333' }, steps: [], skipped: [] }, null, 2)}\n`,
    );
    files.journal = file(
      'plan.json.journal.jsonl',
      `${JSON.stringify({ v: 1, at: '2026-11-01T00:00:00Z', runId: 'r1', phase: 'apply', type: 'run' })}\n`,
    );
    const csv = readFileSync(join(REPO_ROOT, DEMO), 'utf8');
    files.apiJson = file(
      'get-credential-report.json',
      JSON.stringify(
        {
          Content: Buffer.from(csv).toString('base64'),
          ReportFormat: 'text/csv',
          GeneratedTime: '2026-11-01T00:00:00Z',
        },
        null,
        4,
      ),
    );
    files.semicolons = file('semicolons.csv', csv.replaceAll(',', ';'));
    files.tabs = file('tabs.csv', csv.replaceAll(',', '\t'));
    files.trail = file('trail.json', JSON.stringify({ Records: [] }));
  });

  const cases: Array<[string, () => string[], RegExp]> = [
    [
      'apply an audit report',
      () => ['apply', files.findings!, '--yes'],
      /this is a credsweep audit report \(JSON\), not a credsweep remediation plan: run `credsweep plan --from .*findings\.json --output plan\.json` first/,
    ],
    [
      'apply a journal',
      () => ['apply', files.journal!, '--yes'],
      /this is a credsweep apply journal, not a credsweep remediation plan: .*credsweep undo/,
    ],
    [
      'apply a credential report',
      () => ['apply', DEMO, '--yes'],
      /this is an IAM credential report \(CSV\).*credsweep audit --report/,
    ],
    [
      'undo a plan',
      () => ['undo', files.plan!, '--yes'],
      /this is a credsweep remediation plan, not a credsweep apply journal: undo takes the journal that apply wrote \(by default .*plan\.json\.journal\.jsonl\)/,
    ],
    [
      'undo an audit report',
      () => ['undo', files.findings!, '--yes'],
      /this is a credsweep audit report \(JSON\), not a credsweep apply journal/,
    ],
    [
      'plan --from a plan',
      () => ['plan', '--from', files.plan!],
      /this is a credsweep remediation plan, not a credsweep audit report/,
    ],
    [
      'plan --from a credential report',
      () => ['plan', '--from', DEMO],
      /this is an IAM credential report \(CSV\), not a credsweep audit report \(JSON\): audit it first/,
    ],
    [
      'audit --report the JSON of get-credential-report',
      () => ['audit', '--report', files.apiJson!],
      /:1: this is the JSON that `aws iam get-credential-report` prints.*decode its Content first: `aws iam get-credential-report --query Content --output text \| base64 --decode/,
    ],
    [
      'audit --report an audit report',
      () => ['audit', '--report', files.findings!],
      /:1: this is a credsweep audit report/,
    ],
    [
      'audit --report a CloudTrail file',
      () => ['audit', '--report', files.trail!],
      /:1: this is a CloudTrail log file.*--cloudtrail/,
    ],
    [
      'audit --report semicolons fails at its header',
      () => ['audit', '--report', files.semicolons!],
      /semicolons\.csv:1: not a credential report: separated by semicolons/,
    ],
    [
      'audit --report tabs fails at its header',
      () => ['audit', '--report', files.tabs!],
      /tabs\.csv:1: not a credential report: separated by tabs/,
    ],
  ];
  for (const [name, args, pattern] of cases) {
    it(name, async () => {
      const run = await runCredsweep(args(), { env: NO_CREDENTIALS });
      assert.equal(run.code, 2, run.stderr);
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, /^credsweep: /);
      assert.match(lines[0]!, pattern);
      assert.equal(run.stdout, '');
    });
  }

  it('a gzip-compressed report (file or standard input) is audited as the report, also with --jobs 2', async () => {
    const plain = await runCredsweep(['audit', '--report', DEMO, '--format', 'csv', '--as-of', '2026-11-01']);
    assert.equal(plain.code, 0, plain.stderr);
    const gz = join(dir, 'credential-report.csv.gz');
    writeFileSync(gz, gzipSync(readFileSync(join(REPO_ROOT, DEMO))));
    for (const [args, stdin] of [
      [['--report', gz, '--jobs', '2'], undefined],
      [['--report', '-'], readFileSync(gz)],
    ] as const) {
      const run = await runCredsweep(['audit', ...args, '--format', 'csv', '--as-of', '2026-11-01'], {
        ...(stdin ? { stdin } : {}),
      });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, plain.stdout);
    }
  });

  it('audit --report FOLDER: exit 2, one line saying it is a folder (not EISDIR), also with --jobs 2', async () => {
    for (const extra of [[], ['--format', 'json', '--jobs', '2']]) {
      const run = await runCredsweep(['audit', '--report', dir, ...extra], { env: NO_CREDENTIALS });
      assert.equal(run.code, 2, run.stderr);
      assert.equal(
        run.stderr,
        `credsweep: ${dir}: is a folder, not a file; give the path of a credential report CSV\n`,
      );
    }
  });

  // The live audit's flags with --from would be ignored: the plan would follow the file's threshold
  // while the user believes their --days. Refused before any AWS call.
  for (const extra of [
    ['--days', '30'],
    ['--source', 'api'],
    ['--org'],
    ['--accounts', '111111111111'],
    ['--concurrency', '2'],
    ['--no-ssh-public-keys'],
    ['--granularity', 'action'],
  ]) {
    it(`plan --from FILE ${extra.join(' ')}: exit 2, one line: the flag is for the live audit`, async () => {
      const permissions = extra[0] === '--granularity' ? ['--permissions'] : [];
      const run = await runCredsweep(['plan', '--from', files.findings!, ...permissions, ...extra], {
        env: NO_CREDENTIALS,
      });
      assert.equal(run.code, 2, run.stderr);
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, new RegExp(`^credsweep: ${extra[0]}\\b.* for the live audit`));
    });
  }

  it('standard input gets the same check', async () => {
    const run = await runCredsweep(['audit', '--report', '-'], { stdin: readFileSync(files.apiJson!) });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^credsweep: -:1: this is the JSON that `aws iam get-credential-report` prints/);
  });

  const online: Array<[string, string[]]> = [
    ['plan (live)', ['plan']],
    ['permissions', ['permissions']],
    ['audit (live)', ['audit']],
    ['trail s3://', ['trail', 's3://credsweep-no-bucket/AWSLogs/']],
  ];
  for (const [name, args] of online) {
    it(`${name} without credentials: exit 3, one line with the hint`, async () => {
      const run = await runCredsweep(args, { env: NO_CREDENTIALS });
      assert.equal(run.code, 3, run.stderr);
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(
        lines[0]!,
        /give --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY, or run aws sso login/,
      );
    });
  }

  // A mistyped profile is bad input: exit 2 before any AWS call, naming the files looked in, not the
  // SDK's "Could not resolve credentials using profile" at the first call with a hint to give --profile.
  const profileCommands: Array<[string, string[]]> = [
    ['audit', ['audit']],
    ['plan', ['plan']],
    ['permissions', ['permissions']],
    ['trail --lookup', ['trail', '--lookup']],
    ['export securityhub', ['export', 'securityhub', '--from', 'findings.json']],
  ];
  for (const [name, args] of profileCommands) {
    it(`${name} --profile with a profile in neither file: exit 2, one line naming the files`, async () => {
      const run = await runCredsweep([...args, '--profile', 'nosuch'], { env: NO_CREDENTIALS });
      assert.equal(run.code, 2, run.stderr);
      assert.equal(
        run.stderr,
        'credsweep: --profile nosuch: no such profile in /nonexistent or /nonexistent (aws configure list-profiles lists them)\n',
      );
    });
  }

  it('a profile that is there but gives no credentials: exit 3, a hint about that profile', async () => {
    const config = file('aws-config', '[default]\nregion = us-east-1\n[profile ops]\nregion = eu-west-1\n');
    const run = await runCredsweep(['audit', '--profile', 'ops'], {
      env: { ...NO_CREDENTIALS, AWS_CONFIG_FILE: config },
    });
    assert.equal(run.code, 3, run.stderr);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /profile ops gives no credentials: see aws configure list --profile ops/);
    assert.doesNotMatch(lines[0]!, /give --profile/);
  });
});
