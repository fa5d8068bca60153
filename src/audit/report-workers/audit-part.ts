/**
 * One part of a credential report file, audited as the single-thread audit audits it: the same
 * parser (ReportReader, resumed after the header at the part's first line), the same grouping by
 * account, the same judge (rules, exempt tag, the configuration file's exemptions), and the findings
 * rendered by the reporter's own per-finding text. Pure and synchronous: a worker thread runs it
 * (part-worker.ts); bytes in, UTF-8 bytes and counts out.
 */
import { StringDecoder } from 'node:string_decoder';
import { ExemptionMatcher } from '../../config/exemptions.ts';
import type { Exemption } from '../../config/schema.ts';
import { InputError } from '../../errors.ts';
import type { ExemptionOutcome } from '../../model/finding.ts';
import type { Principal } from '../../model/inventory.ts';
import { csvLine } from '../../reporters/csv.ts';
import { jsonFindingText } from '../../reporters/json.ts';
import type { EvaluationContext, ExemptionPolicy } from '../../rules/index.ts';
import { ReportReader } from '../../sources/credential-report/parse-csv.ts';
import { AccountGroups } from '../audit-credential-report.ts';
import { AuditTally, type TallyCounts } from '../audit-report.ts';
import { type JudgeOptions, judgePrincipal } from '../judge.ts';
import type { ReportStart } from './cut-report.ts';

/** The formats whose findings a part renders: each streaming reporter's per-finding text. */
export const FINDING_TEXT = { json: jsonFindingText, csv: csvLine } as const;
export type PartFormat = keyof typeof FINDING_TEXT;

/** What every part of one audit shares (a worker's workerData). */
export interface PartSetup {
  file: string;
  format: PartFormat;
  start: ReportStart;
  evaluation: EvaluationContext;
  exemptTag: ExemptionPolicy;
  exemptions: readonly Exemption[];
}

export interface Part {
  /** The part's bytes: whole records, from a record's start (or the file's start) to a record's end. */
  bytes: Uint8Array;
  /** Where they start in the file, and on which line (1-based). */
  offset: number;
  line: number;
  /** The file's last part (parsed to the end of input, an unterminated last record included). */
  last: boolean;
}

/** An InputError as data (errors cross the thread boundary as plain objects). */
export interface PartError {
  message: string;
  file: string;
  line?: number;
  hint?: string;
}

export type PartResult =
  | {
      kind: 'done';
      rendered: Uint8Array;
      counts: TallyCounts;
      /** Accounts with at least one principal (the run's accounts). */
      accountIds: string[];
      /** The configuration file's exemptions over this part; merged with the other parts'. */
      exemptions?: ExemptionOutcome;
    }
  /** The first bad line of the part (the rows before it audited and dropped: the audit fails). */
  | { kind: 'failed'; error: PartError }
  /** The part ended inside a quoted field: a stray quote fooled the cut; the caller reads on serially. */
  | { kind: 'unaligned' };

// The serial audit reads the file in 64 KiB blocks, and its parser checks the record-size limit at
// each block's end: a part is parsed in pieces ending at the same file offsets.
const READ_BLOCK = 1 << 16;
const TEXT_FLUSH_CHARS = 1 << 14;

export function auditPart(part: Part, setup: PartSetup): PartResult {
  try {
    return auditRecords(part, setup);
  } catch (e) {
    if (e instanceof InputError) return { kind: 'failed', error: partError(e) };
    throw e;
  }
}

function auditRecords(part: Part, setup: PartSetup): PartResult {
  const { file } = setup;
  const first = part.offset === 0;
  const reader = first
    ? new ReportReader(file)
    : ReportReader.resume(file, {
        header: setup.start.header,
        newline: setup.start.newline,
        line: part.line,
      });
  const matcher =
    setup.exemptions.length > 0 ? new ExemptionMatcher(setup.exemptions, setup.evaluation.asOf) : undefined;
  const judge: JudgeOptions = {
    evaluation: setup.evaluation,
    exemptTag: setup.exemptTag,
    ...(matcher ? { matcher } : {}),
  };
  const findingText = FINDING_TEXT[setup.format];
  const tally = new AuditTally();
  const accountIds: string[] = [];
  const out = new RenderedBytes(part.bytes.length * 3, setup.format);
  const groups = new AccountGroups(file);
  const judgeAccount = (principals: Principal[]) => {
    accountIds.push(principals[0]!.accountId);
    let text = '';
    for (const principal of principals) {
      for (const finding of judgePrincipal({ kind: 'credentials', principal }, judge)) {
        tally.add(finding);
        text += findingText(finding);
      }
      // Encoded some kilobytes at a time: held for the whole account (~300 KB of JSON), the text
      // outlived the young generation's collections (copied, then promoted) and was flattened whole.
      if (text.length >= TEXT_FLUSH_CHARS) {
        out.write(text);
        text = '';
      }
    }
    out.write(text);
  };
  /** Parses `text` (`last`: to the end of input) and judges each account it completes. */
  const feed = (text: string, last: boolean) => {
    for (const row of reader.push(text, last)) {
      const done = groups.add(row);
      if (done) judgeAccount(done);
    }
    if (reader.failure) throw reader.failure;
  };
  const decoder = new StringDecoder('utf8');
  const bytes = Buffer.from(part.bytes.buffer, part.bytes.byteOffset, part.bytes.length);
  let bomChecked = !first;
  for (let at = 0; at < bytes.length; ) {
    const end = Math.min(
      bytes.length,
      (Math.floor((part.offset + at) / READ_BLOCK) + 1) * READ_BLOCK - part.offset,
    );
    let text = decoder.write(bytes.subarray(at, end));
    at = end;
    if (!bomChecked && text.length > 0) {
      bomChecked = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    feed(text, false);
  }
  const rest = decoder.end();
  if (part.last) feed(rest, true);
  else if (rest.length > 0 || !reader.atRecordStart) {
    return { kind: 'unaligned' };
  }
  const lastGroup = groups.end();
  if (lastGroup) judgeAccount(lastGroup);
  return {
    kind: 'done',
    rendered: out.bytes(),
    counts: tally.counts(),
    accountIds,
    ...(matcher ? { exemptions: matcher.outcome() } : {}),
  };
}

/**
 * Buffers that held rendered findings already written, handed back to be filled again: a thread
 * frees a transferred buffer only when its collector next runs, and the main thread's seldom does
 * (its heap is small), so without them ~90 MB of written parts waited there to be freed.
 */
const spareBuffers: ArrayBuffer[] = [];
// As many as can be written and not yet handed back at once (a few queued writes, this thread's parts
// cut ahead): a buffer dropped for want of room waits for a collection as garbage, and with room for 2
// the 1M-row audit peaked ~10 MB higher.
const MAX_SPARE_BUFFERS = 6;

export function keepSpareBuffer(buffer: ArrayBuffer): boolean {
  if (spareBuffers.length >= MAX_SPARE_BUFFERS) return false;
  spareBuffers.push(buffer);
  return true;
}

/**
 * The part's rendered findings, encoded an account at a time into one growing buffer: an account's
 * text dies young, where keeping a part's text until its end (~6 MB of small strings) had the
 * collector copy it into the old generation (GC ≈ 19 % of a part's time).
 */
class RenderedBytes {
  private buffer: Buffer;
  private length = 0;
  constructor(capacity: number, format: PartFormat) {
    // JSON is ~2.8 bytes per byte of report, CSV ~1.5: a spare that fits is taken, the largest first.
    const wanted = Math.max(1 << 16, format === 'json' ? capacity : capacity >> 1);
    const spare = spareBuffers.findIndex((b) => b.byteLength >= wanted);
    this.buffer =
      spare === -1 ? Buffer.allocUnsafeSlow(wanted) : Buffer.from(spareBuffers.splice(spare, 1)[0]!);
  }
  write(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (this.length + text.length * 3 > this.buffer.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + text.length * 3));
      this.buffer.copy(bigger, 0, 0, this.length);
      this.buffer = bigger;
    }
    this.length += this.buffer.write(text, this.length, 'utf8');
  }
  /** The bytes written (a view of the buffer, whose ArrayBuffer is transferred). */
  bytes(): Uint8Array {
    return new Uint8Array(this.buffer.buffer, this.buffer.byteOffset, this.length);
  }
}

function partError(e: InputError): PartError {
  return {
    message: e.message,
    file: e.file,
    ...(e.line !== undefined ? { line: e.line } : {}),
    ...(e.hint !== undefined ? { hint: e.hint } : {}),
  };
}

/** The InputError a part's failure stands for, as the serial audit throws it. */
export function inputErrorOf(error: PartError): InputError {
  return new InputError(error.message, error.file, error.line, error.hint);
}
