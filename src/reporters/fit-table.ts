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
import { displayWidth, fitLine, shorten, wrapText } from './text-width.ts';

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
