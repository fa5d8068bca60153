/**
 * Every byte the CLI writes to a terminal passes `terminalText` (src/reporters/printable.ts): runCli
 * wraps the context's streams once, so no command, reporter or error path can forget. Standard error
 * is always wrapped (it is human text, and CI logs end up in terminals); standard output only when it
 * is a terminal, so files and pipes get the exact bytes of JSON, CSV, HTML… To a terminal those are
 * shown as data: an ESC in a CSV cell appears as `\u001b`, it does not clear the screen. A terminal
 * named as --output (/dev/tty) gets the same treatment where it is opened (../cli/output.ts).
 *
 * Two writers bypass the plain wrapper on purpose: the audit table's own colours (`writeStyled`, which
 * keeps only `ESC [ … m` colour sequences, its cells having passed `printable`), and the progress bar
 * (`unguarded`: cli-progress moves the cursor; it prints only counts).
 */
import { StringDecoder } from 'node:string_decoder';
import { terminalText } from '../reporters/printable.ts';
import type { CliContext } from './context.ts';

type Stream = NodeJS.WriteStream;
const RAW = new WeakMap<object, Stream>();

type WriteCallback = (error?: Error | null) => void;

function guard(stream: Stream): Stream {
  if (RAW.has(stream)) return stream;
  const decoder = new StringDecoder('utf8');
  const write = (
    chunk: string | Uint8Array,
    encoding?: BufferEncoding | WriteCallback,
    cb?: WriteCallback,
  ) => {
    const callback = typeof encoding === 'function' ? encoding : cb;
    const text = typeof chunk === 'string' ? chunk : decoder.write(Buffer.from(chunk));
    return stream.write(terminalText(text), callback);
  };
  const guarded = new Proxy(stream, {
    get(target, property) {
      if (property === 'write') return write;
      // `end(chunk)` writes too: the chunk goes through `write` first.
      if (property === 'end') {
        return (chunk?: unknown, ...rest: unknown[]) => {
          if (typeof chunk === 'string' || chunk instanceof Uint8Array) write(chunk);
          const cb = [chunk, ...rest].find((a) => typeof a === 'function') as WriteCallback | undefined;
          target.end(cb);
          return guarded;
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  RAW.set(guarded, stream);
  return guarded;
}

/** The context with its output streams guarded as above. */
export function guardTerminal(ctx: CliContext): CliContext {
  return {
    ...ctx,
    stdout: ctx.stdout.isTTY ? guard(ctx.stdout) : ctx.stdout,
    stderr: guard(ctx.stderr),
  };
}

/** The stream under a guard (for the progress bar's cursor movements). */
export function unguarded(stream: Stream): Stream {
  return RAW.get(stream) ?? stream;
}

/**
 * A writer of credsweep's own coloured output: on a guarded stream every control except colour
 * sequences is made visible; a sequence split between two chunks is held back until it is whole.
 */
export function styledWriter(stream: NodeJS.WritableStream): {
  write(chunk: Uint8Array): Promise<void>;
  end(): Promise<void>;
} {
  const raw = RAW.get(stream);
  const decoder = new StringDecoder('utf8');
  let carry = '';
  const send = (target: NodeJS.WritableStream, data: string | Buffer) =>
    new Promise<void>((ok, fail) => {
      target.write(data, (e?: Error | null) => (e ? fail(e) : ok()));
    });
  return {
    write(chunk) {
      if (raw === undefined) return send(stream, Buffer.from(chunk));
      let text = carry + decoder.write(Buffer.from(chunk));
      const partial = /\u001b(\[[0-9;]*)?$/.exec(text);
      carry = partial ? partial[0] : '';
      if (partial) text = text.slice(0, partial.index);
      return send(raw, terminalText(text, { keepSgr: true }));
    },
    async end() {
      if (raw === undefined || carry === '') return;
      const rest = carry + decoder.end();
      carry = '';
      await send(raw, terminalText(rest));
    },
  };
}
