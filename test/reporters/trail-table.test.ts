/**
 * `credsweep trail`'s table (src/reporters/trail-table.ts) at 80 columns and wide: who used each key
 * and from where is never lost; a column left out is named once; CloudTrail's text is made printable.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrailAccessKeyUse, TrailSummary } from '../../src/model/trail-summary.ts';
import { renderTrailTable } from '../../src/reporters/trail-table.ts';
import { displayWidth } from '../../src/reporters/text-width.ts';

const ACCOUNT = '210987654321';
const SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_DevAdmin_635426549a280cc6/nicholas.hakmiller@example.com`;

function aKeyUse(accessKeyId: string, principalArn: string, ips: string[]): TrailAccessKeyUse {
  return {
    accessKeyId,
    principalArn,
    firstSeen: '2026-10-30T01:15:01Z',
    lastSeen: '2026-10-30T04:15:04Z',
    events: 4,
    sourceIps: { count: ips.length, top: ips.slice(0, 5) },
    services: ['s3.amazonaws.com'],
    regions: ['us-east-1'],
    lastEventName: 'GetBucketLocation',
  };
}

const summary = (keys: TrailAccessKeyUse[]): TrailSummary => ({
  schemaVersion: 1,
  files: { scanned: 3, bad: [] },
  records: 26,
  accessKeys: keys,
  roles: [
    {
      roleArn: `arn:aws:iam::${ACCOUNT}:role/deploy`,
      lastAssumed: '2026-10-31T06:00:05Z',
      lastAssumedBy: `arn:aws:iam::${ACCOUNT}:user/ci-deploy`,
      lastSourceIp: '198.51.100.40',
      assumeEvents: 1,
    },
  ],
  consoleLogins: [
    { principalArn: SESSION_ARN, lastSuccess: '2026-10-31T09:00:12Z', successes: 1, failures: 0 },
  ],
});

const KEYS = [
  aKeyUse('AKIAZDEMOBACKUP00001', `arn:aws:iam::${ACCOUNT}:user/backup-agent`, ['203.0.113.10']),
  aKeyUse('AKIAZDEMOUPLOADER001', `arn:aws:iam::111122223333:user/backup-agent`, [
    '103.251.167.20',
    '185.220.101.4',
    '185.220.101.9',
    '192.0.2.14',
    '192.0.2.201',
    '192.0.2.202',
  ]),
];

describe('trail table', () => {
  it('at 80 columns: each key, then its principal whole on a line of its own; the source IPs stay', () => {
    const text = renderTrailTable(summary(KEYS), 80);
    const lines = text.trimEnd().split('\n');
    assert.ok(
      lines.every((l) => displayWidth(l) <= 80),
      text,
    );
    assert.deepEqual(lines.slice(0, 7), [
      'Access keys (2)',
      'ACCESS KEY            LAST SEEN            EVENTS  SOURCE IPS',
      '  PRINCIPAL',
      'AKIAZDEMOBACKUP00001  2026-10-30 04:15:04       4  1: 203.0.113.10',
      `  arn:aws:iam::${ACCOUNT}:user/backup-agent`,
      'AKIAZDEMOUPLOADER001  2026-10-30 04:15:04       4  6: 103.251.167.20, 185.220.1…',
      // the same user name in two accounts: both told apart, the account is not cut away
      '  arn:aws:iam::111122223333:user/backup-agent',
    ]);
    assert.equal(
      lines[7],
      '(SERVICES, FIRST SEEN, REGIONS, LAST EVENT not shown to fit the terminal; --wide',
    );
    assert.equal(lines[8], 'or --format json shows them)');
  });

  it('at 80 columns: who assumed a role and who signed in, whole', () => {
    const text = renderTrailTable(summary(KEYS), 80);
    assert.match(
      text,
      new RegExp(
        `\\narn:aws:iam::${ACCOUNT}:role/deploy +2026-10-31 06:00:05 .*\\n  arn:aws:iam::${ACCOUNT}:user/ci-deploy\\n`,
      ),
    );
    // a session ARN longer than its column wraps after its separators, the rest indented
    const signIns = text.slice(text.indexOf('Console sign-ins'));
    const [, , first, rest] = signIns.split('\n');
    assert.match(first!, /^arn:aws:sts::210987654321: +2026-10-31 09:00:12 +1 +0$/);
    assert.match(rest!, /^ {2}assumed-role\/\S+$/);
    assert.equal(
      signIns
        .split('\n')
        .slice(2, 6)
        .filter((l) => l.startsWith('arn') || l.startsWith('  '))
        .map((l) => l.trim().split('  ')[0])
        .join(''),
      SESSION_ARN,
    );
  });

  it('wide (a pipe, --wide): one line a key, every column', () => {
    for (const width of [undefined, 250]) {
      const lines = renderTrailTable(summary(KEYS), width).split('\n');
      assert.match(
        lines[1]!,
        /^ACCESS KEY +PRINCIPAL +FIRST SEEN +LAST SEEN +EVENTS +LAST EVENT +REGIONS +SERVICES +SOURCE IPS$/,
      );
      assert.match(
        lines[3]!,
        /^AKIAZDEMOUPLOADER001 +arn:aws:iam::111122223333:user\/backup-agent +2026-10-30 01:15:01 .* 6: 103\.251\.167\.20, 185\.220\.101\.4, 185\.220\.101\.9, 192\.0\.2\.14, 192\.0\.2\.201, …$/,
      );
      assert.doesNotMatch(lines.join('\n'), /not shown/);
    }
  });

  it('on a terminal of 1 to 20 columns no line is wider than it, titles and principals under the rows too', () => {
    for (let width = 1; width <= 20; width++) {
      const text = renderTrailTable(summary(KEYS), width);
      // (`  none` needs six: these tables have rows)
      for (const line of text.trimEnd().split('\n'))
        assert.ok(displayWidth(line) <= width, `${JSON.stringify(line)} wider than ${width}`);
      const squeezed = text.replace(/\s+/g, '');
      for (const arn of [SESSION_ARN, ...KEYS.map((k) => k.principalArn!)])
        assert.ok(squeezed.includes(arn), `${arn} whole at ${width}`);
    }
  });

  it("CloudTrail's text is shown with its control characters as codes, at 80 columns and wide", () => {
    const hostile = aKeyUse(
      'AKIAZDEMOBACKUP00001',
      `arn:aws:iam::${ACCOUNT}:user/evil\u001b]52;c;aGk=\u0007`,
      ['203.0.113.10\u202e'],
    );
    for (const width of [80, undefined]) {
      const text = renderTrailTable(summary([hostile]), width);
      assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
      assert.match(text, /user\/evil\\u001b]52;c;aGk=\\u0007/);
      assert.match(text, /203\.0\.113\.10\\u202e/);
    }
  });
});
