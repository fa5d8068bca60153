/**
 * Names that render as other names: a bidi override (U+202E), isolates (U+2066–U+2069), zero-width
 * characters (U+200B, U+2060, U+FEFF) and controls. A report a person approves deletions from must not
 * show `admin\u200b` as `admin`: the HTML and Markdown reports show each as its code, as the terminal
 * does (src/reporters/printable.ts). CSV and JSON are data for other programs and keep the exact text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleAuditReport } from '../../src/audit/audit-report.ts';
import { REPORTERS } from '../../src/reporters/index.ts';
import { AS_OF, aFinding } from '../helpers/builders.ts';

const SPOOFS = [
  'admin\u200b', // reads as admin
  'ci-\u202edeploy', // reads as ci-yolped
  'ops\u2066\u2069', // isolates around nothing
  'x\u2060y\ufeffz\u00ad', // word joiner, BOM, soft hyphen
  'bell\u0007\u001b[2J\u009b', // BEL, ESC, C1 CSI
];
const HIDDEN =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/u;

function report() {
  const findings = SPOOFS.map((name, i) =>
    aFinding({
      principalName: name,
      arn: `arn:aws:iam::111122223333:user/spoof${i}`,
      reason: `reason ${name}`,
    }),
  );
  return assembleAuditReport({ generatedAt: AS_OF, asOf: AS_OF, thresholdDays: 90 }, findings, [
    { accountId: '111122223333', status: 'ok' },
    {
      accountId: '444455556666',
      status: 'failed',
      error: { code: 'AccessDenied', message: 'denied\u202e for\u200b you' },
    },
  ]);
}

describe('bidi, zero-width and control characters in names', () => {
  for (const format of ['html', 'md']) {
    it(`--format ${format}: none reaches the page; each shows as its code`, async () => {
      const out = await REPORTERS[format]!.render(report(), { color: false });
      assert.doesNotMatch(out, HIDDEN);
      for (const code of [
        '\\u200b',
        '\\u202e',
        '\\u2066',
        '\\u2069',
        '\\u2060',
        '\\ufeff',
        '\\u00ad',
        '\\u0007',
        '\\u001b',
        '\\u009b',
      ]) {
        // (Markdown escapes the backslash: \\u200b renders as \u200b)
        assert.ok(out.includes(code) || out.includes(`\\${code}`), `${code} shown in the ${format} report`);
      }
      assert.ok(out.includes('admin\\u200b') || out.includes('admin\\\\u200b'));
    });
  }

  it('--format json and csv keep the exact names (data for other programs)', async () => {
    const json = JSON.parse(await REPORTERS.json!.render(report(), { color: false })) as {
      findings: { principalName: string }[];
    };
    assert.deepEqual(json.findings.map((f) => f.principalName).sort(), [...SPOOFS].sort());
    const csv = await REPORTERS.csv!.render(report(), { color: false });
    assert.ok(csv.includes('admin\u200b,') || csv.includes('"admin\u200b"'), csv);
  });
});
