/**
 * A token bucket: `take()` resolves when a call may be made, so that no more than `ratePerSecond`
 * calls start in any one-second window (with the default burst of 1). The clock and the wait are
 * injected, so tests drive it with a fake clock instead of sleeping.
 */
export interface Clock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface TokenBucket {
  take(): Promise<void>;
}

export interface TokenBucketOptions extends Clock {
  ratePerSecond: number;
  /** Tokens that may accumulate while idle (default 1: calls are evenly spaced). */
  burst?: number;
}

export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  const burst = options.burst ?? 1;
  const msPerToken = 1000 / options.ratePerSecond;
  let tokens = burst;
  let stamp = options.now();
  // Callers queue in order: each take waits for the previous one to have its token.
  let queue: Promise<void> = Promise.resolve();

  function refill(): void {
    const now = options.now();
    tokens = Math.min(burst, tokens + (now - stamp) / msPerToken);
    stamp = now;
  }

  async function takeOne(): Promise<void> {
    refill();
    while (tokens < 1) {
      await options.sleep(Math.ceil((1 - tokens) * msPerToken));
      refill();
    }
    tokens -= 1;
  }

  return {
    take() {
      const mine = queue.then(takeOne);
      queue = mine.catch(() => {});
      return mine;
    },
  };
}
