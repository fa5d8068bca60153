/**
 * Property tests of the credential-report parser (parseCredentialReport + rowToPrincipal, driven
 * through auditCredentialReport as the CLI drives them): a valid report always parses, and random
 * or mutated input never throws anything but an InputError naming the file and a line.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { auditCredentialReport, principalsByAccount } from '../../../src/audit/audit-credential-report.ts';
import { InputError } from '../../../src/errors.ts';
import { AS_OF } from '../../helpers/builders.ts';
import { HEADER as AWS_REPORT_HEADER } from '../../../bench/generate-credential-report.ts';

const FILE = 'report.csv';
const CTX = { asOf: AS_OF, thresholdDays: 90 };
const RUNS = 300;

/** The 22 columns in AWS's order (the same header the benchmark's generator writes). */
const HEADER = AWS_REPORT_HEADER.split(',');

// Dates AWS writes: `2022-04-17T14:59:38+00:00` or `...Z`, between 2010 and AS_OF.
const isoDate = fc
  .record({
    at: fc.integer({ min: Date.UTC(2010, 0, 1), max: AS_OF }),
    zulu: fc.boolean(),
  })
  .map(
    ({ at, zulu }) =>
      `${new Date(Math.floor(at / 1000) * 1000).toISOString().slice(0, 19)}${zulu ? 'Z' : '+00:00'}`,
  );
const noDate = fc.constantFrom('N/A', 'no_information', 'not_supported', '');
const maybeDate = fc.oneof(isoDate, noDate);
const bool = fc.constantFrom('true', 'false', 'TRUE', 'False');
// IAM user names: [\w+=,.@-]{1,64} — includes the formula-injection starters = + - @.
const userName = fc.stringMatching(/^[\w+=,.@-]{1,64}$/);
const account = fc.constantFrom('111122223333', '444455556666', '000000000000');

const validRow = fc
  .record({
    account,
    name: userName,
    created: isoDate,
    pw: bool,
    pwUsed: maybeDate,
    pwChanged: maybeDate,
    mfa: fc.constantFrom('true', 'false', 'not_supported'),
    k1: fc.tuple(bool, maybeDate, maybeDate),
    k2: fc.tuple(bool, maybeDate, maybeDate),
    c1: fc.tuple(bool, maybeDate),
    c2: fc.tuple(bool, maybeDate),
  })
  .map((r) => [
    r.name,
    `arn:aws:iam::${r.account}:user/${r.name}`,
    r.created,
    r.pw,
    r.pwUsed,
    r.pwChanged,
    'N/A',
    r.mfa,
    r.k1[0],
    r.k1[1],
    r.k1[2],
    'us-east-1',
    's3',
    r.k2[0],
    r.k2[1],
    r.k2[2],
    'N/A',
    'N/A',
    r.c1[0],
    r.c1[1],
    r.c2[0],
    r.c2[1],
  ]);

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function toCsv(rows: string[][], eol = '\n'): string {
  return [HEADER, ...rows].map((r) => r.map(csvField).join(',')).join(eol) + eol;
}

const validReport = fc
  .record({ rows: fc.array(validRow, { maxLength: 12 }), crlf: fc.boolean(), bom: fc.boolean() })
  .map(({ rows, crlf, bom }) => ({ rows, text: (bom ? '\uFEFF' : '') + toCsv(rows, crlf ? '\r\n' : '\n') }));

/** Runs the whole audit; returns the number of findings or the error it threw. */
async function audit(input: string | Buffer): Promise<{ findings: number } | { error: unknown }> {
  try {
    let findings = 0;
    for await (const _ of auditCredentialReport(Readable.from([Buffer.from(input)]), FILE, CTX)) findings++;
    return { findings };
  } catch (error) {
    return { error };
  }
}

/** The contract: a result, or an InputError that names the file and a 1-based line. */
function assertParsedOrLocated(
  outcome: { findings: number } | { error: unknown },
  input: string | Buffer,
): void {
  if ('findings' in outcome) return;
  const e = outcome.error;
  assert.ok(
    e instanceof InputError,
    `expected an InputError, got ${(e as Error)?.stack ?? String(e)}\ninput: ${JSON.stringify(String(input).slice(0, 300))}`,
  );
  assert.equal(e.file, FILE);
  assert.ok(e.line === undefined || (Number.isInteger(e.line) && e.line >= 1), `bad line ${e.line}`);
  assert.ok(
    e.line !== undefined,
    `no line in "${e.message}" for ${JSON.stringify(String(input).slice(0, 300))}`,
  );
  assert.ok(!e.message.includes('\n'), 'the message is one line');
}

/** Mutations a truncated download, a hand edit or a broken export would make. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ maxLength: 8 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.constantFrom('"', ',', '\n', '\r', '\0', '""', '\uFFFD', '\u2028', '=cmd|', 'N/A'),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap-lines' as const), a: fc.nat(), b: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, m: Mutation): string {
  const at = (n: number) => (text.length === 0 ? 0 : n % (text.length + 1));
  const lines = () => text.split('\n');
  switch (m.kind) {
    case 'delete':
      return text.slice(0, at(m.at)) + text.slice(at(m.at) + m.length);
    case 'insert':
      return text.slice(0, at(m.at)) + m.text + text.slice(at(m.at));
    case 'truncate':
      return text.slice(0, at(m.at));
    case 'duplicate-line': {
      const ls = lines();
      const i = m.at % ls.length;
      ls.splice(i, 0, ls[i]!);
      return ls.join('\n');
    }
    case 'swap-lines': {
      const ls = lines();
      const a = m.a % ls.length;
      const b = m.b % ls.length;
      [ls[a], ls[b]] = [ls[b]!, ls[a]!];
      return ls.join('\n');
    }
  }
}

describe('credential-report parser under random and hostile input (fast-check)', () => {
  it('parses every valid report: one principal per distinct user, never an error', async () => {
    await fc.assert(
      fc.asyncProperty(validReport, async ({ rows, text }) => {
        let principals = 0;
        for await (const group of principalsByAccount(Readable.from([Buffer.from(text)]), FILE)) {
          principals += group.length;
        }
        // Duplicates are merged only within a contiguous run of one account's rows.
        let expected = 0;
        let seen = new Set<string>();
        let current: string | undefined;
        for (const r of rows) {
          const acct = r[1]!.split(':')[4];
          if (acct !== current) {
            expected += seen.size;
            seen = new Set();
            current = acct;
          }
          seen.add(r[1]!);
        }
        expected += seen.size;
        assert.equal(principals, expected);
        const outcome = await audit(text);
        assert.ok(
          'findings' in outcome,
          `valid report rejected: ${String((outcome as { error: unknown }).error)}`,
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated valid reports either parse or fail with an InputError at file:line', async () => {
    await fc.assert(
      fc.asyncProperty(
        validReport,
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        async (report, ms) => {
          const text = ms.reduce(mutate, report.text);
          assertParsedOrLocated(await audit(text), text);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('random text after a valid header either parses or fails with an InputError at file:line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 400 }), async (body) => {
        const text = `${HEADER.join(',')}\n${body}`;
        assertParsedOrLocated(await audit(text), text);
      }),
      { numRuns: RUNS },
    );
  });

  it('random bytes (invalid UTF-8, NULs, lone quotes) fail with an InputError at file:line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
        const input = Buffer.from(bytes);
        assertParsedOrLocated(await audit(input), input);
      }),
      { numRuns: RUNS },
    );
  });

  it('random CSV-shaped grids with the required header either parse or fail at file:line', async () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 12 }),
      isoDate,
      noDate,
      bool,
      fc.constantFrom('arn:aws:iam::111122223333:user/x', '<root_account>', '=1+1', '"'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(cell, { minLength: 20, maxLength: 24 }), { maxLength: 8 }),
        async (rows) => {
          const text = toCsv(rows);
          assertParsedOrLocated(await audit(text), text);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
