import { UndoStack, cellRect, hitTest, layoutGrid, moveFocus, runRect, runsByRow } from './timelineLayout';

const H = 3600e3;

describe('layoutGrid', () => {
  it('puts one day per row with columns aligned to the hour of day', () => {
    // Starts at 05:00: five empty slots before the first cell.
    const l = layoutGrid({ count: 48, stepMs: H, firstLocalMs: 5 * H, width: 240, height: 300 });
    expect(l).toMatchObject({ cols: 24, offset: 5, rows: 3, cellWidth: 10 });
    expect(cellRect(l, 0)).toMatchObject({ x: 50, y: 0 });
    expect(cellRect(l, 19)).toMatchObject({ x: 0, y: l.cellHeight });
  });

  it('draws a range shorter than a day as one row', () => {
    const l = layoutGrid({ count: 6, stepMs: H, firstLocalMs: 7 * H, width: 60, height: 20 });
    expect(l).toMatchObject({ cols: 6, offset: 0, rows: 1, cellWidth: 10, cellHeight: 20 });
  });

  it('handles 90 days (2,160 cells) with every cell distinct', () => {
    const l = layoutGrid({ count: 2160, stepMs: H, firstLocalMs: 0, width: 960, height: 900, left: 40 });
    expect(l.rows).toBe(90);
    const seen = new Set<string>();
    for (let i = 0; i < 2160; i++) {
      const r = cellRect(l, i);
      seen.add(`${r.x},${r.y}`);
      expect(hitTest(l, r.x + r.width / 2, r.y + r.height / 2)).toBe(i);
    }
    expect(seen.size).toBe(2160);
  });
});

describe('hitTest', () => {
  const l = layoutGrid({ count: 30, stepMs: H, firstLocalMs: 20 * H, width: 240, height: 100, left: 0, top: 0 });

  it('finds the cell under a point and nothing in empty slots or outside', () => {
    expect(l.offset).toBe(20);
    expect(hitTest(l, 205, 1)).toBe(0);
    expect(hitTest(l, 5, 1)).toBe(-1); // before the first hour
    expect(hitTest(l, -1, 1)).toBe(-1);
    expect(hitTest(l, 5, l.cellHeight + 1)).toBe(4);
    expect(hitTest(l, 239, l.cellHeight * 2 + 1)).toBe(-1); // past the last cell
  });
});

describe('moveFocus', () => {
  const l = layoutGrid({ count: 72, stepMs: H, firstLocalMs: 0, width: 240, height: 100 });
  it('moves by a step left/right and a day up/down, clamped', () => {
    expect(moveFocus(l, 10, 'ArrowRight')).toBe(11);
    expect(moveFocus(l, 0, 'ArrowLeft')).toBe(0);
    expect(moveFocus(l, 10, 'ArrowDown')).toBe(34);
    expect(moveFocus(l, 10, 'ArrowUp')).toBe(0);
    expect(moveFocus(l, 60, 'ArrowDown')).toBe(71);
    expect(moveFocus(l, 5, 'End')).toBe(71);
    expect(moveFocus(l, 5, 'Home')).toBe(0);
  });
});

describe('UndoStack', () => {
  it('pops in reverse order and forgets the oldest beyond its limit', () => {
    const s = new UndoStack<number>(2);
    s.push(1);
    s.push(2);
    s.push(3);
    expect(s.size).toBe(2);
    expect(s.pop()).toBe(3);
    expect(s.pop()).toBe(2);
    expect(s.pop()).toBeUndefined();
  });
});

describe('runsByRow', () => {
  it('merges equal keys and splits at row ends and key changes', () => {
    const l = layoutGrid({ count: 30, stepMs: H, firstLocalMs: 20 * H, width: 240, height: 100 });
    const keys = Array.from({ length: 30 }, (_, i) => (i < 6 ? 'a' : i === 6 ? null : i < 9 ? 'b' : null));
    expect(runsByRow(l, (i) => keys[i])).toEqual([
      { first: 0, last: 3, key: 'a' }, // 20:00-23:00 on day one
      { first: 4, last: 5, key: 'a' }, // continues on the next row
      { first: 7, last: 8, key: 'b' },
    ]);
    expect(runRect(l, { first: 4, last: 5 })).toEqual({ x: 0, y: l.cellHeight, width: 20, height: l.cellHeight });
  });
});
