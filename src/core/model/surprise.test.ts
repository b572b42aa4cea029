import {
  DEFAULT_LOGISTIC,
  evidenceProbability,
  exceedance,
  fitLogistic,
  fitSurpriseCalibration,
  evidenceOf,
  featureExceedance,
  fitFeatureNulls,
  scaledSurprise,
} from './surprise';
import { Rng } from '../rng';
import { fitSurpriseLogistic } from './calibration';

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
    expect(evidenceProbability(cal, evidenceOf(exceedance(cal, s100)))).toBeCloseTo(0.5, 1);
    expect(Number.isNaN(evidenceProbability(cal, NaN))).toBe(true);
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
    // Rising towards the label rates: none below x = 1, a third above.
    const p = (x: number) => 1 / (1 + Math.exp(-fit.slope * (x - fit.intercept)));
    expect(p(0.5)).toBeLessThan(p(3) / 2);
    expect(p(3)).toBeGreaterThan(0.15);
    expect(p(3)).toBeLessThan(0.5);
    const none = fitLogistic([], []);
    expect(none.slope).toBeCloseTo(DEFAULT_LOGISTIC.slope);
    expect(none.intercept).toBeCloseTo(DEFAULT_LOGISTIC.intercept);
  });

  it('keeps the prior when labelled anomalies are less surprising than normal rows', () => {
    // Seen on ASD omi-1: a clamped slope put the intercept at 15,400 and every probability at 0.
    const xs = Array.from({ length: 400 }, (_, i) => (i % 40) / 4);
    const ys = xs.map((x, i) => (x < 2 && i % 2 === 0 ? 1 : 0));
    expect(fitLogistic(xs, ys)).toEqual(DEFAULT_LOGISTIC);
  });
});

describe('fitSurpriseLogistic', () => {
  // 300 rows of history nobody reviewed, 20 of them an unlabelled incident (evidence 4-4.95); then the shifter's
  // weeks: 20 alarms labelled normal (evidence 3-3.95), 1,000 unlabelled rows of low evidence and 10 labelled
  // anomalous rows (4-4.9). The labelled rows alone hold 1 anomaly in 3, the reviewed weeks 1 in 103.
  const history = Array.from({ length: 300 }, (_, i) => (i < 280 ? (2 * i) / 280 : 4 + (i - 280) / 20));
  const evidence = Float64Array.from([
    ...history,
    ...Array.from({ length: 20 }, (_, i) => 3 + i / 20),
    ...Array.from({ length: 1000 }, (_, i) => (2 * i) / 1000),
    ...Array.from({ length: 10 }, (_, i) => 4 + i / 10),
  ]);
  const T = evidence.length;
  const labels = Array.from(evidence, (_, t) => (t < 300 ? null : t < 320 ? 0 : t < T - 10 ? null : 1));
  const cal = () =>
    fitSurpriseCalibration([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19], [1], 'mean');
  const p = (c: ReturnType<typeof cal>, x: number) => evidenceProbability(c, x);

  it('counts unlabelled rows from the first label on as normal, neither inflating nor silencing the incidents', () => {
    const c = cal();
    fitSurpriseLogistic(c, evidence, labels, new Uint8Array(T));
    expect(c.logistic.fittedRows).toBe(1030);
    expect(p(c, 1)).toBeLessThan(0.01); // the unlabelled mass
    expect(p(c, 3.2)).toBeLessThan(0.3); // alarms labelled normal are pushed down
    expect(p(c, 4.6)).toBeGreaterThan(0.5); // incidents like the labelled ones still alarm
  });

  it('leaves out the history before the first label, whose incidents nobody labelled', () => {
    // Had the shifter reviewed that history and called all of it normal, incidents like these would not alarm.
    const c = cal();
    fitSurpriseLogistic(c, evidence, labels.map((l, t) => (t === 0 ? 0 : l)), new Uint8Array(T));
    expect(c.logistic.fittedRows).toBe(T);
    expect(p(c, 4.6)).toBeLessThan(0.5);
  });

  it('keeps the default without 5 labelled anomalies and 5 labelled normal rows, and skips validation rows', () => {
    const c = cal();
    const few = labels.map((l, t) => (l === 0 && t > 303 ? null : l));
    fitSurpriseLogistic(c, evidence, few, new Uint8Array(T));
    expect(c.logistic).toEqual(DEFAULT_LOGISTIC);
    // Validation rows hold 9 of the 10 anomalies: one is left to fit on.
    fitSurpriseLogistic(c, evidence, labels, new Uint8Array(T).fill(1, T - 9));
    expect(c.logistic).toEqual(DEFAULT_LOGISTIC);
  });
});

describe("the 'minp' aggregate", () => {
  // Feature 0 is spiky (0 most of the time, ±10 on 5% of the rows), feature 1 Gaussian: per unit of its RMS,
  // a usual spike of feature 0 is a larger deviation than a 4-sigma step of feature 1, which is far rarer.
  const rng = new Rng('minp');
  const T = 4000;
  const deviation = new Float64Array(2 * T);
  for (let t = 0; t < T; t++) {
    deviation[2 * t] = rng.next() < 0.05 ? (rng.next() < 0.5 ? -10 : 10) : 0;
    deviation[2 * t + 1] = rng.normal();
  }
  const probe = Float64Array.from([0, 4]); // feature 1 at 4 sigma, feature 0 quiet
  const all = Float64Array.from([...deviation, ...probe]);
  const scale = [Math.sqrt(0.05 * 100), 1];
  const nulls = fitFeatureNulls(scaledSurprise(deviation, scale, 'mean').perFeature, deviation, 2, () => true)!;
  const above = (x: Float64Array) => x.slice(0, T).filter((v) => v >= x[T]).length;

  it('ranks a rare deviation of a steady feature above the usual swings of a spiky one', () => {
    const max = scaledSurprise(all, scale, 'max').surprise;
    const minp = scaledSurprise(all, scale, 'minp', nulls).surprise;
    expect(above(max)).toBeGreaterThan(100); // the spikes (r² = 20) outrank r² = 16
    expect(above(minp)).toBeLessThan(5);
    expect(minp[T]).toBeGreaterThan(3.5); // about −log10 P(|z| > 4)
  });

  it('ranks features for explanations by p-value: the rare deviation first, not the usual spike', () => {
    const both = Float64Array.from([...deviation, 10, 4]); // feature 0's usual spike, feature 1 at 4 sigma
    const s = scaledSurprise(both, scale, 'minp', nulls);
    expect(s.perFeature[2 * T]).toBeGreaterThan(s.perFeature[2 * T + 1]);
    expect(s.featureRank![2 * T + 1]).toBeGreaterThan(s.featureRank![2 * T]);
    expect(scaledSurprise(both, scale, 'mean').featureRank).toBeUndefined();
  });

  it('needs a null per feature, and features with at least 20 values to fit them', () => {
    expect(() => scaledSurprise(all, scale, 'minp')).toThrow(/needs a null distribution per feature/);
    const sparse = Float64Array.from({ length: 40 }, (_, i) => (i % 2 === 0 || i < 20 ? 1 : NaN));
    expect(fitFeatureNulls(sparse, sparse, 2, () => true)).toBeUndefined();
    // A feature constant on normal rows: its tail still decays by e per unit of squared z, not per 1e-6.
    const flat = fitFeatureNulls(new Float64Array(40), new Float64Array(40), 2, () => true)!;
    expect(flat[0].tail.meanExcess).toBe(1);
    expect(evidenceOf(exceedance(flat[0], 9))).toBeLessThan(6);
  });

  it("judges a tail deviation by the share of the feature's normal tail that went its way", () => {
    // A count whose large normal deviations are rises (90 % of its tail): a drop of the same size is rarer.
    const r = new Rng('signed');
    const dev = Float64Array.from({ length: 4000 }, () => {
      const z = Math.abs(r.normal());
      return z > 1.6 && r.next() < 0.9 ? z : r.next() < 0.5 ? -z : z;
    });
    const sq = dev.map((x) => x * x);
    const [n] = fitFeatureNulls(sq, dev, 1, () => true)!;
    expect(n.downShare).toBeGreaterThan(0.02);
    expect(n.downShare).toBeLessThan(0.15);
    const p = exceedance(n, 9);
    expect(featureExceedance(n, 9, -3)).toBeCloseTo(2 * n.downShare! * p, 12);
    expect(featureExceedance(n, 9, 3)).toBeCloseTo(Math.min(0.05, 2 * (1 - n.downShare!) * p), 12);
    // Below the tail the sign is not used; at the threshold both sides meet the sign-blind p (continuous),
    // and p never grows with the deviation on either side.
    expect(featureExceedance(n, 1, -1)).toBe(exceedance(n, 1));
    const at = n.tail.threshold;
    for (const sign of [-1, 1]) {
      expect(featureExceedance(n, at + 1e-9, sign)).toBeLessThanOrEqual(exceedance(n, at) + 1e-9);
      let last = 1;
      for (let x = 0; x < 40; x += 0.25) {
        const q = featureExceedance(n, x, sign);
        expect(q).toBeLessThanOrEqual(last);
        last = q;
      }
    }
    // Documents from before the share: the sign is ignored.
    const { downShare, ...old } = n;
    expect(downShare).toBeDefined();
    expect(featureExceedance(old, 9, -3)).toBe(p);
  });
});
