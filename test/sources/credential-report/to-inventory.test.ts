/**
 * rowToPrincipal's "no value" words (docs/aws-behaviour.md §1.1): N/A, no_information, not_supported and
 * empty, in any case, are no value; anything else (a region, a service) is kept as written.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { principalsByAccount } from '../../../src/audit/audit-credential-report.ts';

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date';

async function keyRegionAndService(cell: string): Promise<[unknown, unknown]> {
  const row = `alice,arn:aws:iam::111122223333:user/alice,2020-01-01T00:00:00+00:00,false,N/A,N/A,true,2020-01-02T00:00:00+00:00,N/A,${cell},${cell},false,N/A,N/A`;
  for await (const [principal] of principalsByAccount(Readable.from([`${HEADER}\n${row}\n`]), 'r.csv')) {
    const key = principal!.accessKeys[0]!;
    return [key.lastUsedRegion, key.lastUsedService];
  }
  assert.fail('no principal');
}

describe('rowToPrincipal: the words for no value', () => {
  for (const cell of ['N/A', 'n/a', 'N/a', 'no_information', 'NO_INFORMATION', 'Not_Supported', '']) {
    it(`"${cell}" is no value`, async () => assert.deepEqual(await keyRegionAndService(cell), [null, null]));
  }
  for (const cell of ['us-east-1', 's3', 'n/ab', 'na', 'none', 'ñ/a', 'Ｎ/A', 'iam']) {
    it(`"${cell}" is a value`, async () => assert.deepEqual(await keyRegionAndService(cell), [cell, cell]));
  }
});

describe('rowToPrincipal: the account of each row', () => {
  // rowToPrincipal reuses the account of the row before when an ARN starts as that row's did.
  const rowOf = (arn: string, line: number) =>
    `u${line},${arn},2020-01-01T00:00:00+00:00,false,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,N/A`;
  const arns = [
    'arn:aws:iam::111:user/a',
    'arn:aws:iam::111:user/b',
    'arn:aws:iam::1112:user/c',
    'arn:aws:iam::111:user/d',
    'arn:aws-cn:iam::111:user/e',
    'arn:aws-cn:iam::111:role/f',
    'arn:aws:iam::0111:user/g',
    'arn:aws:iam::111:user/h',
  ];
  it('is read from its own ARN, whatever the row before (and origin names file and line)', async () => {
    const text = `${HEADER}\n${arns.map((a, i) => rowOf(a, i + 2)).join('\n')}\n`;
    const seen: { accountId: string; arn: string; origin?: string }[] = [];
    for await (const principals of principalsByAccount(Readable.from([text]), 'r.csv'))
      seen.push(...principals);
    assert.deepEqual(
      seen.map((p) => [p.accountId, p.arn, p.origin]),
      arns.map((a, i) => [/::(\d+):/.exec(a)![1], a, `r.csv:${i + 2}`]),
    );
  });
  it('an ARN that is not IAM after one that was still fails', async () => {
    const text = `${HEADER}\n${rowOf(arns[0]!, 2)}\n${rowOf('arn:aws:iam:111:user/x', 3)}\n`;
    await assert.rejects(
      (async () => {
        for await (const _ of principalsByAccount(Readable.from([text]), 'r.csv'));
      })(),
      /not an IAM ARN/,
    );
  });
});
