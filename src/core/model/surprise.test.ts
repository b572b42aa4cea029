import { DEFAULT_LOGISTIC, exceedance, fitLogistic, fitSurpriseCalibration, surpriseProbability } from './surprise';

describe('surprise calibration', () => {
  const values = Array.from({ length: 1000 }, (_, i) => -Math.log(1 - (i + 0.5) / 1000)); // Exp(1) quantiles
  const cal = fitSurpriseCalibration(values, [1, 1], 'mean');

  it('maps surprise to a tail probability that falls as surprise grows', () => {
    expect(exceedance(cal, -1)).toBe(1);
    expect(exceedance(cal, Math.log(2))).toBeCloseTo(0.5, 1);
    expect(exceedance(cal, cal.tail.threshold)).toBeCloseTo(0.05, 5);
    expect(exceedance(cal, 10)).toBeLessThan(exceedance(cal, 5));
    let last = 2;
    for (let s = 0; s < 15; s += 0.25) {
      const p = exceedance(cal, s);
      expect(p).toBeLessThanOrEqual(last);
      last = p;
    }
    // Default logistic: as rare as 1 in 100 → 0.5.
    const s100 = -Math.log(0.01);
    expect(surpriseProbability(cal, s100)).toBeCloseTo(0.5, 1);
    expect(Number.isNaN(surpriseProbability(cal, NaN))).toBe(true);
  });

  it('fits the logistic on labels, leaning on the default when labels are few', () => {
    const xs: number[] = [];
    const ys: Array<0 | 1> = [];
    for (let i = 0; i < 500; i++) {
      const x = (i % 50) / 10; // 0 .. 4.9
      xs.push(x);
      ys.push(x > 1 && i % 3 === 0 ? 1 : 0);
    }
    const fit = fitLogistic(xs, ys);
    expect(fit.slope).toBeGreaterThan(0);
    expect(fit.intercept).toBeLessThan(DEFAULT_LOGISTIC.intercept);
    const none = fitLogistic([], []);
    expect(none.slope).toBeCloseTo(DEFAULT_LOGISTIC.slope);
    expect(none.intercept).toBeCloseTo(DEFAULT_LOGISTIC.intercept);
  });
});
