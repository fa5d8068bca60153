import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AwsCallCounter, countCalls } from '../../../src/aws/call-counter.ts';
import { listActiveAccounts } from '../../../src/sources/organizations/list-accounts.ts';
import { MOTO_DEFAULT_ACCOUNT, type MotoServer, startMoto } from '../../helpers/moto.ts';

describe('listActiveAccounts (moto)', () => {
  let moto: MotoServer;
  before(async () => {
    moto = await startMoto();
  });
  after(() => moto.stop());

  it('lists every ACTIVE account across pages of 20 and leaves closed (SUSPENDED) ones out', async () => {
    const organizations = new OrganizationsClient(moto.clientConfig());
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const created: string[] = [];
    for (let i = 0; i < 45; i++) {
      const { CreateAccountStatus } = await organizations.send(
        new CreateAccountCommand({ AccountName: `a-${i}`, Email: `a-${i}@example.com` }),
      );
      created.push(CreateAccountStatus!.AccountId!);
    }
    const closed = created[3]!;
    await organizations.send(new CloseAccountCommand({ AccountId: closed }));

    const counter = new AwsCallCounter();
    const accounts = await listActiveAccounts(countCalls(organizations, counter));
    const ids = accounts.map((a) => a.accountId);
    assert.equal(ids.length, 45, 'the management account and 44 open members');
    assert.ok(ids.includes(MOTO_DEFAULT_ACCOUNT));
    assert.ok(!ids.includes(closed));
    assert.deepEqual(ids, [...ids].sort());
    assert.equal(counter.byOperation.get('Organizations:ListAccounts'), 3, '46 accounts in pages of 20');
    assert.equal(accounts.find((a) => a.accountId === created[0])?.name, 'a-0');
    organizations.destroy();
  });
});
