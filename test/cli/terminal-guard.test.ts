/** The one terminal sanitiser (src/reporters/printable.ts) and the stream guard built on it. */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import type { CliContext } from '../../src/cli/context.ts';
import { guardTerminal, styledWriter, unguarded } from '../../src/cli/terminal-guard.ts';
import { printable, terminalText } from '../../src/reporters/printable.ts';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const s = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  s.isTTY = isTTY;
  s.setEncoding('utf8').on('data', (d: string) => {
    text += d;
  });
  return { stream: s, text: () => text };
}

describe('printable and terminalText', () => {
  it('make C0, C1, DEL, bidi and invisible characters visible', () => {
    assert.equal(printable('a\u001b[2Jb'), 'a\\u001b[2Jb');
    assert.equal(printable('x\u0007\u009b\u007f'), 'x\\u0007\\u009b\\u007f');
    assert.equal(printable('admin\u202egpj.exe'), 'admin\\u202egpj.exe');
    assert.equal(printable('a\u200bb\u2066c\ufeff\u2028'), 'a\\u200bb\\u2066c\\ufeff\\u2028');
    assert.equal(printable('tag\u{e0041}'), 'tag\\u{e0041}');
    assert.equal(printable('line\nbreak\ttab'), 'line\\u000abreak\\u0009tab');
    assert.equal(printable('café — 日本'), 'café — 日本', 'ordinary text is untouched');
  });

  it('terminalText keeps newlines, tabs and CRLF; colour only when asked', () => {
    assert.equal(terminalText('a\tb\r\nc\rd\n'), 'a\tb\r\nc\\u000dd\n');
    assert.equal(terminalText('\u001b[31mred\u001b[39m'), '\\u001b[31mred\\u001b[39m');
    assert.equal(
      terminalText('\u001b[31mred\u001b[39m\u001b]52;c;x\u0007', { keepSgr: true }),
      '\u001b[31mred\u001b[39m\\u001b]52;c;x\\u0007',
    );
  });
});

describe('guardTerminal', () => {
  it('sanitises stderr always and stdout on a terminal only; write and end', () => {
    const tty = fakeStream(true);
    const pipe = fakeStream(false);
    const err = fakeStream(false);
    const ctx = guardTerminal({ stdout: tty.stream, stderr: err.stream } as CliContext);
    ctx.stdout.write('a\u001b[2J\n');
    ctx.stdout.write(Buffer.from('b\u202e\n'));
    ctx.stderr.end('c\u0007\n');
    assert.equal(tty.text(), 'a\\u001b[2J\nb\\u202e\n');
    assert.equal(err.text(), 'c\\u0007\n');
    assert.equal(unguarded(ctx.stdout), tty.stream);
    const piped = guardTerminal({ stdout: pipe.stream, stderr: err.stream } as CliContext);
    assert.equal(piped.stdout, pipe.stream, 'a pipe gets the exact bytes');
  });

  it('styledWriter keeps colour split across chunks, and nothing else', async () => {
    const tty = fakeStream(true);
    const ctx = guardTerminal({ stdout: tty.stream, stderr: fakeStream(false).stream } as CliContext);
    const w = styledWriter(ctx.stdout);
    await w.write(Buffer.from('\u001b[3'));
    await w.write(Buffer.from('1mred\u001b[39m \u001b]8;;x\u001b\\'));
    await w.end();
    assert.equal(tty.text(), '\u001b[31mred\u001b[39m \\u001b]8;;x\\u001b\\');
  });
});
