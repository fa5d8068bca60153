/**
 * Text measured and broken in terminal columns: how wide a value is drawn, how it is shortened or
 * wrapped to fit. The tables (./fit-table.ts), the help (src/cli/help-style.ts) and every line a
 * command wraps use these, so all of them count a wide character or a combining mark alike.
 * Pure; the text is already printable (./printable.ts): no control characters.
 */

// Code points a terminal draws two columns wide (East Asian wide/fullwidth, most emoji).
const WIDE =
  /[\u1100-\u115f\u231a\u231b\u2329\u232a\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653\u267f\u2693\u26a1\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea\u26f2\u26f3\u26f5\u26fa\u26fd\u2705\u270a\u270b\u2728\u274c\u274e\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf\u2b1b\u2b1c\u2b50\u2b55\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{16fe0}-\u{1b2ff}\u{1f004}\u{1f0cf}\u{1f18e}\u{1f191}-\u{1f19a}\u{1f200}-\u{1f64f}\u{1f680}-\u{1f6ff}\u{1f7e0}-\u{1f7eb}\u{1f90c}-\u{1f9ff}\u{1fa70}-\u{1faff}\u{20000}-\u{3fffd}]/u;
// Combining marks, zero-width characters and variation selectors take no column of their own.
// biome-ignore lint/suspicious/noMisleadingCharacterClass: one code point at a time is tested, never a sequence
const ZERO = /[\p{Mn}\p{Me}\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff]/u;

const charWidth = (ch: string) => (ZERO.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1);

/** The columns a terminal uses to draw `text` (text without control characters). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch);
  return width;
}

/** The longest start of `text` that fits in `width` columns. */
function takeStart(text: string, width: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = charWidth(ch);
    if (used + w > width) break;
    out += ch;
    used += w;
  }
  return out;
}

function takeEnd(text: string, width: number): string {
  return [...takeStart([...text].reverse().join(''), width)].reverse().join('');
}

/** `text` in at most `width` columns: the middle (or the end) replaced by `…` when it is longer. */
export function shorten(text: string, width: number, where: 'middle' | 'end' = 'middle'): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 1) return takeStart('…', width);
  if (where === 'end') return `${takeStart(text, width - 1)}…`;
  const tail = Math.floor((width - 1) / 2);
  const head = width - 1 - tail;
  return `${takeStart(text, head)}…${takeEnd(text, tail)}`;
}

/** A line of text cut to `width` columns (with `…`) when there is a width to fit. */
export function fitLine(text: string, width?: number): string {
  return width === undefined ? text : shorten(text, width, 'end');
}

/** A sentence in lines of at most `width` columns, broken between words (a longer word is cut). */
export function wrapText(text: string, width?: number, options: { keepWords?: boolean } = {}): string[] {
  if (width === undefined || displayWidth(text) <= width) return [text];
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const candidate = current === '' ? word : `${current} ${word}`;
    if (displayWidth(candidate) <= width) {
      current = candidate;
      continue;
    }
    if (current !== '') lines.push(current);
    // keepWords (a command to paste): a word longer than the line stands whole on its own line.
    current = displayWidth(word) <= width || options.keepWords ? word : shorten(word, width, 'end');
  }
  if (current !== '') lines.push(current);
  return lines;
}

// Where an ARN, an IAM path, an e-mail address or a session name reads on across a line break:
// after the separators of its parts (`arn:aws:iam::111122223333:` + `user/ops/alice`), the ARN's own
// (`/`, `:`) before those within a name (`alice.` + `nguyen` only when there is no other).
const BREAK_AFTER: readonly (readonly string[])[] = [
  ['/', ':'],
  ['@', ',', ' ', '.', '-', '_', '+', '='],
];

/**
 * `text` whole, in pieces of at most `width` columns: broken after a separator when one falls in the
 * second half of the piece, else after `width` columns; every piece after the first starts with
 * `indent` (a hanging indent: it reads as the same value going on). Nothing is left out, nothing is
 * cut with `…`: for a value a reader must identify (a principal, an ARN), not for prose (wrapText).
 */
export function breakValue(text: string, width: number, indent = ''): string[] {
  // no hanging indent where it would leave no room for a wide character
  const hang = displayWidth(indent) + 2 <= width ? indent : '';
  const pieces: string[] = [];
  let rest = text;
  let room = width;
  while (displayWidth(rest) > room) {
    const head = [...takeStart(rest, room)];
    if (head.length === 0) head.push([...rest][0]!); // a wide character in a one-column piece
    const cut = breakPoint(head, room) ?? head.length;
    const piece = head.slice(0, cut).join('');
    pieces.push((pieces.length === 0 ? '' : hang) + piece.trimEnd());
    rest = rest.slice(piece.length);
    room = Math.max(1, width - displayWidth(hang));
  }
  if (rest !== '' || pieces.length === 0) pieces.push((pieces.length === 0 ? '' : hang) + rest);
  return pieces;
}

/** After which character of `head` to break: the last separator of the strongest kind in its second half. */
function breakPoint(head: readonly string[], width: number): number | undefined {
  for (const separators of BREAK_AFTER) {
    let used = 0;
    let cut: number | undefined;
    for (let i = 0; i < head.length; i++) {
      used += charWidth(head[i]!);
      if (separators.includes(head[i]!) && used >= width / 2) cut = i + 1;
    }
    if (cut !== undefined) return cut;
  }
  return undefined;
}
