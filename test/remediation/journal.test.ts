import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InputError, InternalError, UsageError } from '../../src/errors.ts';
import type { JournalEntry } from '../../src/model/remediation-journal.ts';
import type { PlanStep } from '../../src/model/remediation-plan.ts';
import { parseDuration } from '../../src/cli/remediation-options.ts';
import { changedSincePlan, checkPlanAge, formatDuration } from '../../src/remediation/apply.ts';
import {
  deactivationDates,
  foldJournal,
  JournalWriter,
  journalEntries,
  readJournal,
} from '../../src/remediation/journal.ts';
import { assembleRemediationPlan } from '../../src/remediation/plan.ts';
import { undoJournal } from '../../src/remediation/undo.ts';
import type { RemediationClients } from '../../src/remediation/actions/index.ts';
import { MAX_RECORDED_EXEMPT_TAGS } from '../../src/model/remediation-plan.ts';

const dir = mkdtempSync(join(tmpdir(), 'credsweep-journal-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const STEP: PlanStep = {
  id: '111122223333/deactivate-access-key/AKIA1',
  action: 'deactivate-access-key',
  accountId: '111122223333',
  principalType: 'user',
  principalName: 'alice',
  arn: 'arn:aws:iam::111122223333:user/alice',
  credential: 'access_key_1',
  accessKeyId: 'AKIA1',
  reversible: true,
  reason: 'unused',
  expected: { status: 'Active', lastUsed: '2026-01-01T00:00:00Z' },
};

function line(type: JournalEntry['type'], at: string, extra: Partial<JournalEntry> = {}): JournalEntry {
  return { v: 2, at, runId: 'r1', phase: 'apply', type, planDigest: 'd1', step: STEP, ...extra };
}

describe('journal', () => {
  it('round-trips entries, one JSON line each', () => {
    const file = join(dir, 'roundtrip.jsonl');
    const w = new JournalWriter(file);
    const entries = [line('intent', '2026-11-01T00:00:00Z'), line('done', '2026-11-01T00:00:01Z')];
    for (const e of entries) w.append(e);
    w.close();
    assert.deepEqual(readJournal(file), entries);
  });

  it('ignores a torn last line (the run was killed mid-write)', () => {
    const file = join(dir, 'torn.jsonl');
    writeFileSync(file, `${JSON.stringify(line('intent', '2026-11-01T00:00:00Z'))}\n`);
    appendFileSync(file, '{"v":2,"at":"2026-11-01T00:00:0');
    assert.equal(readJournal(file).length, 1);
  });

  it('an unterminated last line that is not the start of a journal line is no journal, not an empty one', () => {
    // before, a plan or report saved without its last newline read as an empty journal: "nothing to reverse"
    const minified = join(dir, 'minified-report.json');
    writeFileSync(minified, JSON.stringify({ schemaVersion: 1, findings: [], summary: {}, accounts: [] }));
    assert.throws(
      () => readJournal(minified),
      (e) => e instanceof InputError && /not a credsweep apply journal/.test(e.message),
    );
    const array = join(dir, 'array.json');
    writeFileSync(array, '[]');
    assert.throws(
      () => readJournal(array),
      (e) => e instanceof InputError && e.line === 1 && e.message === 'not a credsweep journal line',
    );
    // a torn first line of a real journal is still a run killed before anything was done
    const torn = join(dir, 'torn-first.jsonl');
    writeFileSync(torn, '{"v":2,"at":"2026-11-01T');
    assert.deepEqual(readJournal(torn), []);
  });

  it('a run appending after a torn last line cuts it off first (it used to land on its end: a line no reader could parse)', () => {
    const file = join(dir, 'torn-then-resumed.jsonl');
    writeFileSync(file, `${JSON.stringify(line('intent', '2026-11-01T00:00:00Z'))}\n`);
    appendFileSync(file, '{"v":2,"at":"2026-11-01T00:00:0');
    const w = new JournalWriter(file);
    w.append(line('done', '2026-11-01T00:00:02Z'));
    w.close();
    assert.deepEqual(
      readJournal(file).map((e) => e.type),
      ['intent', 'done'],
    );
  });

  it('a run appending after a last line that lacks only its newline gives it one (it is a whole line: cutting it dropped it)', () => {
    const file = join(dir, 'newline-lost-then-resumed.jsonl');
    writeFileSync(file, JSON.stringify(line('intent', '2026-11-01T00:00:00Z')));
    const w = new JournalWriter(file);
    w.append(line('done', '2026-11-01T00:00:02Z'));
    w.close();
    assert.deepEqual(
      readJournal(file).map((e) => e.type),
      ['intent', 'done'],
    );
  });

  it('a torn last line after bytes that are not UTF-8 is cut at its own byte (the cut was counted in decoded text)', () => {
    const file = join(dir, 'torn-after-bad-bytes.jsonl');
    const entry = JSON.stringify(line('intent', '2026-11-01T00:00:00Z')).replace('alice', 'ali\u00e9');
    // the é written as a lone Latin-1 byte: decoded, it becomes U+FFFD, three bytes in UTF-8
    writeFileSync(file, Buffer.concat([Buffer.from(`${entry}\n`, 'latin1'), Buffer.from('{"v":2,"at":"20')]));
    const w = new JournalWriter(file);
    w.close();
    assert.deepEqual(readFileSync(file), Buffer.from(`${entry}\n`, 'latin1'));
  });

  it('a FIFO or device where the journal goes is refused, not read or written forever', () => {
    const fifo = join(dir, 'journal.fifo');
    execFileSync('mkfifo', [fifo]);
    // reading it (undo, apply's history, a plan's --journal list) would wait for a writer for ever
    assert.throws(
      () => readJournal(fifo),
      (e) => e instanceof InputError && /a FIFO/.test(e.message),
    );
    assert.throws(
      () => new JournalWriter(fifo),
      (e) => e instanceof InputError && /not a regular file/.test(e.message),
    );
    assert.throws(
      () => new JournalWriter('/dev/null'),
      (e) => e instanceof InputError && /not a regular file/.test(e.message),
    );
  });

  it("with a plan key, a new journal's lines chain from '' (the start), each naming the line before it", () => {
    const file = join(dir, 'chained.jsonl');
    const key = Buffer.from('a plan key of 32 bytes, for test');
    const w = new JournalWriter(file);
    const entry = journalEntries('apply', 'r1', () => Date.UTC(2026, 10, 1), {
      planDigest: 'd1',
      key,
      journal: w,
    });
    w.append(entry({ type: 'run' }));
    w.append(entry({ type: 'intent', step: STEP }));
    // built for the end of the journal, then not appended there: a bug, refused
    const stale = entry({ type: 'done', step: STEP });
    w.append(entry({ type: 'done', step: STEP }));
    assert.throws(() => w.append(stale), InternalError);
    w.close();
    const read = readJournal(file, { key });
    assert.deepEqual(
      read.map((e) => e.prev),
      ['', read[0]!.mac, read[1]!.mac],
    );
  });

  it('rejects a bad line elsewhere with its line number', () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, `not json\n${JSON.stringify(line('done', '2026-11-01T00:00:00Z'))}\n`);
    assert.throws(
      () => readJournal(file),
      (e) => e instanceof InputError && e.location === `${file}:1`,
    );
    writeFileSync(file, `${JSON.stringify({ v: 3 })}\n`);
    assert.throws(
      () => readJournal(file),
      (e) => e instanceof InputError && /journal line/.test(e.message),
    );
  });

  it('one writer at a time; a lock left by a dead process is taken over', () => {
    const file = join(dir, 'locked.jsonl');
    const first = new JournalWriter(file);
    assert.throws(
      () => new JournalWriter(file),
      (e) => e instanceof UsageError && /in use by another credsweep \(pid \d+\)/.test(e.message),
    );
    first.close();
    new JournalWriter(file).close();
    writeFileSync(`${file}.lock`, '2147483646'); // no such process
    const resumed = new JournalWriter(file);
    resumed.close();
  });

  it('a missing journal is empty for apply, an input error for undo', () => {
    assert.deepEqual(readJournal(join(dir, 'absent.jsonl'), { missingOk: true }), []);
    assert.throws(() => readJournal(join(dir, 'absent.jsonl')), InputError);
  });

  it('folds each step to its latest state', () => {
    const states = (entries: JournalEntry[]) => foldJournal(entries).get(STEP.id)?.state;
    const intent = line('intent', '2026-11-01T00:00:00Z');
    const done = line('done', '2026-11-01T00:00:01Z');
    assert.equal(states([intent]), 'apply_in_flight');
    assert.equal(states([intent, done]), 'applied');
    assert.equal(states([intent, line('failed', '2026-11-01T00:00:01Z')]), 'apply_failed');
    const undone = { ...done, phase: 'undo' as const };
    assert.equal(states([intent, done, { ...intent, phase: 'undo' }]), 'undo_in_flight');
    assert.equal(states([intent, done, undone]), 'undone');
  });

  it('knows when credsweep deactivated a key, and forgets it once undone', () => {
    const intent = line('intent', '2026-10-01T00:00:00Z');
    const done = line('done', '2026-10-01T00:00:01Z');
    assert.equal(deactivationDates([intent, done]).get('AKIA1'), Date.parse('2026-10-01T00:00:01Z'));
    assert.equal(deactivationDates([intent, done, { ...done, phase: 'undo' }]).size, 0);
    assert.equal(deactivationDates([intent]).size, 0);
  });
});

describe('re-verification before acting (changed_since_plan)', () => {
  const cases: [string, Parameters<typeof changedSincePlan>[1], RegExp | null][] = [
    ['unchanged', { exists: true, status: 'Active', lastUsed: '2026-01-01T00:00:00Z' }, null],
    [
      'used after the data was taken',
      { exists: true, status: 'Active', lastUsed: '2026-06-01T00:00:00Z' },
      /used at/,
    ],
    [
      'deactivated by someone else',
      { exists: true, status: 'Inactive', lastUsed: '2026-01-01T00:00:00Z' },
      /status/,
    ],
    ['deleted since', { exists: false, lastUsed: null }, /no longer exists/],
    ['a status this version does not know', { exists: true, status: 'Expired', lastUsed: null }, /Expired/],
  ];
  for (const [name, state, expected] of cases) {
    it(name, () => {
      const why = changedSincePlan(STEP, state);
      if (expected === null) assert.equal(why, null);
      else assert.match(why ?? '', expected);
    });
  }
  it('a never-used key that is now used counts as changed', () => {
    const neverUsed = { ...STEP, expected: { status: 'Active' as const, lastUsed: null } };
    assert.match(
      changedSincePlan(neverUsed, { exists: true, status: 'Active', lastUsed: '2026-11-01T00:00:00Z' }) ?? '',
      /used at/,
    );
  });
});

describe('plan age (--max-plan-age)', () => {
  const collected = Date.parse('2026-11-01T00:00:00Z');
  const plan = assembleRemediationPlan([], {
    dataCollectedAt: collected,
    createdAt: collected + 3_600_000,
    asOf: Date.parse('2027-06-01T00:00:00Z'),
    thresholdDays: 90,
    deleteAfterDays: 30,
    allowIrreversible: false,
    includeRoot: false,
    include: [],
    exclude: [],
    caller: { accountId: '1', arn: 'a', accessKeyId: null },
  });
  it('accepts data younger than the limit, whatever --as-of says', () => {
    checkPlanAge(plan, 'plan.json', collected + 23 * 3_600_000, 24 * 3_600_000);
  });
  it('refuses older data, counted from when it was collected, not from when the plan was made', () => {
    assert.throws(
      () => checkPlanAge(plan, 'plan.json', collected + 25 * 3_600_000, 24 * 3_600_000),
      (e) => e instanceof InputError && /collected 25h ago/.test(e.message) && e.location === 'plan.json',
    );
  });
  it('says the age to the second, so that it never reads as the limit it exceeds', () => {
    assert.throws(
      () => checkPlanAge(plan, 'plan.json', collected + 1_500, 1_000),
      (e) => e instanceof InputError && /collected 2s ago .*more than --max-plan-age 1s$/.test(e.message),
    );
    assert.throws(
      () => checkPlanAge(plan, 'plan.json', collected + 24 * 3_600_000 + 90_000, 24 * 3_600_000),
      (e) =>
        e instanceof InputError && /collected 24h 1m 30s ago .*more than --max-plan-age 24h$/.test(e.message),
    );
    assert.equal(formatDuration(8 * 86_400_000 + 3_600_000), '8d 1h');
    assert.equal(formatDuration(0), '0s');
  });
});

describe('--max-plan-age takes a number and its unit', () => {
  it('90m, 24h, 7d, 30s; a bare number is refused (it was read as seconds)', () => {
    assert.equal(parseDuration('90m'), 90 * 60_000);
    assert.equal(parseDuration('24h'), 24 * 3_600_000);
    assert.equal(parseDuration('7d'), 7 * 86_400_000);
    assert.equal(parseDuration('30s'), 30_000);
    for (const bad of ['1', '24', '1.5h', 'h', '-1d'])
      assert.throws(() => parseDuration(bad), /a number and its unit \(s, m, h or d\)/, bad);
  });
});

describe('re-verification compares whole seconds', () => {
  it('the report’s 19:04:21 and the API’s 19:04:21.937 are the same use', () => {
    const step = { ...STEP, expected: { status: 'Active' as const, lastUsed: '2026-07-26T19:04:21Z' } };
    assert.equal(
      changedSincePlan(step, { exists: true, status: 'Active', lastUsed: '2026-07-26T19:04:21.937Z' }),
      null,
    );
    assert.match(
      changedSincePlan(step, { exists: true, status: 'Active', lastUsed: '2026-07-26T19:04:22.001Z' }) ?? '',
      /used at/,
    );
  });
});

describe("undo and the exempt tags apply's run lines record", () => {
  it('more distinct tags than one plan can record is a journal someone wrote: refused before anything is journalled or read', async () => {
    const tags = (from: number) =>
      Array.from({ length: MAX_RECORDED_EXEMPT_TAGS }, (_, i) => ({ tagKey: `t${from + i}`, tagValue: 'x' }));
    const entries = [
      line('run', '2026-01-01T00:00:00Z', { step: undefined, exemptTags: tags(0) }),
      line('run', '2026-01-02T00:00:00Z', { step: undefined, exemptTags: tags(0) }),
      line('intent', '2026-01-02T00:00:01Z'),
      line('done', '2026-01-02T00:00:02Z'),
    ];
    const file = join(dir, 'forged-tags.jsonl');
    const linesOf = (journalled: JournalEntry[]) => journalled.map((e) => `${JSON.stringify(e)}\n`).join('');
    const undo = async (journalled: JournalEntry[]) => {
      // the journal holds what undo is given (undoJournal checks that it does)
      writeFileSync(file, linesOf(journalled));
      const journal = new JournalWriter(file);
      try {
        const clients = {
          iam: () => assert.fail('no AWS call'),
        } as unknown as RemediationClients;
        return await undoJournal(journalled, {
          clients,
          journal,
          now: () => Date.parse('2026-02-01T00:00:00Z'),
          runId: 'u1',
          planDigest: 'd1',
          // taken as written (undo --trust-unsigned-journal): the tags are what refuses it
          trustUnsignedJournal: true,
        });
      } finally {
        journal.close();
      }
    };
    const forged = [
      ...entries.slice(0, 1),
      line('run', '2026-01-02T00:00:00Z', { step: undefined, exemptTags: tags(1) }),
      ...entries.slice(2),
    ];
    await assert.rejects(
      undo(forged),
      (e: unknown) => e instanceof InputError && /more than 50 exempt tags/.test(e.message),
    );
    assert.equal(readFileSync(file, 'utf8'), linesOf(forged), 'nothing journalled');
  });
});
