/**
 * undo reverses only credsweep's own, confirmed changes (issue 11 item 4), against moto: a step whose
 * apply was interrupted before its `done` line is not reversed, even when a responder has since
 * deactivated the key by hand; a journal with a forged line (wrong HMAC with a plan key), a line of
 * another plan or an unparseable line is refused; a journal not sealed with the plan key (one anyone
 * with write access could have forged) is refused unless taken as written (--trust-unsigned-journal);
 * a confirmed step whose credential is no longer as credsweep left it is left alone. (After an undo, apply refusing the plan: test/e2e/remediation.test.ts.)
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IAMClient, TagUserCommand, UntagUserCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Exemption } from '../../src/config/schema.ts';
import { InputError } from '../../src/errors.ts';
import type { JournalEntry } from '../../src/model/remediation-journal.ts';
import type { PlanStep } from '../../src/model/remediation-plan.ts';
import { ACTIONS } from '../../src/remediation/actions/index.ts';
import { exemptionCheck } from '../../src/remediation/exemptions.ts';
import { journalEntries, JournalWriter, readJournal } from '../../src/remediation/journal.ts';
import { macJournalEntry } from '../../src/remediation/plan-digest.ts';
import { undoJournal } from '../../src/remediation/undo.ts';
import { type MotoServer, startMoto } from '../helpers/moto.ts';
import {
  motoRemediationClients,
  type RemediationFixture,
  seedRemediationFixture,
} from '../helpers/remediation-fixture.ts';

describe('undo reverses only confirmed changes, while the credential is as credsweep left it (moto)', () => {
  let moto: MotoServer;
  let iam: IAMClient;
  let dir: string;
  let fx: RemediationFixture;
  let dave: PlanStep;
  let files = 0;
  const KEY = Buffer.from('a plan key of 32 bytes, for test');
  const EXEMPT = { owner: 'sec', reason: 'frozen for incident 7', expires: '2099-12-31' };

  before(async () => {
    moto = await startMoto();
    iam = new IAMClient(moto.clientConfig());
    dir = mkdtempSync(join(tmpdir(), 'credsweep-undo-'));
    fx = await seedRemediationFixture(moto, iam, dir);
    dave = fx.plan.steps.find((s) => s.principalName === 'dave')!;
  });
  after(async () => {
    iam.destroy();
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const setDave = (Status: 'Active' | 'Inactive') =>
    iam.send(new UpdateAccessKeyCommand({ UserName: 'dave', AccessKeyId: dave.accessKeyId!, Status }));
  const daveStatus = async () =>
    (await ACTIONS[dave.action].readState(motoRemediationClients(moto, iam), dave, { now: Date.now() }))
      .status;

  /** A journal credsweep itself would write for the plan: its run line, then `types` for dave's step. */
  async function journalWith(types: ('intent' | 'done')[], key?: Buffer, step = dave): Promise<string> {
    const file = join(dir, `journal-${++files}.jsonl`);
    const before = await ACTIONS[dave.action].readState(motoRemediationClients(moto, iam), dave, {
      now: Date.now(),
    });
    const w = new JournalWriter(file);
    const entry = journalEntries('apply', 'run-1', Date.now, {
      planDigest: fx.plan.digest.value,
      key,
      journal: w,
    });
    w.append(entry({ type: 'run', plan: { file: 'plan.json', dataCollectedAt: fx.plan.dataCollectedAt } }));
    for (const type of types) w.append(entry({ type, step, before }));
    w.close();
    return file;
  }

  /**
   * undo as the library runs it. A journal written here without a key is taken as written
   * (`trustUnsignedJournal`, undo --trust-unsigned-journal) unless `trust` says otherwise: most cases
   * are about what undo does with what a journal says; those about trusting it pass `trust`.
   */
  async function undo(
    file: string,
    key?: Buffer,
    exemptions: Exemption[] = [],
    callerArn = `arn:aws:iam::${dave.accountId}:user/ops`,
    trust = key === undefined,
    entries = readJournal(file, { key }),
  ) {
    const journal = new JournalWriter(file);
    const clients = motoRemediationClients(moto, iam);
    try {
      return await undoJournal(entries, {
        clients,
        journal,
        now: Date.now,
        runId: 'undo-1',
        planDigest: entries[0]!.planDigest,
        key,
        trustUnsignedJournal: trust,
        exemptions: exemptionCheck(exemptions, Date.now()),
        callerArn,
      });
    } finally {
      journal.close();
      clients.destroy();
    }
  }

  it('apply killed after its intent, a responder then deactivates the key by hand: undo leaves it Inactive', async () => {
    const file = await journalWith(['intent']);
    await setDave('Inactive'); // the responder, containing a leak
    const results = await undo(file);
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['not_confirmed'],
    );
    assert.match(results[0]!.detail ?? '', /interrupted before confirming/);
    assert.equal(await daveStatus(), 'Inactive');
    await setDave('Active');
  });

  it('a confirmed step whose key was reactivated, used and deactivated again since is left alone', async () => {
    const file = await journalWith(['intent', 'done']);
    await setDave('Inactive');
    await setDave('Active');
    const sts = new STSClient(moto.clientConfig({ accessKeyId: dave.accessKeyId!, secretAccessKey: 'any' }));
    await sts.send(new GetCallerIdentityCommand({})); // moto records the use (docs/aws-behaviour.md §7.1)
    sts.destroy();
    await setDave('Inactive');
    const results = await undo(file);
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['skipped'],
    );
    assert.match(results[0]!.detail ?? '', /not as credsweep left it .*last used/);
    assert.equal(await daveStatus(), 'Inactive');
    await setDave('Active');
  });

  // Never an exempt principal, undo included: a principal made exempt since the apply (a responder
  // freezing it, an exemption added) is left as it is, whichever way the exemption is expressed.
  for (const [how, exemptions, tag] of [
    ['tagged credsweep:exempt=true since', [], { Key: 'credsweep:exempt', Value: 'true' }],
    [
      'tagged Credsweep:Exempt=TRUE since (the key in other case)',
      [],
      { Key: 'Credsweep:Exempt', Value: 'TRUE' },
    ],
    ['exempt by a configuration exemption by name', [{ principal: 'DAVE', ...EXEMPT }], undefined],
    [
      'exempt by a configuration exemption by ARN glob',
      [{ arn: 'arn:aws:iam::*:user/dav?', ...EXEMPT }],
      undefined,
    ],
    [
      'exempt by a configuration tag exemption',
      [{ tag: { key: 'hold' }, ...EXEMPT }],
      { Key: 'hold', Value: 'IR-7' },
    ],
    [
      'exempt by a configuration exemption for access keys, until today',
      [
        {
          principal: 'dave',
          credentials: ['access_key'],
          ...EXEMPT,
          expires: new Date().toISOString().slice(0, 10),
        },
      ],
      undefined,
    ],
  ] as const) {
    it(`a confirmed step of a principal ${how} is left as it is`, async () => {
      const file = await journalWith(['intent', 'done']);
      await setDave('Inactive'); // as apply left it
      if (tag) await iam.send(new TagUserCommand({ UserName: 'dave', Tags: [tag] }));
      try {
        const results = await undo(file, undefined, [...exemptions] as Exemption[]);
        assert.deepEqual(
          results.map((r) => r.outcome),
          ['skipped'],
        );
        assert.match(results[0]!.detail ?? '', /exempt/);
        assert.equal(await daveStatus(), 'Inactive', 'left as it is');
        const last = readJournal(file).at(-1)!;
        assert.equal(last.reason, 'exempt');
      } finally {
        if (tag) await iam.send(new UntagUserCommand({ UserName: 'dave', TagKeys: [tag.Key] }));
        await setDave('Active');
      }
    });
  }

  it('once the exemption is gone (or undo runs where the journal was written), a later undo reverses the step', async () => {
    const file = await journalWith(['intent', 'done']);
    await setDave('Inactive');
    try {
      const exempt = await undo(file, undefined, [{ principal: 'dave', ...EXEMPT }]);
      assert.deepEqual(
        exempt.map((r) => r.outcome),
        ['skipped'],
      );
      const elsewhere = await undo(file, undefined, [], 'arn:aws-cn:iam::123456789012:user/ops');
      assert.deepEqual(
        elsewhere.map((r) => r.outcome),
        ['skipped'],
      );
      const later = await undo(file);
      assert.deepEqual(
        later.map((r) => r.outcome),
        ['undone'],
        JSON.stringify(later),
      );
      assert.equal(await daveStatus(), 'Active');
    } finally {
      await setDave('Active');
    }
  });

  // A journal of another partition (or a step whose ARN names another account than its own) is not
  // one credsweep wrote where it runs now: the same account id and name there are another principal.
  for (const [what, arn, callerArn] of [
    [
      'a sealed journal from aws-cn, undone with credentials in aws',
      `arn:aws-cn:iam::${'123456789012'}:user/dave`,
      undefined,
    ],
    [
      'a journal from aws, undone with credentials in aws-us-gov',
      undefined,
      'arn:aws-us-gov:iam::123456789012:user/ops',
    ],
    [
      "a step whose ARN names another account than the step's",
      'arn:aws:iam::111111111111:user/dave',
      undefined,
    ],
  ] as const) {
    it(`${what}: left as it is`, async () => {
      const step = { ...dave, arn: arn ?? dave.arn };
      const file = await journalWith(['intent', 'done'], KEY, step);
      await setDave('Inactive');
      try {
        const results = await undo(file, KEY, [], callerArn);
        assert.deepEqual(
          results.map((r) => r.outcome),
          ['skipped'],
        );
        assert.match(results[0]!.detail ?? '', /not where credsweep runs now|names account/);
        assert.equal(await daveStatus(), 'Inactive');
      } finally {
        await setDave('Active');
      }
    });
  }

  it('a confirmed step still as credsweep left it is reversed (the control case)', async () => {
    const file = await journalWith(['intent', 'done']);
    await setDave('Inactive');
    const results = await undo(file);
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['undone'],
    );
    assert.equal(await daveStatus(), 'Active');
  });

  // An unsealed journal is plain JSON Lines: whoever can write it can claim credsweep deactivated a
  // key an administrator deactivated on purpose. It confirms nothing unless the user takes it as
  // written; a journal sealed with the plan key needs no such word.
  /**
   * The journal someone with write access forges: credsweep "deactivated" dave's key. Without a plan
   * key, its lines are exactly what credsweep itself would write (nothing in them needs a secret).
   */
  const forgedUnsealedJournal = () => journalWith(['intent', 'done']);
  const refusesUnsealed = (e: unknown) =>
    e instanceof InputError &&
    /not sealed with a plan key/.test(e.message) &&
    /--trust-unsigned-journal/.test(e.hint ?? '') &&
    /--plan-key-file or CREDSWEEP_PLAN_KEY/.test(e.hint ?? '');

  it('a forged unsealed journal is refused without --trust-unsigned-journal: the key the administrator deactivated stays Inactive, nothing journalled', async () => {
    const file = await forgedUnsealedJournal();
    const written = readFileSync(file, 'utf8');
    await setDave('Inactive'); // the administrator, on purpose
    try {
      await assert.rejects(undo(file, undefined, [], undefined, false), refusesUnsealed);
      assert.equal(await daveStatus(), 'Inactive', 'nothing reversed');
      assert.equal(readFileSync(file, 'utf8'), written, 'nothing journalled');
    } finally {
      await setDave('Active');
    }
  });

  it("lines that do not carry the plan key's HMAC are refused even when undoJournal is given the key", async () => {
    const file = await forgedUnsealedJournal();
    await setDave('Inactive');
    try {
      // read without the key (which readJournal would refuse), handed to undo with it
      // Refused by the line check undoJournal holds entries to (journalLineCheck), before trust is asked.
      await assert.rejects(
        undo(file, KEY, [], undefined, false, readJournal(file)),
        (e: unknown) =>
          e instanceof InputError && /not written with the plan key \(HMAC mismatch\)/.test(e.message),
      );
      assert.equal(await daveStatus(), 'Inactive', 'nothing reversed');
    } finally {
      await setDave('Active');
    }
  });

  it('with --trust-unsigned-journal the unsealed journal is taken as written (the key is reactivated)', async () => {
    const file = await forgedUnsealedJournal();
    await setDave('Inactive');
    try {
      assert.deepEqual(
        (await undo(file, undefined, [], undefined, true)).map((r) => r.outcome),
        ['undone'],
      );
      assert.equal(await daveStatus(), 'Active');
    } finally {
      await setDave('Active');
    }
  });

  it('a journal sealed with the plan key needs no flag', async () => {
    const file = await journalWith(['intent', 'done'], KEY);
    await setDave('Inactive'); // as apply left it
    try {
      assert.deepEqual(
        (await undo(file, KEY, [], undefined, false)).map((r) => r.outcome),
        ['undone'],
      );
      assert.equal(await daveStatus(), 'Active');
    } finally {
      await setDave('Active');
    }
  });

  it('with a plan key, a forged done line (no HMAC, or made with another key) is refused, naming the line', async () => {
    for (const forgedWith of [undefined, Buffer.from('not the plan key, also 32 bytes!')]) {
      const file = await journalWith([], KEY);
      const forged = journalEntries('apply', 'run-1', Date.now, {
        planDigest: fx.plan.digest.value,
        key: forgedWith,
      })({ type: 'done', step: dave, before: { exists: true, status: 'Active', lastUsed: null } });
      appendFileSync(file, `${JSON.stringify(forged)}\n`);
      await setDave('Inactive');
      assert.throws(
        () => readJournal(file, { key: KEY }),
        (e) => e instanceof InputError && e.line === 2 && /HMAC mismatch/.test(e.message),
      );
      assert.equal(await daveStatus(), 'Inactive', 'nothing reversed');
      await setDave('Active');
    }
  });

  // From an adversarial review: each line's HMAC covered that line alone, so a copy of the apply's own
  // `done` line appended after an undo brought the step back as applied, and undo reactivated the key
  // a responder had deactivated since. Sealed lines now chain (each names the line before it).
  it('with a plan key, a copied, moved or removed line is refused: a replayed done line reactivates nothing', async () => {
    const file = await journalWith(['intent', 'done'], KEY);
    await setDave('Inactive'); // as apply left it
    assert.deepEqual(
      (await undo(file, KEY)).map((r) => r.outcome),
      ['undone'],
    );
    assert.equal(await daveStatus(), 'Active');
    await setDave('Inactive'); // a responder, containing a leak
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const done = lines.findIndex((l) => l.includes('"type":"done"') && l.includes('"phase":"apply"'));
    for (const [what, edited] of [
      ['the apply done line copied to the end', [...lines, lines[done]!]],
      [
        'the undo lines moved before the apply',
        [lines[0]!, ...lines.slice(done + 1), ...lines.slice(1, done + 1)],
      ],
      ['a line in the middle removed', [...lines.slice(0, done), ...lines.slice(done + 1)]],
    ] as const) {
      const tampered = join(dir, `tampered-${++files}.jsonl`);
      writeFileSync(tampered, `${edited.join('\n')}\n`);
      assert.throws(
        () => readJournal(tampered, { key: KEY }),
        (e) => e instanceof InputError && /does not follow the line before it/.test(e.message),
        what,
      );
    }
    assert.equal(await daveStatus(), 'Inactive', "the responder's deactivation stands");
    await setDave('Active');
  });

  // A last line cut off (apply killed mid-write, a full disk) used to be ignored silently, and so was a
  // whole last line with only its newline missing: deleting one byte dropped a sealed `done` unseen.
  it('with a plan key, a cut-off last line is reported and ignored; a last line missing only its newline is read, not dropped', async () => {
    const file = await journalWith(['intent', 'done'], KEY);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const cutAt: number[] = [];
    const cut = join(dir, `cut-${++files}.jsonl`);
    writeFileSync(cut, `${lines.slice(0, -1).join('\n')}\n${lines.at(-1)!.slice(0, 50)}`);
    const read = readJournal(cut, { key: KEY, onCutOffLine: (line) => cutAt.push(line) });
    assert.deepEqual(
      read.map((e) => e.type),
      ['run', 'intent'],
    );
    assert.deepEqual(cutAt, [3]);
    await setDave('Inactive');
    assert.deepEqual(
      (await undo(cut, KEY, [], undefined, false, read)).map((r) => r.outcome),
      ['not_confirmed'],
      'its done line was cut off: nothing confirms the change',
    );
    assert.equal(await daveStatus(), 'Inactive');
    const newlineLost = join(dir, `newline-lost-${++files}.jsonl`);
    writeFileSync(newlineLost, lines.join('\n'));
    assert.deepEqual(
      readJournal(newlineLost, { key: KEY, onCutOffLine: (line) => cutAt.push(line) }).map((e) => e.type),
      ['run', 'intent', 'done'],
    );
    assert.deepEqual(cutAt, [3], 'a whole line is not cut off');
    assert.deepEqual(
      (await undo(newlineLost, KEY)).map((r) => r.outcome),
      ['undone'],
    );
    assert.equal(await daveStatus(), 'Active');
    // a whole line that fails the check is refused, newline or not
    const forged = lines.at(-1)!.replace(/"mac":"[0-9a-f]{8}/, '"mac":"00000000');
    writeFileSync(newlineLost, `${lines.slice(0, -1).join('\n')}\n${forged}`);
    assert.throws(
      () => readJournal(newlineLost, { key: KEY }),
      (e) => e instanceof InputError && e.line === 3 && /HMAC mismatch/.test(e.message),
    );
  });

  it('a sealed journal written before lines were chained is still read, and what is appended to it chains on', async () => {
    const file = await journalWith(['intent', 'done'], KEY);
    // as an earlier version wrote it: every line sealed on its own, no `prev`
    const legacy = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => {
        const { prev: _, mac: __, ...content } = JSON.parse(l);
        return JSON.stringify(macJournalEntry(content, KEY));
      });
    writeFileSync(file, `${legacy.join('\n')}\n`);
    assert.equal(readJournal(file, { key: KEY }).length, 3);
    await setDave('Inactive');
    assert.deepEqual(
      (await undo(file, KEY)).map((r) => r.outcome),
      ['undone'],
    );
    const entries = readJournal(file, { key: KEY });
    assert.equal(entries.length, 6);
    assert.equal(entries[3]!.prev, entries[2]!.mac, 'the undo chains on from the last legacy line');
  });

  // Entries handed to undoJournal from code, not read from a file: held to what readJournal holds a
  // file's lines to, so each is refused before anything is journalled or reversed.
  for (const [what, key, forge, expect] of [
    [
      'with a plan key, a done line without its HMAC appended to the entries read',
      KEY,
      (read: JournalEntry[]) => [
        ...read,
        journalEntries('apply', 'run-1', Date.now, { planDigest: fx.plan.digest.value })({
          type: 'done',
          step: dave,
          before: { exists: true, status: 'Active', lastUsed: null },
        }),
      ],
      /HMAC mismatch/,
    ],
    [
      'a done line written by hand, without v, at or runId',
      undefined,
      (read: JournalEntry[]) => [
        ...read,
        { phase: 'apply', type: 'done', planDigest: fx.plan.digest.value, step: dave } as JournalEntry,
      ],
      /not a credsweep journal line: v:/,
    ],
    [
      'a confirmed step whose action credsweep does not have',
      undefined,
      (read: JournalEntry[]) =>
        read.map((e) =>
          e.step ? { ...e, step: { ...e.step, action: 'reactivate-all' } } : e,
        ) as JournalEntry[],
      /not a credsweep journal line: step\.action:/,
    ],
    [
      "a line of another plan's digest among them",
      undefined,
      (read: JournalEntry[]) => [read[0]!, { ...read[1]!, planDigest: 'f'.repeat(64) }, read[2]!],
      /belongs to another plan/,
    ],
  ] as const) {
    it(`entries passed from code: ${what}: refused, nothing journalled or reversed`, async () => {
      // The journal before the forgery: no confirmed step with a key (nothing to reverse), else dave's
      // deactivation confirmed; dave Inactive by a responder's hand or as apply left him.
      const file = await journalWith(key ? [] : ['intent', 'done'], key);
      await setDave('Inactive');
      const journalled = readFileSync(file, 'utf8');
      const journal = new JournalWriter(file);
      const clients = motoRemediationClients(moto, iam);
      try {
        await assert.rejects(
          undoJournal(forge(readJournal(file, { key })), {
            clients,
            journal,
            now: Date.now,
            runId: 'undo-from-code',
            planDigest: fx.plan.digest.value,
            key,
            callerArn: `arn:aws:iam::${dave.accountId}:user/ops`,
          }),
          (e) => e instanceof InputError && e.file === file && expect.test(`line ${e.line} ${e.message}`),
        );
      } finally {
        journal.close();
        clients.destroy();
      }
      assert.equal(readFileSync(file, 'utf8'), journalled, 'nothing journalled');
      assert.equal(await daveStatus(), 'Inactive', 'nothing reversed');
      await setDave('Active');
    });
  }

  it('with a plan key, a sealed line with a field credsweep does not know added is refused (it was dropped unseen)', async () => {
    const file = await journalWith(['intent', 'done'], KEY);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const done = lines.findIndex((l) => l.includes('"type":"done"'));
    const edited = JSON.parse(lines[done]!) as Record<string, unknown>;
    edited.confirmedBy = 'an administrator';
    lines[done] = JSON.stringify(edited);
    const tampered = join(dir, `tampered-${++files}.jsonl`);
    writeFileSync(tampered, `${lines.join('\n')}\n`);
    assert.throws(
      () => readJournal(tampered, { key: KEY }),
      (e) =>
        e instanceof InputError &&
        e.line === done + 1 &&
        /not a credsweep journal line: \(line\): Unrecognized key: "confirmedBy" \(edited, or written by a newer credsweep\)/.test(
          e.message,
        ),
    );
  });

  /** undoJournal from code, its writer on `writerFile` and `planDigest` given as is (unsealed entries trusted). */
  async function undoWritingTo(writerFile: string, entries: JournalEntry[], planDigest: string) {
    const journal = new JournalWriter(writerFile);
    const clients = motoRemediationClients(moto, iam);
    try {
      return await undoJournal(entries, {
        clients,
        journal,
        now: Date.now,
        runId: 'undo-from-code',
        planDigest,
        trustUnsignedJournal: true,
        callerArn: `arn:aws:iam::${dave.accountId}:user/ops`,
      });
    } finally {
      journal.close();
      clients.destroy();
    }
  }

  it('entries passed from code with the writer on another journal: refused, nothing written there, nothing reversed', async () => {
    // dave's deactivation confirmed in one journal, the writer on another (empty): undo's lines would
    // land where the apply's are not, and the apply's own journal would never say it was undone.
    const file = await journalWith(['intent', 'done']);
    await setDave('Inactive');
    const elsewhere = join(dir, `elsewhere-${++files}.jsonl`);
    await assert.rejects(
      undoWritingTo(elsewhere, readJournal(file), fx.plan.digest.value),
      (e) => e instanceof InputError && e.file === elsewhere && /not what the journal holds/.test(e.message),
    );
    assert.equal(readFileSync(elsewhere, 'utf8'), '', 'nothing journalled');
    assert.equal(await daveStatus(), 'Inactive', 'nothing reversed');
    await setDave('Active');
  });

  it("options.planDigest not the entries': refused, nothing journalled or reversed", async () => {
    const file = await journalWith(['intent', 'done']);
    await setDave('Inactive');
    const journalled = readFileSync(file, 'utf8');
    await assert.rejects(
      undoWritingTo(file, readJournal(file), 'f'.repeat(64)),
      (e) => e instanceof InputError && e.file === file && /belongs to another plan/.test(e.message),
    );
    assert.equal(readFileSync(file, 'utf8'), journalled, 'nothing journalled');
    assert.equal(await daveStatus(), 'Inactive', 'nothing reversed');
    await setDave('Active');
  });

  it("a line of another plan's digest, or a line that does not parse, is refused", async () => {
    const file = await journalWith(['intent']);
    const other = journalEntries('apply', 'run-2', Date.now, { planDigest: 'f'.repeat(64) })({
      type: 'done',
      step: dave,
    });
    appendFileSync(file, `${JSON.stringify(other)}\n`);
    assert.throws(
      () => readJournal(file),
      (e) => e instanceof InputError && e.line === 3 && /belongs to another plan/.test(e.message),
    );
    const garbled = join(dir, 'garbled.jsonl');
    writeFileSync(garbled, `{"v":2,"not":"a journal line"}\n`);
    assert.throws(
      () => readJournal(garbled),
      (e) => e instanceof InputError && e.line === 1,
    );
  });
  it("undoes the last change first (per account), and reports in the journal's order", async () => {
    const alice = fx.plan.steps.find((s) => s.principalName === 'alice' && s.action === dave.action)!;
    const file = join(dir, `journal-${++files}.jsonl`);
    const w = new JournalWriter(file);
    const entry = journalEntries('apply', 'run-1', Date.now, {
      planDigest: fx.plan.digest.value,
      journal: w,
    });
    w.append(entry({ type: 'run', plan: { file: 'plan.json', dataCollectedAt: fx.plan.dataCollectedAt } }));
    for (const step of [dave, alice]) {
      const clients = motoRemediationClients(moto, iam);
      const before = await ACTIONS[step.action].readState(clients, step, { now: Date.now() });
      await iam.send(
        new UpdateAccessKeyCommand({
          UserName: step.principalName,
          AccessKeyId: step.accessKeyId!,
          Status: 'Inactive',
        }),
      );
      w.append(entry({ type: 'intent', step, before }));
      w.append(entry({ type: 'done', step, before }));
    }
    w.close();
    const order: string[] = [];
    const recording = new IAMClient(moto.clientConfig());
    recording.middlewareStack.add(
      (next, context) => async (args) => {
        if ((context as { commandName?: string }).commandName === 'UpdateAccessKeyCommand') {
          order.push((args.input as { UserName: string }).UserName);
        }
        return next(args);
      },
      { step: 'initialize', name: 'recordUpdates' },
    );
    const journal = new JournalWriter(file);
    try {
      const results = await undoJournal(readJournal(file), {
        clients: { ...motoRemediationClients(moto, recording), iam: async () => recording },
        journal,
        now: Date.now,
        runId: 'undo-1',
        trustUnsignedJournal: true,
      });
      assert.deepEqual(
        results.map((r) => `${r.step.principalName}:${r.outcome}`),
        ['dave:undone', 'alice:undone'],
      );
    } finally {
      journal.close();
      recording.destroy();
    }
    assert.deepEqual(order, ['alice', 'dave']);
  });
});
