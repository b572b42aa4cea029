/**
 * Seasonal surprise: how far each feature is from the same step of the previous days (median of up to
 * SEASONAL_DAYS of them), in units of its typical distance on normal training rows (surprise.ts scales and
 * aggregates it like the forecast's deviation). The forecaster sees
 * 24 steps; a day that loses its rhythm, a degradation over days or a count that stops following its
 * partner look ordinary step to step but not against the same hour yesterday and last week.
 */
import type { PreparedInputs } from './preprocessing';
import { DAY_MS } from '../time';

export const SEASONAL_DAYS = 7;

/** Steps per day, or 0 when the step does not divide a day (no same-step-of-day to compare with). */
export function seasonalPeriodSteps(stepMs: number): number {
  return stepMs > 0 && DAY_MS % stepMs === 0 && DAY_MS / stepMs >= 2 ? DAY_MS / stepMs : 0;
}

/** [T, F] z[t] − median of z[t − k·P] (k = 1..days, present values only); NaN without any. */
export function seasonalDeviation(prep: PreparedInputs, periodSteps: number, days = SEASONAL_DAYS): Float64Array {
  const { steps: T, features: F, z } = prep;
  const out = new Float64Array(T * F).fill(NaN);
  // At most `days` values per cell: an insertion sort into a reused buffer (a year of hours is ~110,000 cells).
  const past = new Float64Array(days);
  for (let t = periodSteps; t < T; t++) {
    for (let f = 0; f < F; f++) {
      const actual = z[t * F + f];
      if (Number.isNaN(actual)) {
        continue;
      }
      let n = 0;
      for (let k = 1; k <= days && t - k * periodSteps >= 0; k++) {
        const v = z[(t - k * periodSteps) * F + f];
        if (!Number.isNaN(v)) {
          let i = n++;
          while (i > 0 && past[i - 1] > v) {
            past[i] = past[i - 1];
            i--;
          }
          past[i] = v;
        }
      }
      if (n > 0) {
        const m = n >> 1;
        out[t * F + f] = actual - (n % 2 ? past[m] : (past[m - 1] + past[m]) / 2);
      }
    }
  }
  return out;
}
