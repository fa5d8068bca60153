import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { parseConfig } from '../../src/config/parse-config.ts';
import { InputError } from '../../src/errors.ts';

function errorOf(text: string, file = 'credsweep.config.yaml'): string {
  try {
    parseConfig(text, file);
  } catch (e) {
    assert.ok(e instanceof InputError, `expected an InputError, got ${e}`);
    return `${e.location}: ${e.message}`;
  }
  assert.fail('expected the configuration to be rejected');
}

describe('parseConfig', () => {
  it('reads YAML and JSON into the same normalised config', () => {
    const yaml = parseConfig(
      [
        'days: 60',
        'thresholds:',
        '  access_key: 45',
        '  role: 180',
        '  ssh_public_key: 365',
        '  service_specific_credential: 120',
        'accounts: ["111122223333"]',
        'roleName: CredsweepAudit',
        'exemptions:',
        '  - principal: break-glass',
        '    owner: secops@example.com',
        '    reason: emergency access, sealed',
        '    expires: 2027-06-30',
        'notifications:',
        '  ownerWebhookAllow: ["https://hooks.example.com/services/T000/"]',
      ].join('\n'),
      'c.yaml',
    );
    const json = parseConfig(
      JSON.stringify({
        days: 60,
        thresholds: { access_key: 45, role: 180, ssh_public_key: 365, service_specific_credential: 120 },
        accounts: ['111122223333'],
        roleName: 'CredsweepAudit',
        exemptions: [
          {
            principal: 'break-glass',
            owner: 'secops@example.com',
            reason: 'emergency access, sealed',
            expires: '2027-06-30',
          },
        ],
        notifications: { ownerWebhookAllow: ['https://hooks.example.com/services/T000/'] },
      }),
      'c.json',
    );
    assert.deepEqual(yaml, json);
    assert.equal(yaml.notifications?.ownerWarningDays, 7, 'defaults are filled in');
    assert.deepEqual(parseConfig('', 'empty.yaml').exemptions, []);
  });

  const rejected: [string, string, string][] = [
    [
      'unknown top-level key, with its line',
      'days: 30\nthreshold: 5\n',
      'credsweep.config.yaml:2: threshold: unknown key',
    ],
    [
      'threshold out of range',
      'thresholds:\n  password: -1\n',
      'credsweep.config.yaml:2: thresholds.password:',
    ],
    ['unknown credential kind', 'thresholds:\n  passwd: 3\n', 'credsweep.config.yaml:2: thresholds.passwd:'],
    [
      'impossible expiry date',
      'exemptions:\n  - principal: a\n    owner: o\n    reason: r\n    expires: 2027-02-30\n',
      'credsweep.config.yaml:5: exemptions.0.expires: expected a date YYYY-MM-DD',
    ],
    [
      'exemption without owner',
      'exemptions:\n  - principal: a\n    reason: r\n    expires: 2027-01-01\n',
      'credsweep.config.yaml:2: exemptions.0.owner: required',
    ],
    [
      'exemption that matches on nothing',
      'exemptions:\n  - owner: o\n    reason: r\n    expires: 2027-01-01\n',
      'exemptions.0: an exemption needs at least one of principal, arn or tag',
    ],
    ['bad account id', 'accounts: ["12345"]\n', 'accounts.0: expected a 12-digit AWS account id'],
    [
      'a team webhook URL in plain text (it is a secret: Secrets Manager)',
      'notifications:\n  webhookUrl: https://hooks.slack.com/services/T0/B0/x\n',
      'credsweep.config.yaml:2: notifications.webhookUrl: the team webhook URL is a secret',
    ],
    [
      'the host-only owner allow-list of 0.1',
      'notifications:\n  ownerWebhookHosts: [hooks.slack.com]\n',
      'notifications.ownerWebhookHosts: replaced by ownerWebhookAllow',
    ],
    ...(
      [
        ['http://hooks.slack.com/services/T0123/', 'expected https:'],
        ['https://hooks.slack.com:8443/services/T0123/', 'expected the default port'],
        ['https://u:p@hooks.slack.com/services/T0123/', 'expected no user:password@'],
        ['https://hooks.slack.com/', 'expected a path ending in /'],
        ['https://hooks.slack.com/services/T0123', 'expected a path ending in /'],
        ['https://hooks.slack.com/services/T0123/?x=1', 'expected no ? query'],
        ['https://HOOKS.slack.com/services/T0123/', 'expected it written as https://hooks.slack.com/'],
      ] as const
    ).map(([prefix, why]): [string, string, string] => [
      `owner webhook prefix ${prefix}`,
      `notifications:\n  ownerWebhookAllow: ["${prefix}"]\n`,
      `credsweep.config.yaml:2: notifications.ownerWebhookAllow.0: ${why}`,
    ]),
    // the keys listed are the schema's own at that path, and the line is the unknown key's
    [
      "an unknown key whose value is a mapping, at the key's line",
      'days: 30\nthreshold:\n  access_key: 5\n',
      'credsweep.config.yaml:2: threshold: unknown key (known: days, thresholds, exemptions, accounts, roleName, sshPublicKeys, db, keepRuns, keepDays, notifications)',
    ],
    [
      'an unknown threshold kind, listing the kinds',
      'thresholds:\n  bogus: 1\n',
      'credsweep.config.yaml:2: thresholds.bogus: unknown key (known: password, access_key, role, permission, ssh_public_key, service_specific_credential)',
    ],
    [
      'an unknown notifications key, listing plannedSteps too (not the refused webhookUrl)',
      'notifications:\n  bogus: 1\n',
      'credsweep.config.yaml:2: notifications.bogus: unknown key (known: snsTopicArn, ownerWarningDays, graceDays, ownerWebhookAllow, webhookTimeoutMs, exemptionHowTo, plannedSteps)',
    ],
    [
      "an unknown plannedSteps key, listing plannedSteps' keys",
      'notifications:\n  plannedSteps:\n    bogus: 1\n',
      'credsweep.config.yaml:3: notifications.plannedSteps.bogus: unknown key (known: roles, deleteRolesAfterDays, quarantineUsers, permissions)',
    ],
    [
      "an unknown exemption key, listing an exemption's keys",
      'exemptions:\n  - principal: a\n    owner: o\n    reason: r\n    expires: 2027-01-01\n    bogus: 1\n',
      'credsweep.config.yaml:6: exemptions.0.bogus: unknown key (known: principal, arn, tag, credentials, owner, reason, expires)',
    ],
    ['not YAML at all', 'days: [1, 2\n', 'credsweep.config.yaml:'],
    ['wrong type', '{"days": "ninety"}', 'days: Invalid input: expected number'],
  ];
  for (const [name, text, expected] of rejected) {
    it(`rejects ${name}, naming the file and the key`, () => {
      assert.ok(errorOf(text).includes(expected), errorOf(text));
      assert.ok(errorOf(text).startsWith('credsweep.config.yaml'));
    });
  }
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'credsweep-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds ./credsweep.config.json, .yaml or .yml, and nothing when none exists', async () => {
    assert.equal(await loadConfig(undefined, dir), undefined);
    writeFileSync(join(dir, 'credsweep.config.yml'), 'days: 10\n');
    assert.equal((await loadConfig(undefined, dir))?.config.days, 10);
    rmSync(join(dir, 'credsweep.config.yml'));
    writeFileSync(join(dir, 'credsweep.config.json'), '{"days": 20}');
    const found = await loadConfig(undefined, dir);
    assert.equal(found?.file, 'credsweep.config.json');
    assert.equal(found?.config.days, 20);
    rmSync(join(dir, 'credsweep.config.json'));
  });

  it('two of them is an input error (one was read, the other and its exemptions ignored silently); --config chooses', async () => {
    const both = mkdtempSync(join(dir, 'both-'));
    writeFileSync(join(both, 'credsweep.config.json'), '{"days": 20}');
    writeFileSync(join(both, 'credsweep.config.yml'), 'days: 10\n');
    await assert.rejects(
      loadConfig(undefined, both),
      (e) =>
        e instanceof InputError &&
        e.location === 'credsweep.config.yml' &&
        e.message ===
          'a second configuration file beside credsweep.config.json: credsweep would read only one; keep one, or choose with --config',
    );
    assert.equal((await loadConfig(join(both, 'credsweep.config.yml'), both))?.config.days, 10);
  });

  it('reads an explicit file and names it when it is missing', async () => {
    const file = join(dir, 'other.yaml');
    writeFileSync(file, 'days: 5\n');
    assert.equal((await loadConfig(file, '/nonexistent'))?.config.days, 5);
    await assert.rejects(loadConfig(join(dir, 'missing.yaml'), dir), /no such file/);
  });

  it('a configuration file that cannot be read says why in words, found or named (a folder here)', async () => {
    const folder = mkdtempSync(join(dir, 'folder-'));
    mkdirSync(join(folder, 'credsweep.config.yaml'));
    const isFolder = (location: string) => (e: unknown) =>
      e instanceof InputError && e.location === location && e.message === 'cannot read (is a folder)';
    await assert.rejects(loadConfig(undefined, folder), isFolder('credsweep.config.yaml'));
    const named = join(folder, 'credsweep.config.yaml');
    await assert.rejects(loadConfig(named, folder), isFolder(named));
  });
});

describe('hostile configuration files (issue 16, items 7 and 8)', () => {
  const bomb = [
    'a: &a ["x","x","x","x","x","x","x","x","x"]',
    'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
    'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
    'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  ].join('\n');

  it('a YAML alias bomb is an input error at the file and line of its first alias', () => {
    assert.equal(
      errorOf(bomb),
      'credsweep.config.yaml:2: YAML aliases expand past the limit of 100 (an alias bomb?)',
    );
  });

  it('the same in the Lambda configuration (CREDSWEEP_CONFIG)', async () => {
    const { settingsFromEnv } = await import('../../src/lambda/handler.ts');
    assert.throws(
      () => settingsFromEnv({ CREDSWEEP_BUCKET: 'b', CREDSWEEP_CONFIG: bomb }),
      (e) => e instanceof InputError && e.location === 'CREDSWEEP_CONFIG:2' && /alias/.test(e.message),
    );
  });

  it('a file over 1 MiB is refused with the line where the limit falls, without reading it all', async () => {
    const text = `days: 90\n${'# padding\n'.repeat(200_000)}`;
    assert.match(
      errorOf(text),
      /^credsweep\.config\.yaml:\d+: larger than the 1 MiB a configuration may be$/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'credsweep-config-'));
    try {
      writeFileSync(join(dir, 'big.yaml'), text);
      await assert.rejects(loadConfig(join(dir, 'big.yaml'), dir), /larger than the 1 MiB/);
      await assert.rejects(loadConfig('/dev/zero', dir), /larger than the 1 MiB/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a file that is not UTF-8 is refused at the line of its first bad byte (an exemption read with U+FFFD matched nothing)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'credsweep-config-'));
    try {
      const latin1 = join(dir, 'latin1.yaml');
      // "josé" saved as Latin-1: the exemption became jos\uFFFD, matched nothing, and only warned (stale)
      writeFileSync(
        latin1,
        Buffer.concat([
          Buffer.from('days: 90\nexemptions:\n  - principal: jos'),
          Buffer.from([0xe9]),
          Buffer.from('\n    owner: o\n    reason: r\n    expires: "2027-01-01"\n'),
        ]),
      );
      await assert.rejects(
        loadConfig(latin1, dir),
        (e) => e instanceof InputError && e.location === `${latin1}:3` && e.message === 'not UTF-8 text',
      );
      const utf16 = join(dir, 'utf16.yaml');
      writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('days: 90\n', 'utf16le')]));
      await assert.rejects(
        loadConfig(utf16, dir),
        (e) =>
          e instanceof InputError &&
          e.location === `${utf16}:1` &&
          /UTF-16\? save it as UTF-8/.test(e.message),
      );
      const bom = join(dir, 'bom.yaml');
      writeFileSync(bom, '\ufeffdays: 30\r\n');
      assert.equal(
        (await loadConfig(bom, dir))?.config.days,
        30,
        'UTF-8 with a byte-order mark and CRLF is read',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an exemption expiring in year 0099 or 0001 is refused, not read as 1999 or 1901', () => {
    for (const expires of ['0099-12-31', '0001-01-01', '1969-12-31']) {
      assert.match(
        errorOf(`exemptions:\n  - principal: x\n    owner: o\n    reason: r\n    expires: "${expires}"\n`),
        /^credsweep\.config\.yaml:5: exemptions\.0\.expires: expected a date YYYY-MM-DD/,
      );
    }
  });
});
