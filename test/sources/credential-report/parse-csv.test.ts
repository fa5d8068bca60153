import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { auditCredentialReport } from '../../../src/audit/audit-credential-report.ts';
import { InputError } from '../../../src/errors.ts';
import type { Finding } from '../../../src/model/finding.ts';

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date';
const ROW =
  'alice,arn:aws:iam::111122223333:user/alice,2020-01-01T00:00:00+00:00,false,N/A,N/A,true,2020-01-02T00:00:00+00:00,2026-10-01T00:00:00+00:00,false,N/A,N/A';
const ctx = { asOf: Date.UTC(2026, 10, 1), thresholdDays: 90 };

async function audit(text: string | Buffer): Promise<Finding[]> {
  const out: Finding[] = [];
  for await (const f of auditCredentialReport(Readable.from([text]), 'r.csv', ctx)) out.push(f);
  return out;
}

async function inputError(text: string | Buffer): Promise<InputError> {
  try {
    await audit(text);
  } catch (e) {
    assert.ok(e instanceof InputError, `expected InputError, got ${e}`);
    return e;
  }
  assert.fail('expected an input error');
}

describe('credential report CSV', () => {
  it('finds columns by name, in any order, ignoring extra columns', async () => {
    const cols = HEADER.split(',');
    const vals = ROW.split(',');
    const order = cols.map((_, i) => i).reverse();
    const text = `extra_one,${order.map((i) => cols[i]).join(',')},extra_two\nx,${order.map((i) => vals[i]).join(',')},y\n`;
    const f = await audit(text);
    assert.deepEqual(
      f.map((x) => [x.principalName, x.credential, x.status]),
      [['alice', 'access_key_1', 'in_use']],
    );
  });
  it('accepts a UTF-8 BOM and CRLF line ends', async () => {
    const f = await audit(`\ufeff${HEADER}\r\n${ROW}\r\n`);
    assert.equal(f.length, 1);
  });
  it('honours quoted fields (IAM names may contain commas)', async () => {
    const row = ROW.replace(
      'alice,arn:aws:iam::111122223333:user/alice',
      '"ops=billing,eu","arn:aws:iam::111122223333:user/ops=billing,eu"',
    );
    const f = await audit(`${HEADER}\n${row}\n`);
    assert.equal(f[0]!.principalName, 'ops=billing,eu');
  });
  it('a header alone is a valid report with no findings', async () => {
    assert.deepEqual(await audit(`${HEADER}\n`), []);
  });
  it('takes the account id from the ARN in any partition', async () => {
    for (const partition of ['aws', 'aws-cn', 'aws-us-gov']) {
      const f = await audit(`${HEADER}\n${ROW.replaceAll('arn:aws:', `arn:${partition}:`)}\n`);
      assert.equal(f[0]!.accountId, '111122223333');
    }
  });
  it('converts other offsets to UTC', async () => {
    const f = await audit(
      `${HEADER}\n${ROW.replace('2026-10-01T00:00:00+00:00', '2026-10-01T02:00:00+02:00')}\n`,
    );
    assert.equal(f[0]!.lastUsed, '2026-10-01T00:00:00Z');
  });
  it('treats N/A, no_information, not_supported and empty as no date', async () => {
    for (const sentinel of ['N/A', 'no_information', 'not_supported', '']) {
      const f = await audit(`${HEADER}\n${ROW.replace('2026-10-01T00:00:00+00:00', sentinel)}\n`);
      assert.deepEqual([f[0]!.neverUsed, f[0]!.lastActivitySource], [true, 'last_rotated'], sentinel);
    }
  });

  describe('errors name the file, line and column', () => {
    const cases: Array<[string, string | Buffer, RegExp, number | undefined]> = [
      ['an empty file', '', /empty file/, 1],
      [
        'a missing column',
        `${HEADER.replace(',access_key_2_last_used_date', '')}\n`,
        /missing column access_key_2_last_used_date/,
        1,
      ],
      [
        'a wrong field count',
        `${HEADER}\n${ROW}\n${ROW},extra\n`,
        /expected 12 fields as in the header, found 13/,
        3,
      ],
      [
        'a bad date',
        `${HEADER}\n${ROW.replace('2026-10-01T00:00:00+00:00', 'last tuesday')}\n`,
        /column access_key_1_last_used_date: not an ISO-8601 date-time: "last tuesday"/,
        2,
      ],
      [
        'a bad boolean',
        `${HEADER}\n${ROW.replace(',true,', ',yes,')}\n`,
        /column access_key_1_active: expected true or false, found "yes"/,
        2,
      ],
      [
        'a bad password_enabled',
        `${HEADER}\n${ROW.replace(',false,N/A', ',maybe,N/A')}\n`,
        /column password_enabled: expected true, false or not_supported/,
        2,
      ],
      [
        // The first cell was read: the key looked never used (it is used) and was planned for deletion.
        'a known column twice (its second cell says something else)',
        `${HEADER},access_key_1_last_used_date\n${ROW.replace('2026-10-01T00:00:00+00:00', 'N/A')},2026-10-01T00:00:00+00:00\n`,
        /column access_key_1_last_used_date appears twice \(fields 9 and 13\)/,
        1,
      ],
      ['an unclosed quote', `${HEADER}\n"alice,${ROW}\n`, /not valid CSV/, undefined],
      [
        'binary garbage',
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]),
        /not a credential report|not valid CSV/,
        undefined,
      ],
      [
        'a non-IAM ARN',
        `${HEADER}\n${ROW.replace('arn:aws:iam::111122223333:user/alice', 'arn:aws:s3:::bucket')}\n`,
        /column arn: not an IAM ARN/,
        2,
      ],
      [
        'a missing creation date',
        `${HEADER}\n${ROW.replace('2020-01-01T00:00:00+00:00', 'N/A')}\n`,
        /column user_creation_time/,
        2,
      ],
    ];
    for (const [what, text, message, line] of cases) {
      it(what, async () => {
        const e = await inputError(text);
        assert.match(e.message, message);
        assert.equal(e.file, 'r.csv');
        if (line !== undefined) assert.equal(e.line, line);
      });
    }
  });
});
