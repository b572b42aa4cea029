/** Time spans in milliseconds, the unit of every timestamp in the matrix, labels and queries. */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;

/** Starts of the steps covering [fromMs, toMs): from aligned down, to aligned up, to whole steps. */
export function stepStarts(fromMs: number, toMs: number, stepMs: number): number[] {
  const out: number[] = [];
  for (let t = Math.floor(fromMs / stepMs) * stepMs; t < Math.ceil(toMs / stepMs) * stepMs; t += stepMs) {
    out.push(t);
  }
  return out;
}

/** A timestamp for error messages: ISO 8601, or as given when it is not a finite number. */
export function isoTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
