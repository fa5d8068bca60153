import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTokenBucket } from '../../../src/sources/cloudtrail/rate-limit.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

/** The most calls that started in any window [t, t + 1000). */
function maxPerSecond(times: number[]): number {
  return Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
}

describe('createTokenBucket', () => {
  it('spaces 10 concurrent callers at 2 per second: never more than 2 in any second', async () => {
    const clock = new FakeClock(1_000_000);
    const bucket = createTokenBucket({ ratePerSecond: 2, now: clock.now, sleep: clock.sleep });
    const times: number[] = [];
    await clock.run(
      Promise.all(
        Array.from({ length: 10 }, () => bucket.take().then(() => void times.push(clock.now() - 1_000_000))),
      ),
    );
    assert.deepEqual(times, [0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500]);
    assert.equal(maxPerSecond(times), 2);
  });

  it('does not wait when calls are already slower than the rate', async () => {
    const clock = new FakeClock();
    const waits: number[] = [];
    const bucket = createTokenBucket({
      ratePerSecond: 2,
      now: clock.now,
      sleep: (ms) => {
        waits.push(ms);
        return clock.sleep(ms);
      },
    });
    await clock.run(
      (async () => {
        for (let i = 0; i < 5; i++) {
          await bucket.take();
          await clock.sleep(800);
        }
      })(),
    );
    assert.deepEqual(waits, []);
  });

  it('with a burst, lets that many through at once and then keeps the rate', async () => {
    const clock = new FakeClock();
    const bucket = createTokenBucket({ ratePerSecond: 2, burst: 3, now: clock.now, sleep: clock.sleep });
    const times: number[] = [];
    await clock.run(
      Promise.all(Array.from({ length: 5 }, () => bucket.take().then(() => void times.push(clock.now())))),
    );
    assert.deepEqual(times, [0, 0, 0, 500, 1000]);
  });
});
