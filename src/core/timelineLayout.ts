/**
 * Geometry and interaction logic of the outage timeline's hour grid, kept free of React and Grafana so
 * it can be unit-tested and stays cheap for 90-day ranges (2,160 cells): one row per day, one column per
 * step of the day, rows aligned to local midnight so a column is always the same hour.
 */
import { DAY_MS } from './time';

export interface GridLayout {
  /** Number of cells (steps). */
  count: number;
  /** Columns per row (steps per day, or fewer when the range is shorter than a day). */
  cols: number;
  rows: number;
  /** Empty slots before cell 0 in the first row (its hour of day). */
  offset: number;
  /** Left edge of the grid (room for the row labels). */
  left: number;
  top: number;
  cellWidth: number;
  cellHeight: number;
}

export interface LayoutInput {
  count: number;
  stepMs: number;
  /** Epoch ms of cell 0 shifted into the displayed time zone (ms since local epoch). */
  firstLocalMs: number;
  width: number;
  height: number;
  left?: number;
  top?: number;
  maxCellHeight?: number;
}

export function layoutGrid(input: LayoutInput): GridLayout {
  const { count, stepMs, width, height } = input;
  const left = input.left ?? 0;
  const top = input.top ?? 0;
  const perDay = stepMs > 0 && stepMs <= DAY_MS ? Math.max(1, Math.round(DAY_MS / stepMs)) : 1;
  // A range shorter than a day is drawn as one row of its own steps (no empty slots).
  const cols = count <= perDay ? Math.max(count, 1) : perDay;
  const offset = count <= perDay ? 0 : Math.floor((((input.firstLocalMs % DAY_MS) + DAY_MS) % DAY_MS) / stepMs) % cols;
  const rows = Math.max(1, Math.ceil((count + offset) / cols));
  const cellWidth = Math.max(1, (width - left) / cols);
  const cellHeight = Math.max(1, Math.min(input.maxCellHeight ?? 28, (height - top) / rows));
  return { count, cols, rows, offset, left, top, cellWidth, cellHeight };
}

function cellPosition(l: GridLayout, i: number): { row: number; col: number } {
  const slot = i + l.offset;
  return { row: Math.floor(slot / l.cols), col: slot % l.cols };
}

export function cellRect(l: GridLayout, i: number): { x: number; y: number; width: number; height: number } {
  const { row, col } = cellPosition(l, i);
  return { x: l.left + col * l.cellWidth, y: l.top + row * l.cellHeight, width: l.cellWidth, height: l.cellHeight };
}

/** The cell under a point (grid-relative pixels), or -1 (outside, or an empty slot). O(1). */
export function hitTest(l: GridLayout, x: number, y: number): number {
  const col = Math.floor((x - l.left) / l.cellWidth);
  const row = Math.floor((y - l.top) / l.cellHeight);
  if (col < 0 || col >= l.cols || row < 0 || row >= l.rows) {
    return -1;
  }
  const i = row * l.cols + col - l.offset;
  return i >= 0 && i < l.count ? i : -1;
}

export type FocusKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End';

/** Focus after a navigation key: left/right one step, up/down one day, clamped to the range. */
export function moveFocus(l: GridLayout, focus: number, key: FocusKey): number {
  const delta: Record<FocusKey, number> = {
    ArrowLeft: -1,
    ArrowRight: 1,
    ArrowUp: -l.cols,
    ArrowDown: l.cols,
    Home: -Infinity,
    End: Infinity,
  };
  const next = focus + delta[key];
  return Math.max(0, Math.min(l.count - 1, Number.isFinite(next) ? next : next < 0 ? 0 : l.count - 1));
}

/** Bounded undo history; entries are whatever restores the previous state. */
export class UndoStack<T> {
  private items: T[] = [];
  constructor(private readonly limit = 50) {}

  push(entry: T) {
    this.items.push(entry);
    if (this.items.length > this.limit) {
      this.items.shift();
    }
  }

  pop(): T | undefined {
    return this.items.pop();
  }

  get size() {
    return this.items.length;
  }
}

export interface RowRun<K> {
  first: number;
  last: number;
  key: K;
}

/**
 * Consecutive cells with the same non-null key, split at row ends: one rectangle per run instead of
 * one per cell keeps label bands and selections cheap to redraw on 90-day ranges.
 */
export function runsByRow<K>(l: GridLayout, keyOf: (i: number) => K | null): Array<RowRun<K>> {
  const out: Array<RowRun<K>> = [];
  let cur: RowRun<K> | null = null;
  for (let i = 0; i < l.count; i++) {
    const key = keyOf(i);
    const rowStart = (i + l.offset) % l.cols === 0;
    if (cur && (key !== cur.key || rowStart)) {
      out.push(cur);
      cur = null;
    }
    if (key !== null && !cur) {
      cur = { first: i, last: i, key };
    } else if (cur) {
      cur.last = i;
    }
  }
  if (cur) {
    out.push(cur);
  }
  return out;
}

/** The rectangle covering a run (all its cells are in one row). */
export function runRect(l: GridLayout, run: { first: number; last: number }) {
  const a = cellRect(l, run.first);
  const b = cellRect(l, run.last);
  return { x: a.x, y: a.y, width: b.x + b.width - a.x, height: a.height };
}
