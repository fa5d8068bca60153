/**
 * A look at the start of a file given to `audit --report` before the CSV parser sees it, so the
 * usual mistakes fail at line 1 with what to do: the raw JSON of `aws iam get-credential-report`
 * (its Content is the CSV, base64-encoded), a credsweep JSON file, a CloudTrail log, or a report a
 * spreadsheet re-saved with semicolons (which the parser would only trip over dozens of lines later).
 */
import { Readable } from 'node:stream';
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
  try {
    while (!done && size < HEADER_LOOK_LIMIT && !text().includes('\n')) await more();
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
  return Readable.from(
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
}
