/**
 * Virtual time for code that takes `now` and `sleep`: sleeps never wait for real; `run` advances the
 * clock to the next pending wake-up whenever everything else is idle.
 */
export class FakeClock {
  private t: number;
  private timers: Array<{ at: number; wake: () => void }> = [];

  constructor(start = 0) {
    this.t = start;
  }

  readonly now = (): number => this.t;

  readonly sleep = (ms: number): Promise<void> =>
    new Promise((wake) => {
      this.timers.push({ at: this.t + Math.max(0, ms), wake });
    });

  /** Runs `work` to completion in virtual time (bounded, so a bug cannot spin forever). */
  async run<T>(work: Promise<T>, maxSteps = 100_000): Promise<T> {
    let done = false;
    const result = work.finally(() => {
      done = true;
    });
    for (let step = 0; step < maxSteps && !done; step++) {
      await new Promise((r) => setImmediate(r));
      if (done) break;
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers.shift();
      if (next) {
        this.t = Math.max(this.t, next.at);
        next.wake();
      }
    }
    if (!done) throw new Error('FakeClock.run: work did not finish');
    return result;
  }
}
