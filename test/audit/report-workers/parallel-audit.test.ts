/**
 * The credential report audit on worker threads (runAudit's `streamFor`) writes what the serial
 * audit writes, byte for byte, in json and csv: reports cut into many small parts (a part size of a
 * few bytes to a few hundred), parts finishing out of order, exemptions and thresholds, the errors
 * (the first bad line in file order, even when a later part fails first), a stray quote that fools
 * the cutter. Most runs audit the parts on this thread (`runPart`, finishing in a scrambled order),
 * so the file stays fast; one runs real worker threads. No moto: a report file is all it reads.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { AuditTally } from '../../../src/audit/audit-report.ts';
import { auditPart, type Part, type PartSetup } from '../../../src/audit/report-workers/audit-part.ts';
import { type AuditDeps, type AuditRun, runAudit } from '../../../src/audit/run-audit.ts';
import { type AuditFlags, resolveSettings } from '../../../src/audit/settings.ts';
import type { LoadedConfig } from '../../../src/config/load-config.ts';
import { InputError } from '../../../src/errors.ts';
import type { StreamBatch } from '../../../src/reporters/reporter.ts';
import { csvReporter } from '../../../src/reporters/csv.ts';
import { jsonReporter } from '../../../src/reporters/json.ts';

const DIR = mkdtempSync(join(tmpdir(), 'credsweep-parallel-'));
after(() => rmSync(DIR, { recursive: true, force: true }));
const AS_OF = Date.UTC(2026, 10, 1);
const NOW = Date.UTC(2026, 10, 2);

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

interface RowSpec {
  name: string;
  account: string;
  passwordUsed?: string;
  key1Used?: string;
  key2?: boolean;
}
const OLD = '2025-01-10T00:00:00+00:00';
const RECENT = '2026-10-20T00:00:00+00:00';
function row(r: RowSpec): string {
  const arn =
    r.name === '<root_account>'
      ? `arn:aws:iam::${r.account}:root`
      : `arn:aws:iam::${r.account}:user/${r.name.replaceAll(/[^\w]/g, '')}`;
  const name = /[",\r\n]/.test(r.name) ? `"${r.name.replaceAll('"', '""')}"` : r.name;
  const pw = r.passwordUsed
    ? ['true', r.passwordUsed, OLD, 'N/A', 'false']
    : ['false', 'N/A', 'N/A', 'N/A', 'false'];
  const k1 = r.key1Used
    ? ['true', OLD, r.key1Used, 'us-east-1', 's3']
    : ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
  const k2 = r.key2 ? ['true', OLD, 'N/A', 'N/A', 'N/A'] : ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
  return [name, arn, '2020-01-01T00:00:00+00:00', ...pw, ...k1, ...k2, 'false', 'N/A', 'false', 'N/A'].join(
    ',',
  );
}

/** Several accounts; one account's user listed twice (merged), roots, quoted names, blank lines. */
const ROWS = [
  row({ name: '<root_account>', account: '111111111111', passwordUsed: RECENT }),
  row({ name: 'alice', account: '111111111111', key1Used: OLD }),
  row({ name: 'bob', account: '111111111111', passwordUsed: OLD, key2: true }),
  row({ name: 'bob', account: '111111111111', passwordUsed: RECENT }),
  row({ name: 'carol', account: '222222222222', key1Used: RECENT }),
  row({ name: 'dave,the "admin"', account: '222222222222', key1Used: OLD }),
  row({ name: 'line\nbreak', account: '333333333333', passwordUsed: OLD }),
  '',
  row({ name: 'erin', account: '444444444444' }),
  row({ name: 'frank', account: '444444444444', key1Used: OLD, key2: true }),
  row({ name: 'grace', account: '555555555555', passwordUsed: RECENT }),
  row({ name: 'heidi', account: '111111111111', key1Used: OLD }),
];
const REPORT = `${[HEADER, ...ROWS].join('\n')}\n`;

let files = 0;
function reportFile(text: string | Buffer): string {
  const file = join(DIR, `r${files++}.csv`);
  writeFileSync(file, text);
  return file;
}

/** Parts audited on this thread, finishing in a scrambled order (a later part often first). */
function scrambled(part: Part, setup: PartSetup) {
  return new Promise<ReturnType<typeof auditPart>>((resolve) =>
    setTimeout(() => resolve(auditPart(part, setup)), (part.line * 7) % 5),
  );
}

type Format = 'json' | 'csv';
interface Written {
  text: string;
  tally: AuditTally;
  exemptions: unknown;
}

async function write(run: AuditRun, format: Format, batches: AsyncIterable<StreamBatch>): Promise<Written> {
  const chunks: Buffer[] = [];
  const tally = new AuditTally();
  tally.envelopeExtras = () => {
    const exemptions = run.exemptions();
    return exemptions ? { exemptions } : {};
  };
  async function* withAccounts() {
    yield* batches;
    for (const a of run.accounts()) tally.setAccount(a);
  }
  const reporter = format === 'json' ? jsonReporter : csvReporter;
  await reporter.stream!(run.meta, withAccounts(), tally, async (chunk) => {
    chunks.push(Buffer.from(chunk));
  });
  return { text: Buffer.concat(chunks).toString('utf8'), tally, exemptions: run.exemptions() };
}

async function settle<T>(work: Promise<T>): Promise<T | InputError> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
}

async function serial(file: string, format: Format, config?: LoadedConfig, flags: Partial<AuditFlags> = {}) {
  const settings = resolveSettings({ report: file, asOf: AS_OF, jobs: 1, ...flags }, {}, config, {
    now: NOW,
  });
  return settle(
    (async () => {
      const run = await runAudit(settings);
      assert.equal(run.streamFor(format), undefined);
      return write(run, format, run.findingBatches);
    })(),
  );
}

async function parallel(
  file: string,
  format: Format,
  partBytes: number,
  config?: LoadedConfig,
  deps: AuditDeps['reportParts'] = { runPart: scrambled },
) {
  const settings = resolveSettings({ report: file, asOf: AS_OF, jobs: 2 }, {}, config, { now: NOW });
  return settle(
    (async () => {
      const run = await runAudit(settings, { reportParts: { partBytes, ...deps } });
      const batches = run.streamFor(format);
      assert.ok(batches, 'parallel applies');
      return write(run, format, batches);
    })(),
  );
}

function assertSame(a: Written | InputError, b: Written | InputError, what: string) {
  if (a instanceof InputError || b instanceof InputError) {
    assert.ok(a instanceof InputError && b instanceof InputError, `${what}: ${a} vs ${b}`);
    assert.deepEqual([a.message, a.file, a.line, a.hint], [b.message, b.file, b.line, b.hint], what);
    return;
  }
  assert.equal(a.text, b.text, what);
  assert.deepEqual(a.tally.summary, b.tally.summary, what);
  assert.deepEqual(a.tally.severities, b.tally.severities, what);
  assert.deepEqual(a.tally.accountResults(), b.tally.accountResults(), what);
  assert.deepEqual(a.exemptions, b.exemptions, what);
}

const PART_SIZES = [1, 90, 300, 700, 5000];

async function assertParallelIsSerial(text: string | Buffer, what: string, config?: LoadedConfig) {
  const file = reportFile(text);
  for (const format of ['json', 'csv'] as const) {
    const expected = await serial(file, format, config);
    for (const size of PART_SIZES) {
      assertSame(
        await parallel(file, format, size, config),
        expected,
        `${what}, ${format}, parts of ${size}`,
      );
    }
  }
}

describe('report audit on worker threads: the serial output, byte for byte', () => {
  it('many accounts, a user listed twice, quoted names with commas and line breaks, blank lines', async () => {
    await assertParallelIsSerial(REPORT, 'LF');
    const written = await parallel(reportFile(REPORT), 'json', 1);
    assert.ok(!(written instanceof InputError));
    assert.match(written.text, /duplicate_report_rows/);
  });
  it('CRLF line ends, a UTF-8 byte-order mark, no newline at the end', async () => {
    await assertParallelIsSerial(REPORT.replaceAll('\n', '\r\n'), 'CRLF');
    await assertParallelIsSerial(`\uFEFF${REPORT}`, 'BOM');
    await assertParallelIsSerial(REPORT.slice(0, -1), 'no final newline');
  });
  it('files it does not cut are read serially, to the same output', async () => {
    await assertParallelIsSerial(Buffer.from(`\uFEFF${REPORT}`, 'utf16le'), 'UTF-16');
    await assertParallelIsSerial(`"user",${REPORT.slice(5)}`, 'quoted header');
    await assertParallelIsSerial(REPORT.replaceAll('\n', '\r'), 'old Mac line ends');
  });
  it("the configuration file's exemptions (applied, expired, stale) and thresholds merge to the serial outcome", async () => {
    const config: LoadedConfig = {
      file: 'credsweep.config.json',
      config: {
        thresholds: { password: 30, access_key: 120 },
        exemptions: [
          { principal: 'alice', owner: 'ops', reason: 'break-glass', expires: '2027-01-01' },
          { arn: 'arn:aws:iam::444444444444:*', owner: 'sec', reason: 'legacy', expires: '2026-01-01' },
          { principal: 'nobody', owner: 'x', reason: 'gone', expires: '2027-01-01' },
          { principal: 'grace', credentials: ['password'], owner: 'y', reason: 'z', expires: '2027-06-01' },
        ],
      } as LoadedConfig['config'],
    };
    await assertParallelIsSerial(REPORT, 'exemptions', config);
    const written = await serial(reportFile(REPORT), 'json', config);
    assert.ok(!(written instanceof InputError));
    assert.match(written.text, /"stale":\[\{"index":2/);
    assert.match(written.text, /"expired":\[\{"index":1,[^\]]*"matched":3/);
  });
});

describe('report audit on worker threads: errors as the serial audit reports them', () => {
  const bad = (rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;
  it('the first bad line in file order, though a later part fails first', async () => {
    const rows = [...ROWS];
    rows[3] = rows[3]!.replace('2020-01-01T00:00:00+00:00', 'yesterday');
    rows[10] = `${rows[10]},extra`;
    const file = reportFile(bad(rows));
    for (const format of ['json', 'csv'] as const) {
      const expected = await serial(file, format);
      assert.ok(expected instanceof InputError);
      assert.equal(expected.line, 5);
      for (const size of PART_SIZES)
        assertSame(await parallel(file, format, size), expected, `parts of ${size}`);
    }
    // Parts of 90 bytes: lines 1-5 (this thread), 6-12 (from carol's, line 6) and 13 (grace's) go to
    // the worker, whose parts finish in reverse file order, so line 13's part fails first.
    const early = [...ROWS];
    early[4] = early[4]!.replace('2020-01-01T00:00:00+00:00', 'yesterday');
    early[10] = `${early[10]},extra`;
    const earlyFile = reportFile(bad(early));
    const failures: number[] = [];
    const reversed = (part: Part, setup: PartSetup) =>
      new Promise<ReturnType<typeof auditPart>>((resolve) =>
        setTimeout(
          () => {
            const result = auditPart(part, setup);
            if (result.kind === 'failed') failures.push(result.error.line!);
            resolve(result);
          },
          40 - part.line * 2,
        ),
      );
    const thrown = await parallel(earlyFile, 'json', 90, undefined, { runPart: reversed });
    assert.deepEqual(failures, [13, 6], 'the later part failed first');
    assertSame(thrown, await serial(earlyFile, 'json'), 'the first bad line in file order');
    assert.equal((thrown as InputError).line, 6);
  });
  it('a quote never closed, a quote in the middle of a field, a missing column', async () => {
    await assertParallelIsSerial(
      bad([...ROWS.slice(0, 9), `"open,${ROWS[9]}`, ...ROWS.slice(10)]),
      'unclosed',
    );
    await assertParallelIsSerial(
      bad([...ROWS.slice(0, 9), `"a"b${ROWS[9]}`, ...ROWS.slice(10)]),
      'mid quote',
    );
    await assertParallelIsSerial(REPORT.replace(',arn,', ',arnx,'), 'missing arn column');
  });
  it('a stray quote that fools the cutter: the rest is read serially, the same', async () => {
    // The quote in alice's region cell is literal to the parser but makes the quote count odd, so
    // the cutter then cuts inside the quoted name that follows; the part ends inside it (unaligned).
    const rows = [...ROWS];
    rows[1] = rows[1]!.replace('us-east-1', 'us-"east');
    rows[5] = row({
      name: `x\n${row({ name: 'y', account: '999999999999' })}\n${row({ name: 'z', account: '888888888888' })}\nq`,
      account: '222222222222',
    });
    await assertParallelIsSerial(bad(rows), 'stray quote');
  });
});

describe('report audit on worker threads: when it applies', () => {
  it('only when --jobs asks for it, not for standard input, --cloudtrail, or a format other than json and csv', async () => {
    const file = reportFile(REPORT);
    const run = async (flags: Partial<AuditFlags>, deps: AuditDeps = {}) =>
      runAudit(
        resolveSettings({ report: file, asOf: AS_OF, jobs: 2, ...flags }, {}, undefined, { now: NOW }),
        deps,
      );
    assert.equal((await run({ jobs: undefined })).streamFor('json'), undefined, 'one thread by default');
    assert.ok((await run({ jobs: 2 })).streamFor('json'), 'threads asked for: any size');
    const forced = {};
    assert.equal((await run({ jobs: 1 }, forced)).streamFor('json'), undefined);
    assert.equal((await run({}, forced)).streamFor('table'), undefined);
    assert.equal((await run({}, forced)).streamFor('html'), undefined);
    const { Readable } = await import('node:stream');
    assert.equal(
      (await run({ report: '-' }, { ...forced, stdin: Readable.from([REPORT]) })).streamFor('json'),
      undefined,
    );
    assert.equal((await run({ cloudtrail: [DIR] }, forced)).streamFor('json'), undefined);
    assert.ok((await run({}, forced)).streamFor('csv'));
  });
});

describe('report audit on worker threads: real reports', () => {
  it('every real credential report among the fixtures, cut into small parts, audits as the serial code does', async () => {
    const dir = fileURLToPath(new URL('../../fixtures/credential-reports/', import.meta.url));
    const reports = readdirSync(dir).filter((f) => f.endsWith('.csv'));
    assert.ok(reports.length >= 9);
    for (const name of reports) {
      const file = join(dir, name);
      for (const format of ['json', 'csv'] as const) {
        const expected = await serial(file, format);
        for (const size of [1, 200])
          assertSame(await parallel(file, format, size), expected, `${name}, ${size}`);
      }
    }
  });
});

describe('report audit on worker threads: property', () => {
  const account = fc.constantFrom('111111111111', '222222222222', '333333333333', '444444444444');
  const name = fc.oneof(fc.stringMatching(/^[a-z]{1,6}$/), fc.constantFrom('a,b', 'q"t', 'n\nl', 'x'));
  const date = fc.constantFrom(undefined, OLD, RECENT);
  const spec = fc.record({ name, account, passwordUsed: date, key1Used: date, key2: fc.boolean() });
  it('random reports, cut anywhere, audit as the serial code does (fixed seed)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(spec, { minLength: 1, maxLength: 12 }),
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 1, max: 800 }),
        fc.constantFrom<Format>('json', 'csv'),
        async (specs, newline, size, format) => {
          const file = reportFile([HEADER, ...specs.map((s) => row(s as RowSpec))].join(newline) + newline);
          assertSame(await parallel(file, format, size), await serial(file, format), `parts of ${size}`);
        },
      ),
      { numRuns: 60, seed: 42 },
    );
  });
});

describe('report audit on worker threads: real workers', () => {
  it('json and csv from two worker threads equal the serial output', async () => {
    const file = reportFile(
      REPORT.repeat(1).concat(ROWS.map((r) => r.replaceAll('1111', '7777')).join('\n'), '\n'),
    );
    for (const format of ['json', 'csv'] as const) {
      assertSame(await parallel(file, format, 200, undefined, {}), await serial(file, format), format);
    }
  });
});
