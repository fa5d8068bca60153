/**
 * A look at the start of a file given to `audit --report` before the CSV parser sees it, so the
 * usual mistakes fail at line 1 with what to do: the raw JSON of `aws iam get-credential-report`
 * (its Content is the CSV, base64-encoded), a credsweep JSON file, a CloudTrail log, or a report a
 * spreadsheet re-saved with semicolons (which the parser would only trip over dozens of lines later),
 * or UTF-16 without a byte-order mark. A gzip-compressed report (`credential-report.csv.gz`, recognised
 * by its magic bytes, as CloudTrail files are) is inflated as it streams and checked the same way.
 */
import { isGzip } from '../../files/gzip.ts';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { InputError } from '../../errors.ts';
import { csvSeparatorProblem, recogniseText, wrongFileMessage } from '../../model/file-kinds.ts';

/** A JSON file is read whole to be recognised, up to this size (a credential report JSON of 100 000 users is ~30 MB). */
const JSON_LOOK_LIMIT = 64 * 1024 * 1024;
const HEADER_LOOK_LIMIT = 64 * 1024;

/** The same bytes as `input`, after checking that they start like a credential report CSV. */
export async function checkReportStart(input: Readable, file: string): Promise<Readable> {
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const head: Buffer[] = [];
  let size = 0;
  let done = false;
  const text = () => Buffer.concat(head).toString('utf8');
  const more = async () => {
    const next = await chunks.next();
    if (next.done) done = true;
    else {
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      head.push(chunk);
      size += chunk.length;
    }
  };
  /** The bytes looked at, then the rest of the input. */
  const whole = () =>
    Readable.from(
      (async function* () {
        yield* head;
        while (!done) {
          const next = await chunks.next();
          if (next.done) return;
          yield next.value;
        }
      })(),
      { objectMode: false },
    );
  try {
    while (!done && size < HEADER_LOOK_LIMIT && !text().includes('\n')) await more();
    const bytes = Buffer.concat(head);
    // (it looked like "separated by semicolons … (a spreadsheet re-saved it?)": compressed bytes)
    if (isGzip(bytes)) return await checkReportStart(gunzipped(whole(), file), file);
    const utf16 = utf16WithoutMark(bytes);
    if (utf16) {
      throw new InputError(
        `this is ${utf16} text without a byte-order mark, not UTF-8: save it as UTF-8 (or UTF-16 with its byte-order mark)`,
        file,
        1,
      );
    }
    const start = text()
      .replace(/^\uFEFF/, '')
      .trimStart();
    if (start.startsWith('{') || start.startsWith('[')) {
      while (!done && size < JSON_LOOK_LIMIT) await more();
      const kind = recogniseText(text());
      throw new InputError(
        kind
          ? wrongFileMessage(kind, 'credential-report-csv', file)
          : 'this is JSON, not a credential report CSV',
        file,
        1,
        kind
          ? undefined
          : 'download the report with `aws iam get-credential-report --query Content --output text | base64 --decode`',
      );
    }
    const separator = csvSeparatorProblem(start.split(/\r?\n/, 1)[0]!);
    if (separator) throw new InputError(`not a credential report: ${separator}`, file, 1);
  } catch (e) {
    if (e instanceof InputError) {
      input.destroy();
      throw e;
    }
    const err = e as NodeJS.ErrnoException;
    throw new InputError(`cannot read: ${err?.message ?? String(e)}`, file);
  }
  return whole();
}

/** The inflated bytes; a corrupt or truncated gzip is an InputError saying so, wherever it shows. */
function gunzipped(compressed: Readable, file: string): Readable {
  const gunzip = createGunzip();
  pipeline(compressed, gunzip).catch(() => {}); // its error also surfaces on gunzip, read below
  return Readable.from(
    (async function* () {
      try {
        yield* gunzip;
      } catch (e) {
        throw new InputError(`corrupt or truncated gzip (${(e as Error).message})`, file);
      }
    })(),
    { objectMode: false },
  );
}

/**
 * 'UTF-16LE' or 'UTF-16BE' when the text starts with four ASCII characters in UTF-16 and no
 * byte-order mark (a report's header begins `user,`): decoded as UTF-8 it read as "missing columns
 * user, arn, …". With a mark, decode-text.ts reads either.
 */
function utf16WithoutMark(bytes: Buffer): string | undefined {
  if (bytes.length < 8) return undefined;
  const ascii = (b: number) => b >= 0x20 && b < 0x7f;
  const pairs = [0, 2, 4, 6].map((i) => [bytes[i]!, bytes[i + 1]!] as const);
  if (pairs.every(([a, b]) => ascii(a) && b === 0)) return 'UTF-16LE';
  if (pairs.every(([a, b]) => a === 0 && ascii(b))) return 'UTF-16BE';
  return undefined;
}
