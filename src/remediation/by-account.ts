/**
 * `inAccountOrder(items, accountOf, concurrency, run)` → results in the items' order.
 *
 * Runs `run` on every item: the items of one account one after another, in their order (a plan's
 * steps for one credential keep their sequence), and up to `concurrency` accounts at once (steps in
 * different accounts touch different credentials and different clients). If `run` throws (a journal
 * that can no longer be written), no further item is started anywhere, and the first error is thrown
 * once the items already in flight have settled: nothing is left running behind a closed journal.
 */
import { mapBounded } from '../audit/map-bounded.ts';

export async function inAccountOrder<T, R>(
  items: readonly T[],
  accountOf: (item: T) => string,
  concurrency: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const groups = new Map<string, number[]>();
  items.forEach((item, index) => {
    const account = accountOf(item);
    const group = groups.get(account);
    if (group) group.push(index);
    else groups.set(account, [index]);
  });
  const results = new Array<R>(items.length);
  let failure: { error: unknown } | undefined;
  await mapBounded([...groups.values()], concurrency, async (indices) => {
    for (const index of indices) {
      if (failure) return;
      try {
        results[index] = await run(items[index]!);
      } catch (error) {
        failure ??= { error };
        return;
      }
    }
  });
  if (failure) throw failure.error;
  return results;
}
