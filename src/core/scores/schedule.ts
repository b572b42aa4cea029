/**
 * Which steps the watcher owes: every step that has closed and settled (late events have arrived),
 * within the backfill bound, that a store does not hold yet. Pure; the service supplies the clock and
 * what each store holds.
 */
export interface ScheduleOptions {
  stepMs: number;
  /** Wait after a step closes before scoring it, for late events. */
  settleMs: number;
  /** How far back the watcher fills steps a store is missing. */
  maxBackfillMs: number;
}

export interface DueWindow {
  /** First step owed (inclusive), a multiple of stepMs. */
  fromMs: number;
  /** End (exclusive): the start of the first step that is not yet closed and settled. */
  toMs: number;
}

export class ScheduleError extends Error {}

export function checkSchedule(o: ScheduleOptions): void {
  if (!Number.isInteger(o.stepMs) || o.stepMs < 1000 || o.stepMs % 1000 !== 0) {
    throw new ScheduleError(`step must be a whole number of seconds, got ${o.stepMs} ms`);
  }
  if (!(o.settleMs >= 0)) {
    throw new ScheduleError(`settle delay must not be negative, got ${o.settleMs} ms`);
  }
  if (!(o.maxBackfillMs >= o.stepMs)) {
    throw new ScheduleError(`max backfill must be at least one step (${o.stepMs / 1000}s), got ${o.maxBackfillMs} ms`);
  }
}

/** Steps s with s + step + settle <= now, the newest maxBackfill of them. */
export function dueWindow(nowMs: number, o: ScheduleOptions): DueWindow {
  checkSchedule(o);
  const toMs = Math.floor((nowMs - o.settleMs) / o.stepMs) * o.stepMs;
  const fromMs = toMs - Math.floor(o.maxBackfillMs / o.stepMs) * o.stepMs;
  return { fromMs, toMs };
}

/** Steps of the window a store does not hold, oldest first. */
export function pendingSteps(w: DueWindow, stepMs: number, written: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let t = w.fromMs; t < w.toMs; t += stepMs) {
    if (!written.has(t)) {
      out.push(t);
    }
  }
  return out;
}

/** When the next step becomes due after `nowMs` (its close plus the settle delay). */
export function nextDueAt(nowMs: number, o: ScheduleOptions): number {
  return dueWindow(nowMs, o).toMs + o.stepMs + o.settleMs;
}

/**
 * Groups sorted steps into batches spanning at most batchSteps steps each, so one fetch covers a batch
 * and a long backfill is written (and can be resumed) piece by piece.
 */
export function batchSteps(steps: readonly number[], stepMs: number, batchSteps: number): number[][] {
  if (!Number.isInteger(batchSteps) || batchSteps < 1) {
    throw new ScheduleError(`batch must be a whole number of steps >= 1, got ${batchSteps}`);
  }
  const out: number[][] = [];
  let current: number[] = [];
  for (const t of steps) {
    if (current.length > 0 && t - current[0] >= batchSteps * stepMs) {
      out.push(current);
      current = [];
    }
    current.push(t);
  }
  if (current.length > 0) {
    out.push(current);
  }
  return out;
}

/** The newest step in a set, or null. */
export function lastStep(written: ReadonlySet<number>): number | null {
  let last: number | null = null;
  for (const t of written) {
    if (last === null || t > last) {
      last = t;
    }
  }
  return last;
}
