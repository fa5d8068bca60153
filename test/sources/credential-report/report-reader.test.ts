/**
 * ReportReader as the report audit's worker threads use it: the first bad line in file order is the
 * error, whatever the chunking (a bad record no longer hides an earlier bad row of its chunk), and a
 * reader resumed after the header numbers lines and reads rows as the whole-file reader does.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { principalsByAccount } from '../../../src/audit/audit-credential-report.ts';
import { InputError } from '../../../src/errors.ts';
import { ReportReader } from '../../../src/sources/credential-report/parse-csv.ts';

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date';
const row = (name: string, arn = `arn:aws:iam::111122223333:user/${name}`) =>
  `${name},${arn},2020-01-01T00:00:00+00:00,false,N/A,N/A,false,N/A,N/A,false,N/A,N/A`;

async function firstError(text: string, chunks: number[]): Promise<InputError> {
  const parts: string[] = [];
  let at = 0;
  for (const size of chunks) {
    parts.push(text.slice(at, at + size));
    at += size;
  }
  parts.push(text.slice(at));
  try {
    for await (const _ of principalsByAccount(Readable.from(parts), 'r.csv'));
  } catch (e) {
    assert.ok(e instanceof InputError);
    return e;
  }
  assert.fail('expected an input error');
}

describe('ReportReader', () => {
  it('reports the first bad line in file order, a bad row before a bad record in one chunk included', async () => {
    const text = [HEADER, row('a'), row('b', 'not-an-arn'), `${row('c')},extra`, row('d'), ''].join('\n');
    for (const chunks of [[text.length], [10], [HEADER.length + 3, 40], [1, 1, 1]]) {
      const e = await firstError(text, chunks);
      assert.equal(e.location, 'r.csv:3', `chunks ${chunks}`);
      assert.match(e.message, /column arn: not an IAM ARN/);
    }
  });
  it('resumed after the header, reads rows and numbers lines as the whole-file reader', () => {
    const body = [row('a'), '', `"b\nb",arn:aws:iam::1:user/b,x,x,x,x,x,x,x,x,x,x`, row('c'), ''].join('\n');
    const whole = new ReportReader('r.csv');
    const all = [...whole.push(`${HEADER}\n${body}`, false), ...whole.push('', true)];
    const resumed = ReportReader.resume('r.csv', { header: HEADER.split(','), newline: '\n', line: 2 });
    const part = resumed.push(body, false);
    assert.ok(resumed.atRecordStart);
    assert.deepEqual(
      part.map((r) => [r.line, r.cells[0]]),
      all.map((r) => [r.line, r.cells[0]]),
    );
    assert.deepEqual(
      part.map((r) => r.line),
      [2, 4, 6],
    );
  });
  it('says when a part ends inside a quoted field', () => {
    const resumed = ReportReader.resume('r.csv', { header: HEADER.split(','), newline: '\n', line: 2 });
    resumed.push(`${row('a')}\n"b,\n`, false);
    assert.equal(resumed.atRecordStart, false);
  });
});
