import { HOUR_MS } from '../time';
import { batchSteps, dueWindow, lastStep, nextDueAt, pendingSteps } from './schedule';

const o = { stepMs: HOUR_MS, settleMs: 10 * 60_000, maxBackfillMs: 24 * HOUR_MS };
const T = Date.UTC(2026, 0, 10, 12);

describe('dueWindow', () => {
  it('owes an hour only once it has closed and settled', () => {
    expect(dueWindow(T + 9 * 60_000, o).toMs).toBe(T - HOUR_MS); // 11:00-12:00 not settled at 12:09
    expect(dueWindow(T + 10 * 60_000, o).toMs).toBe(T); // settled at 12:10
    expect(dueWindow(T + 10 * 60_000, o).fromMs).toBe(T - 24 * HOUR_MS);
  });

  it('rejects a schedule that cannot work', () => {
    expect(() => dueWindow(T, { ...o, maxBackfillMs: 0 })).toThrow(/max backfill must be at least one step/);
    expect(() => dueWindow(T, { ...o, stepMs: 1500 })).toThrow(/whole number of seconds/);
    expect(() => dueWindow(T, { ...o, settleMs: -1 })).toThrow(/must not be negative/);
  });
});

describe('pendingSteps', () => {
  it('lists the hours a store lacks, oldest first, holes included', () => {
    const w = { fromMs: T - 4 * HOUR_MS, toMs: T };
    const written = new Set([T - 4 * HOUR_MS, T - 2 * HOUR_MS]);
    expect(pendingSteps(w, HOUR_MS, written)).toEqual([T - 3 * HOUR_MS, T - HOUR_MS]);
    expect(pendingSteps(w, HOUR_MS, new Set())).toHaveLength(4);
  });
});

describe('nextDueAt', () => {
  it('is the next hour boundary plus the settle delay', () => {
    expect(nextDueAt(T + 10 * 60_000, o)).toBe(T + HOUR_MS + 10 * 60_000);
    expect(nextDueAt(T + 5 * 60_000, o)).toBe(T + 10 * 60_000);
  });
});

describe('batchSteps', () => {
  it('splits by span, not by count, so a hole does not stretch a batch', () => {
    const steps = [0, 1, 2, 5, 6, 7, 8].map((h) => T + h * HOUR_MS);
    expect(batchSteps(steps, HOUR_MS, 3).map((b) => b.map((t) => (t - T) / HOUR_MS))).toEqual([
      [0, 1, 2],
      [5, 6, 7],
      [8],
    ]);
    expect(batchSteps([], HOUR_MS, 3)).toEqual([]);
    expect(() => batchSteps(steps, HOUR_MS, 0)).toThrow(/batch must be a whole number of steps/);
  });
});

describe('lastStep', () => {
  it('is the newest step or null', () => {
    expect(lastStep(new Set([3, 9, 1]))).toBe(9);
    expect(lastStep(new Set())).toBeNull();
  });
});
