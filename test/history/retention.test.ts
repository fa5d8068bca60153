/**
 * The history's retention (src/history/retention.ts): which whole runs --keep-runs and --keep-days
 * remove, judged against an injected "now"; the newest run is always kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeRetention,
  idRanges,
  type Retention,
  resolveRetention,
  runsPastRetention,
} from '../../src/history/retention.ts';
import { toIso } from '../../src/time.ts';
import { AS_OF, daysAgo } from '../helpers/builders.ts';

/** Runs 1..n, one a day, the last at AS_OF (run i ran n - i days before it). */
const daily = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: i + 1, runAt: toIso(daysAgo(n - 1 - i)) }));

describe('runsPastRetention', () => {
  const cases: [string, ReturnType<typeof daily>, Retention, number[]][] = [
    ['no limit: nothing', daily(5), {}, []],
    ['keepRuns 3 of 5: the two oldest', daily(5), { keepRuns: 3 }, [1, 2]],
    ['keepRuns 5 of 5: nothing', daily(5), { keepRuns: 5 }, []],
    ['keepRuns 1: all but the newest', daily(4), { keepRuns: 1 }, [1, 2, 3]],
    // run 1 ran 4 days ago, run 2 3 days ago: exactly keepDays old is kept, older is not
    ['keepDays 3: older than 3 days', daily(5), { keepDays: 3 }, [1]],
    ['keepDays 10: nothing', daily(5), { keepDays: 10 }, []],
    ['both: either limit removes (the count here)', daily(5), { keepRuns: 2, keepDays: 10 }, [1, 2, 3]],
    ['both: either limit removes (the age here)', daily(5), { keepRuns: 4, keepDays: 1 }, [1, 2, 3]],
    ['an empty history: nothing', [], { keepRuns: 1, keepDays: 1 }, []],
  ];
  for (const [name, runs, retention, removed] of cases) {
    it(name, () => assert.deepEqual(runsPastRetention(runs, retention, AS_OF), removed));
  }

  it('a run a millisecond past keepDays is removed; one exactly keepDays old is kept', () => {
    const runs = [
      { id: 1, runAt: toIso(daysAgo(30) - 1) },
      { id: 2, runAt: toIso(daysAgo(30)) },
      { id: 3, runAt: toIso(AS_OF) },
    ];
    assert.deepEqual(runsPastRetention(runs, { keepDays: 30 }, AS_OF), [1]);
  });

  it('the newest run (the last stored) is always kept, however old', () => {
    const runs = [
      { id: 7, runAt: toIso(daysAgo(400)) },
      { id: 9, runAt: toIso(daysAgo(300)) },
      { id: 8, runAt: toIso(daysAgo(350)) },
    ];
    assert.deepEqual(runsPastRetention(runs, { keepDays: 1 }, AS_OF), [7, 8]);
    assert.deepEqual(runsPastRetention(runs, { keepRuns: 1, keepDays: 1 }, AS_OF), [7, 8]);
  });

  it('newest is by id (storage order), not by time: a run stored last with an earlier clock is kept', () => {
    const runs = [
      { id: 1, runAt: toIso(AS_OF) },
      { id: 2, runAt: toIso(daysAgo(2)) },
    ];
    assert.deepEqual(runsPastRetention(runs, { keepRuns: 1 }, AS_OF), [1]);
  });

  it('a run whose time cannot be read is not judged old (its age is unknown)', () => {
    const runs = [
      { id: 1, runAt: 'garbage' },
      { id: 2, runAt: toIso(AS_OF) },
    ];
    assert.deepEqual(runsPastRetention(runs, { keepDays: 1 }, AS_OF), []);
    assert.deepEqual(runsPastRetention(runs, { keepRuns: 1 }, AS_OF), [1], 'the count still applies');
  });

  it('a run after "now" (a clock ahead) is young, not removed', () => {
    const runs = [
      { id: 1, runAt: toIso(AS_OF + 86_400_000) },
      { id: 2, runAt: toIso(AS_OF) },
    ];
    assert.deepEqual(runsPastRetention(runs, { keepDays: 1 }, AS_OF), []);
  });
});

describe('resolveRetention', () => {
  it('a flag wins over its configuration key; the other key still applies', () => {
    assert.deepEqual(resolveRetention({ keepRuns: 5 }, { keepRuns: 50, keepDays: 90 }), {
      keepRuns: 5,
      keepDays: 90,
    });
    assert.deepEqual(resolveRetention({}, { keepDays: 90 }), { keepDays: 90 });
    assert.deepEqual(resolveRetention({ keepDays: 7 }, undefined), { keepDays: 7 });
  });

  it('neither flags nor configuration: no retention (every run is kept)', () => {
    assert.equal(resolveRetention({}, undefined), undefined);
    assert.equal(resolveRetention({}, {}), undefined);
  });
});

describe('in words', () => {
  it('describeRetention', () => {
    assert.equal(describeRetention({ keepRuns: 30 }), 'at most 30 runs');
    assert.equal(describeRetention({ keepRuns: 1, keepDays: 1 }), 'at most 1 run, none older than 1 day');
    assert.equal(describeRetention({ keepDays: 90 }), 'none older than 90 days');
  });

  it('idRanges', () => {
    assert.equal(idRanges([]), '');
    assert.equal(idRanges([4]), '4');
    assert.equal(idRanges([1, 2, 3, 7, 9, 10]), '1-3, 7, 9-10');
    assert.equal(idRanges(Array.from({ length: 10_000 }, (_, i) => i + 1)), '1-10000');
  });
});
