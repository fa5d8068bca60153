import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { inAccountOrder } from '../../src/remediation/by-account.ts';

interface Item {
  id: number;
  account: string;
}

const tick = (n: number) => new Promise<void>((ok) => setTimeout(ok, n));

/** Runs items with random waits; records the start order per account and the most accounts in flight. */
async function observe(items: Item[], concurrency: number, waits: number[]) {
  const started = new Map<string, number[]>();
  const inFlight = new Set<string>();
  let most = 0;
  const results = await inAccountOrder(
    items,
    (i) => i.account,
    concurrency,
    async (item) => {
      assert.ok(!inFlight.has(item.account), `two items of ${item.account} at once`);
      inFlight.add(item.account);
      most = Math.max(most, inFlight.size);
      started.set(item.account, [...(started.get(item.account) ?? []), item.id]);
      await tick(waits[item.id % waits.length]!);
      inFlight.delete(item.account);
      return `r${item.id}`;
    },
  );
  return { results, started, most };
}

describe('inAccountOrder', () => {
  it('one account at a time, in its order; up to N accounts at once; results in the items order (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }),
        async (accounts, concurrency, waits) => {
          const items = accounts.map((account, id) => ({ id, account }));
          const { results, started, most } = await observe(items, concurrency, waits);
          assert.deepEqual(
            results,
            items.map((i) => `r${i.id}`),
          );
          for (const [account, ids] of started) {
            assert.deepEqual(
              ids,
              items.filter((i) => i.account === account).map((i) => i.id),
            );
          }
          // Every worker starts on its first account at once, so the bound is reached, not just kept.
          assert.equal(most, Math.min(concurrency, new Set(accounts).size));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('concurrency 1: one account after another, in the order the accounts first appear', async () => {
    const items = ['b', 'a', 'b', 'c', 'a'].map((account, id) => ({ id, account }));
    const order: number[] = [];
    await inAccountOrder(
      items,
      (i) => i.account,
      1,
      async (item) => {
        order.push(item.id);
        await tick(1);
      },
    );
    assert.deepEqual(order, [0, 2, 1, 4, 3]); // b's items, then a's, then c's
  });

  it('after a throw: starts nothing more, lets the items in flight finish, then throws the first error', async () => {
    const items = ['a', 'b', 'a', 'b', 'c', 'c'].map((account, id) => ({ id, account }));
    const begun: number[] = [];
    const finished: number[] = [];
    await assert.rejects(
      inAccountOrder(
        items,
        (i) => i.account,
        2,
        async (item) => {
          begun.push(item.id);
          if (item.id === 0) {
            await tick(5);
            throw new Error('journal: ENOSPC');
          }
          await tick(20);
          finished.push(item.id);
        },
      ),
      /ENOSPC/,
    );
    // a's first item failed; b's first was in flight and finished; nothing else began.
    assert.deepEqual(begun, [0, 1]);
    assert.deepEqual(finished, [1]);
  });
});
