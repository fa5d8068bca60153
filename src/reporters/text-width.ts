/**
 * Text measured and broken in terminal columns: how wide a value is drawn, how it is shortened or
 * wrapped to fit. The tables (./fit-table.ts), the help (src/cli/help-style.ts) and every line a
 * command wraps use these, so all of them count a wide character, a combining mark or an emoji
 * sequence alike.
 * Pure; the text is already printable (./printable.ts): no control characters.
 */

// Code points a terminal draws two columns wide (East Asian wide/fullwidth, most emoji).
const WIDE =
  /[\u1100-\u115f\u231a\u231b\u2329\u232a\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653\u267f\u2693\u26a1\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea\u26f2\u26f3\u26f5\u26fa\u26fd\u2705\u270a\u270b\u2728\u274c\u274e\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf\u2b1b\u2b1c\u2b50\u2b55\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{16fe0}-\u{1b2ff}\u{1f004}\u{1f0cf}\u{1f18e}\u{1f191}-\u{1f19a}\u{1f200}-\u{1f64f}\u{1f680}-\u{1f6ff}\u{1f7e0}-\u{1f7eb}\u{1f90c}-\u{1f9ff}\u{1fa70}-\u{1faff}\u{20000}-\u{3fffd}]/u;
// Combining marks, zero-width characters, variation selectors and tag characters take no column of
// their own.
// biome-ignore lint/suspicious/noMisleadingCharacterClass: one code point at a time is tested, never a sequence
const ZERO = /[\p{Mn}\p{Me}\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff\u{e0000}-\u{e007f}]/u;

const codePointWidth = (ch: string) => (ZERO.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1);

const VS15 = '\ufe0e';
const VS16 = '\ufe0f';
const ZWJ = '\u200d';
/** Characters that have an emoji presentation, which VS16 asks for and VS15 declines (❤ 1, ❤️ 2). */
const EMOJI = /\p{Emoji}/u;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
const REGIONAL_INDICATOR = /\p{Regional_Indicator}/u;
const SKIN_TONE = /\p{Emoji_Modifier}/u;
/** Below U+0300 every code point takes one column: most text needs no look at what follows. */
const ONE_COLUMN_EACH = /^[\u0000-\u02ff]*$/;

/** What a terminal draws as one, and its columns. */
interface Drawn {
  text: string;
  width: number;
}

/**
 * `text` in what a terminal draws as one: a character with the marks, variation selector,
 * skin-tone modifier and tags after it; an emoji ZWJ sequence (👩‍💻: one emoji, 2 columns); a flag
 * (two regional indicators, 2 columns). VS16 makes an emoji two columns wide (❤️, the keycap 1️⃣),
 * VS15 one (☔︎). Not the whole of Unicode's grapheme clusters (Intl.Segmenter): only what changes
 * the columns, so a spacing mark keeps the column terminals give it.
 */
function drawnUnits(text: string): Drawn[] {
  const chars = [...text];
  const units: Drawn[] = [];
  let i = 0;
  while (i < chars.length) {
    const base = chars[i]!;
    let unit = base;
    let width = codePointWidth(base);
    i++;
    if (REGIONAL_INDICATOR.test(base) && i < chars.length && REGIONAL_INDICATOR.test(chars[i]!)) {
      unit += chars[i++];
      width = 2;
    }
    const emoji = EMOJI.test(base);
    while (i < chars.length) {
      const ch = chars[i]!;
      if (ch === ZWJ && PICTOGRAPH.test(base) && PICTOGRAPH.test(chars[i + 1] ?? '')) {
        unit += ch + chars[i + 1];
        width = 2;
        i += 2;
      } else if (ZERO.test(ch) || (emoji && SKIN_TONE.test(ch))) {
        if (emoji && ch === VS16) width = 2;
        if (emoji && ch === VS15) width = 1;
        unit += ch;
        i++;
      } else break;
    }
    units.push({ text: unit, width });
  }
  return units;
}

/** The columns a terminal uses to draw `text` (text without control characters). */
export function displayWidth(text: string): number {
  if (ONE_COLUMN_EACH.test(text)) return text.length;
  let width = 0;
  for (const unit of drawnUnits(text)) width += unit.width;
  return width;
}

/** The longest start of `units` that fits in `width` columns. */
function fittingStart(units: readonly Drawn[], width: number): Drawn[] {
  const out: Drawn[] = [];
  let used = 0;
  for (const unit of units) {
    if (used + unit.width > width) break;
    out.push(unit);
    used += unit.width;
  }
  return out;
}

const joined = (units: readonly Drawn[]) => units.map((u) => u.text).join('');

function takeStart(text: string, width: number): string {
  return joined(fittingStart(drawnUnits(text), width));
}

function takeEnd(text: string, width: number): string {
  return joined(fittingStart(drawnUnits(text).reverse(), width).reverse());
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
    const units = drawnUnits(rest);
    const head = fittingStart(units, room);
    if (head.length === 0) head.push(units[0]!); // a wide character in a one-column piece
    const cut = breakPoint(head, room) ?? head.length;
    const piece = joined(head.slice(0, cut));
    pieces.push((pieces.length === 0 ? '' : hang) + piece.trimEnd());
    rest = rest.slice(piece.length);
    room = Math.max(1, width - displayWidth(hang));
  }
  if (rest !== '' || pieces.length === 0) pieces.push((pieces.length === 0 ? '' : hang) + rest);
  return pieces;
}

/** After which character of `head` to break: the last separator of the strongest kind in its second half. */
function breakPoint(head: readonly Drawn[], width: number): number | undefined {
  for (const separators of BREAK_AFTER) {
    let used = 0;
    let cut: number | undefined;
    for (let i = 0; i < head.length; i++) {
      used += head[i]!.width;
      if (separators.includes(head[i]!.text) && used >= width / 2) cut = i + 1;
    }
    if (cut !== undefined) return cut;
  }
  return undefined;
}
