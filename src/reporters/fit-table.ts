/**
 * Aligned text tables that fit a terminal. Every table the CLI prints (audit, permissions, plan, the
 * apply confirmation, trail, history, diff) goes through `fitTable`, so they all behave alike:
 * - without a width (a pipe, a file, `--wide`) every column is shown at full width, one line a row;
 * - with a width (a terminal's columns), a column whose value is the same in every row is said once
 *   above the table (`account 210987654321`), descriptive values are shortened with `…`, optional
 *   columns are dropped lowest value first (and a note under the table says which, and what shows
 *   them), and as a last resort a line is cut, so no line is ever wider than the terminal.
 *
 * A column that `identifies` the row (the principal, an ARN, the permission) is never shortened.
 * A principal cut to `breakgl…condary` or `arn:aws:…er/christophe` is what a reader can neither act
 * on nor search for, and can be ambiguous: the sample trail has `user/christophe` in 36 accounts,
 * so keeping only the name's end loses the account, keeping only the start loses the name. So it
 * keeps its width while the other columns shrink and optional ones are dropped; when it still does
 * not fit, its long values wrap in the column, broken after `/`, `:`, `@`… so each piece reads as
 * part of the ARN; and when the column would be narrower than its `minWidth` (two or three pieces
 * of an ARN a line, which no longer read as one), it leaves the row for a line of its own under
 * each row, indented, as wide as the terminal allows. Wrapping, not eliding, is also what keeps
 * the value whole for a copy from the terminal (`--wide` or `--format json` for a script).
 * Pure: cells in (already made printable), lines out.
 */
import { breakValue, displayWidth, fitLine, shorten, wrapText } from './text-width.ts';

export interface Column {
  header: string;
  /** Numbers read better right-aligned. */
  align?: 'left' | 'right';
  /** Where a too-long value loses characters; `none` keeps it whole (short codes, dates). */
  shorten?: 'middle' | 'end' | 'none';
  /**
   * Never shortened below this many characters (default: the header's width, at least 6). For a
   * column that `identifies`, the narrowest it wraps in before it moves under the row (default 20).
   */
  minWidth?: number;
  /** Said once above the table when every row has the same value (`account 210987654321`). */
  constantLabel?: string;
  /** May be dropped to fit; higher numbers are dropped first. */
  optional?: number;
  /** What the row is about (a principal, an ARN): wrapped, never shortened (see above). */
  identifies?: boolean;
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
  /** The header line(s) first, then each row's line(s); no trailing spaces. */
  lines: string[];
  /** Headers of the columns dropped to fit. */
  dropped: string[];
  /** Headers of the columns shown on a line of their own under each row. */
  underRows: string[];
}

/** Under the row: the indent of a value moved out of it (and of its header). */
const UNDER = '  ';
/** The rest of a wrapped value, after its first line. */
const HANG = '  ';
/** An identifying column wraps in no fewer columns than this unless it says otherwise. */
const IDENTIFIES_MIN = 20;

/** Each column's widest value (or header), measured once. */
function naturalWidths(columns: readonly Column[], rows: readonly (readonly string[])[]) {
  const known = new Map<number, number>();
  return (i: number): number => {
    if (!known.has(i)) {
      let widest = displayWidth(columns[i]!.header);
      for (const r of rows) widest = Math.max(widest, displayWidth(r[i]!));
      known.set(i, widest);
    }
    return known.get(i)!;
  };
}

interface Layout {
  widths: Map<number, number>;
  dropped: number[];
  /** False: too wide for `width` even so (every optional column dropped, the others at their minimum). */
  fits: boolean;
}

/**
 * Widths for the columns `inRow` within `width`; when they do not fit even with every optional
 * column dropped, the others at their minimum and the identifying ones at theirs, that narrowest
 * layout, `fits` false.
 */
function layOut(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  inRow: readonly number[],
  width: number,
  used: number,
  gap: number,
): Layout {
  const natural = naturalWidths(columns, rows);
  const wrapMin = (i: number) => Math.min(natural(i), columns[i]!.minWidth ?? IDENTIFIES_MIN);
  // What an identifying column asks for: its widest value, unless that is an outlier (one
  // 200-character session ARN among 40-character ones), which wraps rather than squeeze every other
  // column: the widest value within half again the typical (90th percentile) width.
  const asked = new Map<number, number>();
  const wanted = (i: number) => {
    if (!asked.has(i)) {
      const sorted = rows.map((r) => displayWidth(r[i]!)).sort((a, b) => a - b);
      const typical = sorted[Math.floor(0.9 * (sorted.length - 1))] ?? 0;
      const within = sorted.filter((w) => w <= typical * 1.5).at(-1) ?? 0;
      asked.set(i, Math.max(within, displayWidth(columns[i]!.header), wrapMin(i)));
    }
    return asked.get(i)!;
  };
  const minOf = (i: number) => {
    const c = columns[i]!;
    if (c.identifies) return wanted(i);
    if (c.shorten === 'none') return natural(i);
    return Math.min(natural(i), c.minWidth ?? Math.max(6, displayWidth(c.header)));
  };
  let widths = new Map<number, number>();
  const total = () => used + [...widths.values()].reduce((a, b) => a + b, 0) + gap * (widths.size - 1);
  const shrinkToFit = (floor: (i: number) => number) => {
    // Take a column at a time from the widest shrinkable one, down to its floor.
    while (total() > width) {
      let widest = -1;
      for (const i of widths.keys()) {
        if (widths.get(i)! > floor(i) && (widest === -1 || widths.get(i)! > widths.get(widest)!)) widest = i;
      }
      if (widest === -1) return;
      widths.set(widest, widths.get(widest)! - 1);
    }
  };
  const kept = new Set(inRow);
  /** The kept columns, in order, from their natural widths down to their minimum: do they fit? */
  const attempt = () => {
    widths = new Map([...kept].sort((a, b) => a - b).map((i) => [i, natural(i)]));
    shrinkToFit(minOf);
    return total() <= width;
  };
  let fits = attempt();
  const droppable = inRow
    .filter((i) => columns[i]!.optional !== undefined)
    .sort((a, b) => columns[b]!.optional! - columns[a]!.optional! || b - a);
  const dropped: number[] = [];
  for (const i of droppable) {
    if (fits) break;
    kept.delete(i);
    dropped.push(i);
    fits = attempt();
  }
  // A column dropped early may fit, whole, beside the ones kept once a wider one has gone (the age
  // once the key id has): the more valuable first. Whole, or it would only be a row of `…`.
  for (const i of [...dropped].reverse()) {
    kept.add(i);
    if (attempt() && widths.get(i) === natural(i)) dropped.splice(dropped.indexOf(i), 1);
    else kept.delete(i);
  }
  attempt();
  // Only now does an identifying column give up width: its values wrap.
  shrinkToFit((i) => (columns[i]!.identifies ? wrapMin(i) : minOf(i)));
  return { widths, dropped, fits: total() <= width };
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
  if (width !== undefined && rows.length > 1) {
    shown = shown.filter((i) => {
      const label = columns[i]!.constantLabel;
      const first = rows[0]![i]!;
      if (label === undefined || first === '' || !rows.every((r) => r[i] === first)) return true;
      constants.push(`${label} ${first}`);
      return false;
    });
  }
  const natural = naturalWidths(columns, rows);
  let layout: Layout = { widths: new Map(shown.map((i) => [i, natural(i)])), dropped: [], fits: true };
  const under: number[] = [];
  if (width !== undefined) {
    // Identifying columns leave the row, the last first, until it fits. Once one has left, another
    // that would wrap in the row leaves too: an indented line under a row is then always a value
    // moved there, never the rest of a wrapped one. If it never fits, the narrowest layout stands
    // (optional columns dropped and named, the `shorten: 'none'` ones whole, the others at their
    // minimum) and the last resort in line() cuts each line at its end: the columns on its left stay
    // whole and readable, where cutting every column to six left none (`AKI…01` for each of four keys,
    // `dea…ey` for the action).
    const leaving = shown.filter((i) => columns[i]!.identifies).reverse();
    let inRow = shown;
    const fits = () => layOut(columns, rows, inRow, width, displayWidth(indent), gap);
    let fitted = fits();
    for (const i of leaving) {
      const wraps = fitted.fits && under.length > 0 && fitted.widths.get(i)! < natural(i);
      if (fitted.fits && !wraps) continue;
      under.unshift(i);
      inRow = inRow.filter((j) => j !== i);
      fitted = fits();
    }
    layout = fitted;
  }
  const { widths } = layout;
  const order = [...widths.keys()];
  const paint = (column: number, row: number, cell: string) =>
    options.paint ? options.paint(column, row, cell) : cell;
  const fit = (text: string) => (width !== undefined ? fitLine(text, width) : text);
  /** One line of cells (each already at most its column's width). */
  const line = (cells: readonly string[], row: number) => {
    const laid = order.map((i, k) => {
      const c = columns[i]!;
      const last = k === order.length - 1 && c.align !== 'right';
      const value = cells[k]!;
      return last ? value : pad(value, widths.get(i)!, row === -1 ? 'left' : (c.align ?? 'left'));
    });
    const plain = (indent + laid.join(' '.repeat(gap))).trimEnd();
    if (width !== undefined && displayWidth(plain) > width) return fit(plain);
    if (!options.paint) return plain;
    const painted = laid.map((cell, k) => {
      const trimmed = k === laid.length - 1 ? cell.trimEnd() : cell;
      const core = trimmed.trimEnd();
      return (core === '' ? '' : paint(order[k]!, row, core)) + trimmed.slice(core.length);
    });
    return (indent + painted.join(' '.repeat(gap))).trimEnd();
  };
  // Under the row, indented, unless that leaves no room for a wide character (a terminal of 1 to 3
  // columns: `  P` was three).
  const underIndent = width === undefined || width - displayWidth(indent + UNDER) >= 2 ? UNDER : '';
  const underRoom = Math.max(1, (width ?? Number.POSITIVE_INFINITY) - displayWidth(indent + underIndent));
  /** A row's lines: its cells (an identifying one wrapped), then the values moved under it. */
  const rowLines = (cells: readonly string[], row: number): string[] => {
    const pieces = order.map((i) => {
      const c = columns[i]!;
      const w = widths.get(i)!;
      if (width !== undefined && c.identifies) return breakValue(cells[i]!, w, HANG);
      return [shorten(cells[i]!, w, c.shorten === 'end' ? 'end' : 'middle')];
    });
    const height = Math.max(1, ...pieces.map((p) => p.length));
    const out: string[] = [];
    for (let n = 0; n < height; n++)
      out.push(
        line(
          pieces.map((p) => p[n] ?? ''),
          row,
        ),
      );
    for (const i of under) {
      for (const piece of breakValue(cells[i]!, underRoom, HANG))
        out.push(`${indent}${underIndent}${paint(i, row, piece)}`);
    }
    return out;
  };
  const headers = columns.map((c) => c.header);
  return {
    constants,
    lines: [...rowLines(headers, -1), ...rows.flatMap((r, n) => rowLines(r, n))],
    dropped: layout.dropped.map((i) => columns[i]!.header),
    underRows: under.map((i) => columns[i]!.header),
  };
}

/** What shows the columns a table dropped, for a command that also has `--format json`. */
export const WIDE_OR_JSON = '--wide or --format json';

/**
 * The note under a table that dropped columns to fit, once: which, and what shows them (`--wide`;
 * WIDE_OR_JSON where the command has `--format json`). Empty when nothing was dropped.
 */
export function droppedNote(
  table: Pick<FittedTable, 'dropped'>,
  width: number | undefined,
  shows = '--wide',
): string[] {
  if (table.dropped.length === 0) return [];
  return wrapText(
    `(${table.dropped.join(', ')} not shown to fit the terminal; ${shows} shows ${table.dropped.length === 1 ? 'it' : 'them'})`,
    width,
  );
}

/**
 * The constants line shown above a fitted table (`account 210987654321 · type user`), if any;
 * wrapped to the width, never cut: it is the only place the table names those values (cut at its
 * end, `as of 2026-11-01 · threshold 90 days · …` at 40 columns lost the account altogether).
 */
export function constantsLine(table: Pick<FittedTable, 'constants'>, width?: number): string[] {
  if (table.constants.length === 0) return [];
  const text = table.constants.join(' · ');
  if (width === undefined) return [text];
  return wrapText(text, width, { keepWords: true }).flatMap((line) => breakValue(line, width));
}

/**
 * A whole table as text: the constants line, the header and rows, and a note naming dropped columns.
 * Columns are named by header; `ACCOUNT` is said once when constant, the last column is cut at its end.
 * `shows`: what shows the dropped columns (default `--wide`).
 */
export function renderTable(
  columns: readonly (Column | string)[],
  rows: readonly (readonly string[])[],
  width?: number,
  shows?: string,
): string {
  const specs = columns.map((c, i): Column => {
    if (typeof c !== 'string') return c;
    if (c === 'ACCOUNT') return { header: c, shorten: 'none', constantLabel: 'account' };
    return i === columns.length - 1 ? { header: c, shorten: 'end', minWidth: 10 } : { header: c };
  });
  const table = fitTable(specs, rows, width === undefined ? {} : { width });
  return [...constantsLine(table, width), ...table.lines, ...droppedNote(table, width, shows)].join('\n');
}
