import type { PreparedInputs } from './preprocessing';
import { seasonalDeviation, seasonalPeriodSteps } from './seasonal';
import { combinePValues, fitDeviationScale, scaledSurprise, smoothTrailing } from './surprise';

/** One feature with a daily sine (period P steps), day `flatDay` flattened to its mean (0). */
function prepared(days: number, P: number, flatDay: number): PreparedInputs {
  const T = days * P;
  const z = new Float32Array(T);
  for (let t = 0; t < T; t++) {
    z[t] = Math.floor(t / P) === flatDay ? 0 : 2 * Math.sin((2 * Math.PI * t) / P);
  }
  return { z, inputs: new Float32Array(2 * T), emptyRow: new Uint8Array(T), steps: T, features: 1 };
}

describe('seasonal surprise', () => {
  it('compares a step with the same step of previous days, only when the step divides a day', () => {
    expect(seasonalPeriodSteps(3_600_000)).toBe(24);
    expect(seasonalPeriodSteps(300_000)).toBe(288);
    expect(seasonalPeriodSteps(7 * 60_000)).toBe(0);
    expect(seasonalPeriodSteps(86_400_000)).toBe(0);
  });

  it('flags a day that lost its rhythm although its mean is normal', () => {
    const P = 24;
    const prep = prepared(12, P, 9);
    const dev = seasonalDeviation(prep, P);
    expect(Number.isNaN(dev[P - 1])).toBe(true); // no previous day yet
    const scale = fitDeviationScale(dev, 1, (t) => Math.floor(t / P) !== 9);
    const { surprise } = scaledSurprise(dev, scale, 'mean');
    const dayMean = (d: number) => {
      let s = 0;
      for (let t = d * P; t < (d + 1) * P; t++) {
        s += surprise[t];
      }
      return s / P;
    };
    // Ordinary days repeat exactly: no deviation. The flat day deviates by the sine; the day after
    // compares with a median of 7 days that holds one flat day, so it stays ordinary.
    expect(dayMean(8)).toBeCloseTo(0, 9);
    expect(dayMean(9)).toBeGreaterThan(1);
    expect(dayMean(10)).toBeCloseTo(0, 9);
  });

  it('smooths over a fixed window, so a value does not depend on earlier history', () => {
    const x = Float64Array.from([5, 1, NaN, 2, 3, 4]);
    const sm = { alpha: 0.5, steps: 2 };
    const a = smoothTrailing(x, sm);
    expect(a[1]).toBeCloseTo((1 + 0.5 * 5) / 1.5, 12);
    expect(Number.isNaN(a[2])).toBe(true);
    expect(a[3]).toBeCloseTo(2, 12); // the missing step is skipped, not counted as 0
    expect(smoothTrailing(x.slice(2), sm)[3]).toBe(a[5]);
    expect(smoothTrailing(x, undefined)).toBe(x);
  });

  it("combines two p-values with Fisher's method", () => {
    expect(combinePValues(1, 1)).toBe(1);
    expect(combinePValues(0.01, 1)).toBeCloseTo(0.01 * (1 - Math.log(0.01)), 12);
    expect(combinePValues(1e-6, 0.5)).toBeLessThan(1e-5);
    expect(combinePValues(0.1, 0.1)).toBeGreaterThan(0.01); // two weak signals are not a strong one
  });
});
