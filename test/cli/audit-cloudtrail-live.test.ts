/**
 * `credsweep audit --cloudtrail` on a live audit against moto: with the IAM API source the findings
 * know their key ids, so the trail's evidence lands on the right key even when a user has two; the
 * credential-report path resolves the key ids of the users the trail names (ListAccessKeys), so it
 * lands on the right key there too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IAMClient } from '@aws-sdk/client-iam';
import type { AuditReport } from '../../src/model/finding.ts';
import { runCredsweep } from '../helpers/cli.ts';
import { MOTO_DEFAULT_ACCOUNT, MOTO_CLI_ENV, type MotoServer, startMoto } from '../helpers/moto.ts';
import { seedUser } from '../helpers/seed-iam.ts';
import { aTrailRecord } from '../sources/cloudtrail/trail-tree.ts';

const DAY = 86_400_000;

describe('credsweep audit --cloudtrail (live, moto)', () => {
  let moto: MotoServer;
  let dir: string;
  let trailFile: string;
  let busyKey: string;
  let twoKeys: string[];
  const env = MOTO_CLI_ENV;

  before(async () => {
    moto = await startMoto();
    const iam = new IAMClient(moto.clientConfig());
    busyKey = (
      await seedUser(moto, iam, {
        name: 'busy',
        createdDaysAgo: 300,
        keys: [{ createdDaysAgo: 300, usedDaysAgo: 200 }],
      })
    ).keyIds[0]!;
    twoKeys = (
      await seedUser(moto, iam, {
        name: 'two-keys',
        createdDaysAgo: 300,
        keys: [
          { createdDaysAgo: 300, usedDaysAgo: 200 },
          { createdDaysAgo: 250, usedDaysAgo: 200 },
        ],
      })
    ).keyIds;
    await moto.setClockOffsetDays(0);
    iam.destroy();
    const user = (name: string, key: string) => ({
      type: 'IAMUser',
      arn: `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT}:user/${name}`,
      accountId: MOTO_DEFAULT_ACCOUNT,
      accessKeyId: key,
      userName: name,
    });
    const at = new Date(Date.now() - 2 * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const records = [
      ...Array.from({ length: 12 }, (_, i) =>
        aTrailRecord({ eventTime: at, userIdentity: user('busy', busyKey), sourceIPAddress: `192.0.2.${i}` }),
      ),
      aTrailRecord({ eventTime: at, userIdentity: user('two-keys', twoKeys[1]!) }),
    ];
    dir = mkdtempSync(join(tmpdir(), 'credsweep-audit-trail-'));
    trailFile = join(dir, 'trail.json');
    writeFileSync(trailFile, JSON.stringify({ Records: records }));
  });
  after(async () => {
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function audit(source: 'api' | 'report'): Promise<AuditReport> {
    const run = await runCredsweep(
      [
        'audit',
        '--source',
        source,
        '--endpoint-url',
        moto.endpoint,
        '--cloudtrail',
        trailFile,
        '--format',
        'json',
      ],
      { env },
    );
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as AuditReport;
  }
  const find = (r: AuditReport, user: string, credential: string) =>
    r.findings.find((f) => f.principalName === user && f.credential === credential)!;

  it('--source api: matched by key id, the right one of two keys, with the many-IPs caveat', async () => {
    const r = await audit('api');
    const busy = find(r, 'busy', 'access_key_1');
    assert.deepEqual([busy.status, busy.lastActivitySource, busy.ageDays], ['in_use', 'cloudtrail', 2]);
    assert.ok(busy.caveats.includes('key_used_from_many_ips'));
    assert.equal(busy.sourceIps?.length, 5);
    const used = r.findings.find((f) => f.accessKeyId === twoKeys[1])!;
    const idle = r.findings.find((f) => f.accessKeyId === twoKeys[0])!;
    assert.deepEqual([used.status, used.lastActivitySource], ['in_use', 'cloudtrail']);
    assert.deepEqual([idle.status, idle.lastActivitySource], ['unused', 'last_used']);
  });

  it('--source report: the key ids of users with CloudTrail evidence are resolved, so it lands on the right key', async () => {
    const r = await audit('report');
    const busy = find(r, 'busy', 'access_key_1');
    assert.deepEqual([busy.status, busy.lastActivitySource], ['in_use', 'cloudtrail']);
    assert.ok(busy.caveats.includes('key_used_from_many_ips'));
    const used = r.findings.find((f) => f.accessKeyId === twoKeys[1])!;
    const idle = r.findings.find((f) => f.accessKeyId === twoKeys[0])!;
    assert.deepEqual([used.status, used.lastActivitySource], ['in_use', 'cloudtrail']);
    assert.deepEqual([idle.status, idle.lastActivitySource], ['unused', 'last_used']);
  });
});
