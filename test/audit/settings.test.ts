/**
 * resolveSettings: one precedence for every caller — a flag given wins over the configuration file,
 * the file over the defaults; the environment says where AWS is. Pure, so no moto here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveSettings } from '../../src/audit/settings.ts';
import type { LoadedConfig } from '../../src/config/load-config.ts';
import { configSchema } from '../../src/config/schema.ts';
import { UsageError } from '../../src/errors.ts';

const NOW = Date.parse('2026-11-01T00:00:00Z');
const file = (config: object): LoadedConfig => ({
  file: 'credsweep.config.json',
  config: configSchema.parse(config),
});
const EXEMPTION = { principal: 'alice', owner: 'o', reason: 'r', expires: '2099-01-01' };

describe('resolveSettings', () => {
  it('defaults, then the file, then the flags', () => {
    const none = resolveSettings({}, {}, undefined, { now: NOW });
    assert.deepEqual(
      [none.evaluation.thresholdDays, none.input, none.fanOut.roleName, none.fanOut.concurrency],
      [90, { kind: 'live', source: 'report' }, 'OrganizationAccountAccessRole', 8],
    );
    const config = file({
      days: 365,
      thresholds: { access_key: 30 },
      roleName: 'Audit',
      accounts: ['111111111111'],
      db: 'h.db',
      exemptions: [EXEMPTION],
    });
    const fromFile = resolveSettings({}, {}, config, { now: NOW });
    assert.equal(fromFile.evaluation.thresholdDays, 365);
    assert.deepEqual(fromFile.evaluation.thresholds, { access_key: 30 });
    assert.equal(fromFile.fanOut.roleName, 'Audit');
    assert.deepEqual(fromFile.targets, { accounts: ['111111111111'] });
    assert.equal(fromFile.dbPath, 'h.db');
    assert.equal(fromFile.exemptions.length, 1);
    assert.equal(fromFile.configFile, 'credsweep.config.json');
    const flagged = resolveSettings(
      { days: 7, roleName: 'Other', org: true, db: 'x.db', asOf: NOW - 1000 },
      {},
      config,
      { now: NOW },
    );
    assert.equal(flagged.evaluation.thresholdDays, 7);
    // a per-kind threshold has no flag: the file's stays
    assert.deepEqual(flagged.evaluation.thresholds, { access_key: 30 });
    assert.equal(flagged.fanOut.roleName, 'Other');
    assert.deepEqual(flagged.targets, { org: true });
    assert.equal(flagged.dbPath, 'x.db');
    assert.equal(flagged.evaluation.asOf, NOW - 1000);
    assert.equal(flagged.generatedAt, NOW);
  });

  it('caller defaults (the Lambda: whole organisation; plan: 4 accounts at once) sit under the file', () => {
    const lambda = resolveSettings({}, {}, file({ days: 30 }), {
      now: NOW,
      defaults: { days: 120, org: true, concurrency: 4 },
    });
    assert.equal(lambda.evaluation.thresholdDays, 30);
    assert.deepEqual(lambda.targets, { org: true });
    assert.equal(lambda.fanOut.concurrency, 4);
    const listed = resolveSettings({}, {}, file({ accounts: ['111111111111'] }), {
      now: NOW,
      defaults: { org: true },
    });
    assert.deepEqual(listed.targets, { accounts: ['111111111111'] });
  });

  it('the environment says where AWS is; a flag wins; a bad endpoint is a usage error', () => {
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_REGION: 'eu-west-1' };
    assert.deepEqual(resolveSettings({}, env, undefined, { now: NOW }).connection, {
      region: 'eu-west-1',
      endpointUrl: 'http://127.0.0.1:5000',
    });
    assert.deepEqual(
      resolveSettings({ region: 'us-gov-west-1', profile: 'p' }, env, undefined, { now: NOW }).connection,
      { profile: 'p', region: 'us-gov-west-1', endpointUrl: 'http://127.0.0.1:5000' },
    );
    assert.throws(
      () => resolveSettings({}, { AWS_ENDPOINT_URL: 'ftp://x' }, undefined, { now: NOW }),
      (e: unknown) =>
        e instanceof UsageError && /AWS_ENDPOINT_URL: 'ftp:\/\/x' is not an http\(s\) URL/.test(e.message),
    );
  });

  it('a report audit takes --profile, --region and --endpoint-url for --cloudtrail s3://… (they were refused), not alone', () => {
    const flags = {
      report: 'r.csv',
      cloudtrail: ['s3://trail-bucket/AWSLogs/'],
      profile: 'logs',
      region: 'eu-west-1',
      endpointUrl: 'http://127.0.0.1:5000',
    };
    const settings = resolveSettings(flags, {}, undefined, { now: NOW });
    assert.deepEqual(settings.evidence?.s3, {
      profile: 'logs',
      region: 'eu-west-1',
      endpointUrl: 'http://127.0.0.1:5000',
    });
    assert.deepEqual(settings.connection, {}, 'no live audit connection');
    assert.throws(
      () =>
        resolveSettings({ report: 'r.csv', cloudtrail: ['trail/'], profile: 'logs' }, {}, undefined, {
          now: NOW,
        }),
      (e) =>
        e instanceof UsageError && /--profile is for live audits and for --cloudtrail s3:/.test(e.message),
    );
    assert.throws(
      () => resolveSettings({ ...flags, org: true }, {}, undefined, { now: NOW }),
      (e) => e instanceof UsageError && /--org is for live audits/.test(e.message),
    );
  });

  it("the history's retention: flags over the file's keys, key by key; only with a database", () => {
    const config = file({ db: 'h.db', keepRuns: 30, keepDays: 90 });
    assert.deepEqual(resolveSettings({}, {}, config, { now: NOW }).retention, { keepRuns: 30, keepDays: 90 });
    assert.deepEqual(resolveSettings({ keepRuns: 5 }, {}, config, { now: NOW }).retention, {
      keepRuns: 5,
      keepDays: 90,
    });
    assert.equal(resolveSettings({ db: 'h.db' }, {}, undefined, { now: NOW }).retention, undefined);
    // keys without a database (a shared file; this run stores nothing): nothing to keep
    const noDb = resolveSettings({}, {}, file({ keepRuns: 30 }), { now: NOW });
    assert.equal(noDb.retention, undefined);
    assert.throws(
      () => resolveSettings({ keepDays: 7 }, {}, undefined, { now: NOW }),
      (e) =>
        e instanceof UsageError && /^--keep-days is for the history database: give --db FILE/.test(e.message),
    );
  });

  it('contradictions are usage errors', () => {
    const cases: [Parameters<typeof resolveSettings>[0], RegExp][] = [
      [{ report: 'r.csv', org: true }, /--org is for live audits/],
      [{ report: 'r.csv', source: 'api' }, /--source is for live audits/],
      [{ org: true, accounts: ['111111111111'] }, /--org and --accounts cannot be combined/],
      [
        {
          accounts: ['111111111111'],
          permissions: {
            granularity: 'service',
            principalConcurrency: 1,
            principals: ['arn:aws:iam::1:user/a'],
          },
        },
        /--principal names principals of this account/,
      ],
    ];
    for (const [flags, message] of cases) {
      assert.throws(() => resolveSettings(flags, {}, undefined, { now: NOW }), message);
    }
  });

  it('permissions with --principal ignore the configured accounts (the principals are this account’s)', () => {
    const settings = resolveSettings(
      {
        permissions: {
          granularity: 'service',
          principalConcurrency: 2,
          principals: ['arn:aws:iam::1:user/a'],
        },
      },
      {},
      file({ accounts: ['111111111111'] }),
      { now: NOW },
    );
    assert.deepEqual(settings.targets, {});
    assert.equal(settings.input.kind, 'permissions');
  });

  it('the report path: SSH keys listed unless the flag or the file says not; key-id window = ownerWarningDays', () => {
    const none = resolveSettings({}, {}, undefined, { now: NOW });
    assert.deepEqual(none.reportPath, { sshPublicKeys: true, keyIdWindowDays: 7 });
    const fromFile = resolveSettings(
      {},
      {},
      file({ sshPublicKeys: false, notifications: { ownerWarningDays: 21 } }),
      { now: NOW },
    );
    assert.deepEqual(fromFile.reportPath, { sshPublicKeys: false, keyIdWindowDays: 21 });
    // notifications without ownerWarningDays: the schema's default, 7
    assert.equal(
      resolveSettings({}, {}, file({ notifications: {} }), { now: NOW }).reportPath.keyIdWindowDays,
      7,
    );
    const flagged = resolveSettings({ sshPublicKeys: true }, {}, file({ sshPublicKeys: false }), {
      now: NOW,
    });
    assert.equal(flagged.reportPath.sshPublicKeys, true, 'a flag wins over the file');
    assert.equal(
      resolveSettings({ sshPublicKeys: false }, {}, undefined, { now: NOW }).reportPath.sshPublicKeys,
      false,
    );
    assert.throws(
      () => resolveSettings({ report: 'r.csv', sshPublicKeys: false }, {}, undefined, { now: NOW }),
      (e) => e instanceof UsageError && /--no-ssh-public-keys is for live audits/.test(e.message),
    );
  });
});
