/**
 * Aligned text tables that fit a terminal. Every table the CLI prints (audit, permissions, plan,
 * trail, history, diff) goes through `fitTable`, so they all behave alike:
 * - without a width (a pipe, a file, `--wide`) every column is shown at full width;
 * - with a width (a terminal's columns), a column whose value is the same in every row is said once
 *   above the table (`account 210987654321`), long values are shortened in the middle with `…`
 *   (names and ARNs keep their start and their end), optional columns are dropped last-first, and as
 *   a last resort each line is cut, so no line is ever wider than the terminal.
 * Pure: cells in (already made printable), lines out.
 */

export interface Column {
  header: string;
  /** Numbers read better right-aligned. */
  align?: 'left' | 'right';
  /** Where a too-long value loses characters; `none` keeps it whole (short codes, dates). */
  shorten?: 'middle' | 'end' | 'none';
  /** Never shortened below this many characters (default: the header's width, at least 6). */
  minWidth?: number;
  /** Said once above the table when every row has the same value (`account 210987654321`). */
  constantLabel?: string;
  /** May be dropped to fit; higher numbers are dropped first. */
  optional?: number;
}

export interface FitOptions {
  /** The width to fit, in terminal columns; undefined prints every column at full width. */
  width?: number;
  /** The gap between columns. */
  gap?: number;
  /** Prepended to every line (an indented table). */
  indent?: string;
  /** Colours a laid-out cell (`row` -1 is the header); colour codes do not count towards the width. */
  paint?: (column: number, row: number, cell: string) => string;
}

export interface FittedTable {
  /** `account 210987654321 · type user`, or empty. */
  constants: string[];
  /** The header line first, then one line per row; no trailing spaces. */
  lines: string[];
  /** Headers of the columns dropped to fit. */
  dropped: string[];
}

// Code points a terminal draws two columns wide (East Asian wide/fullwidth, most emoji).
const WIDE =
  /[\u1100-\u115f\u231a\u231b\u2329\u232a\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653\u267f\u2693\u26a1\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea\u26f2\u26f3\u26f5\u26fa\u26fd\u2705\u270a\u270b\u2728\u274c\u274e\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf\u2b1b\u2b1c\u2b50\u2b55\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{16fe0}-\u{1b2ff}\u{1f004}\u{1f0cf}\u{1f18e}\u{1f191}-\u{1f19a}\u{1f200}-\u{1f64f}\u{1f680}-\u{1f6ff}\u{1f7e0}-\u{1f7eb}\u{1f90c}-\u{1f9ff}\u{1fa70}-\u{1faff}\u{20000}-\u{3fffd}]/u;
// Combining marks, zero-width characters and variation selectors take no column of their own.
// biome-ignore lint/suspicious/noMisleadingCharacterClass: one code point at a time is tested, never a sequence
const ZERO = /[\p{Mn}\p{Me}\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff]/u;

/** The columns a terminal uses to draw `text` (text without control characters). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += ZERO.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
  return width;
}

/** The longest start of `text` that fits in `width` columns. */
function takeStart(text: string, width: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = ZERO.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
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

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** Lays out `rows` (one cell per column) under `columns`, fitted to `options.width` when given. */
export function fitTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  options: FitOptions = {},
): FittedTable {
  const gap = options.gap ?? 2;
  const indent = options.indent ?? '';
  const width = options.width;
  let shown = columns.map((_, i) => i);
  const constants: string[] = [];
  const dropped: string[] = [];
  if (width !== undefined && rows.length > 1) {
    shown = shown.filter((i) => {
      const label = columns[i]!.constantLabel;
      const first = rows[0]![i]!;
      if (label === undefined || first === '' || !rows.every((r) => r[i] === first)) return true;
      constants.push(`${label} ${first}`);
      return false;
    });
  }
  const natural = (i: number) =>
    Math.max(displayWidth(columns[i]!.header), ...rows.map((r) => displayWidth(r[i]!)));
  const widths = new Map(shown.map((i) => [i, natural(i)]));
  const total = () =>
    displayWidth(indent) + [...widths.values()].reduce((a, b) => a + b, 0) + gap * (widths.size - 1);
  if (width !== undefined) {
    const minOf = (i: number) => {
      const c = columns[i]!;
      if (c.shorten === 'none') return widths.get(i)!;
      return Math.min(widths.get(i)!, c.minWidth ?? Math.max(6, displayWidth(c.header)));
    };
    const shrinkToFit = () => {
      // Take a column at a time from the widest shrinkable one, down to its minimum.
      while (total() > width) {
        let widest = -1;
        for (const i of widths.keys()) {
          if (widths.get(i)! > minOf(i) && (widest === -1 || widths.get(i)! > widths.get(widest)!))
            widest = i;
        }
        if (widest === -1) return;
        widths.set(widest, widths.get(widest)! - 1);
      }
    };
    shrinkToFit();
    const droppable = [...widths.keys()]
      .filter((i) => columns[i]!.optional !== undefined)
      .sort((a, b) => columns[b]!.optional! - columns[a]!.optional! || b - a);
    for (const i of droppable) {
      if (total() <= width) break;
      widths.delete(i);
      dropped.push(columns[i]!.header);
      // a dropped column frees room the others may take back
      for (const j of widths.keys()) widths.set(j, natural(j));
      shrinkToFit();
    }
  }
  const order = [...widths.keys()];
  const line = (cells: readonly string[], row: number) => {
    const laid = order.map((i, k) => {
      const c = columns[i]!;
      const w = widths.get(i)!;
      const value = shorten(cells[i]!, w, c.shorten === 'end' ? 'end' : 'middle');
      const last = k === order.length - 1 && c.align !== 'right';
      return last ? value : pad(value, w, row === -1 ? 'left' : (c.align ?? 'left'));
    });
    const plain = (indent + laid.join(' '.repeat(gap))).trimEnd();
    if (width !== undefined && displayWidth(plain) > width) return shorten(plain, width, 'end');
    if (!options.paint) return plain;
    const painted = laid.map((cell, k) => {
      const trimmed = k === laid.length - 1 ? cell.trimEnd() : cell;
      const core = trimmed.trimEnd();
      return options.paint!(order[k]!, row, core) + trimmed.slice(core.length);
    });
    return (indent + painted.join(' '.repeat(gap))).trimEnd();
  };
  return {
    constants,
    lines: [
      line(
        columns.map((c) => c.header),
        -1,
      ),
      ...rows.map((r, n) => line(r, n)),
    ],
    dropped,
  };
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

/** The constants line shown above a fitted table (`account 210987654321 · type user`), if any. */
export function constantsLine(table: Pick<FittedTable, 'constants'>, width?: number): string[] {
  if (table.constants.length === 0) return [];
  return [fitLine(table.constants.join(' · '), width)];
}

/**
 * A whole table as text: the constants line, the header and rows, and a note naming dropped columns.
 * Columns are named by header; `ACCOUNT` is said once when constant, the last column is cut at its end.
 */
export function renderTable(
  columns: readonly (Column | string)[],
  rows: readonly (readonly string[])[],
  width?: number,
): string {
  const specs = columns.map((c, i): Column => {
    if (typeof c !== 'string') return c;
    if (c === 'ACCOUNT') return { header: c, shorten: 'none', constantLabel: 'account' };
    return i === columns.length - 1 ? { header: c, shorten: 'end', minWidth: 10 } : { header: c };
  });
  const table = fitTable(specs, rows, width === undefined ? {} : { width });
  const note =
    table.dropped.length > 0
      ? wrapText(`(${table.dropped.join(', ')} not shown: --wide shows every column)`, width)
      : [];
  return [...constantsLine(table, width), ...table.lines, ...note].join('\n');
}
