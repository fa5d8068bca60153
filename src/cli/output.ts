/**
 * Output that is all or nothing: everything goes to a temporary file first, published onto
 * `--output` (or copied to standard output) only when the command succeeded. The rules for files
 * (modes, FIFOs, devices, links, temporary files) are in src/files/safe-write.ts.
 */
import {
  type OutputSink,
  openPendingFile,
  type PendingFile,
  pendingStream,
  streamSink,
  writeWhole,
  writeWholeTo,
} from '../files/safe-write.ts';
import type { WriteChunk } from '../reporters/index.ts';
import { isCredsweepError, locatedMessage } from '../errors.ts';
import type { CliContext } from './context.ts';
import { printable, terminalText } from '../reporters/printable.ts';
import { styledWriter } from './terminal-guard.ts';

export interface PendingOutput {
  write: WriteChunk;
  /** Publishes what was written. */
  commit(): Promise<void>;
  /** Throws away what was written; `--output` is left as it was. */
  abort(): Promise<void>;
}

export interface OutputOptions {
  /** Where output goes without `--output` (or with `-`): the context's standard output. */
  stdout?: NodeJS.WritableStream;
  /** The text carries credsweep's own colours (the audit table on a terminal). */
  styled?: boolean;
}

// A terminal named as --output gets what standard output on a terminal gets (./terminal-guard.ts):
// terminalText, applied where the device turns out to be a terminal.
export async function openPendingOutput(
  outputPath: string | undefined,
  options: OutputOptions = {},
): Promise<PendingOutput> {
  const file: PendingFile = toFile(outputPath)
    ? await openPendingFile(outputPath, { forTerminal: terminalText })
    : await pendingStream(stdoutSink(options));
  return { write: (chunk) => file.write(chunk), commit: () => file.commit(), abort: () => file.abort() };
}

/**
 * Writes `text` whole to `outputPath` (undefined or `-`: standard output), all or nothing: a write
 * the system refuses is one line and exit 2 (src/files/safe-write.ts), `--output` left as it was.
 * The text is whole already, so standard output gets it straight, with no temporary buffer.
 */
export async function writeOutput(
  outputPath: string | undefined,
  text: string,
  options: OutputOptions = {},
): Promise<void> {
  if (toFile(outputPath))
    await writeWhole(await openPendingFile(outputPath, { forTerminal: terminalText }), text);
  else await writeWholeTo(stdoutSink(options), text);
}

function toFile(outputPath: string | undefined): outputPath is string {
  return outputPath !== undefined && outputPath !== '-';
}

function stdoutSink(options: OutputOptions): OutputSink {
  const stdout = options.stdout ?? process.stdout;
  return options.styled ? styledWriter(stdout) : streamSink(stdout);
}

/**
 * What a command prints once it has changed AWS (apply's and undo's results, export's count). A
 * standard output that refuses it cannot take the change back, so the refusal is one line on
 * standard error saying where the record of what was done is (`record`), and the exit code stays the
 * command's (exit 2 says nothing was done). False when it was refused.
 */
export async function printAfterChange(ctx: CliContext, text: string, record: string): Promise<boolean> {
  try {
    await writeOutput(undefined, text, { stdout: ctx.stdout });
    return true;
  } catch (e) {
    if (!isCredsweepError(e)) throw e;
    ctx.stderr.write(`credsweep: ${printable(`${locatedMessage(e)}; ${record}`)}\n`);
    return false;
  }
}
