import type { FeatureMatrix } from '../../featureMatrix';
import type { DetectorInput } from '../detector';
import { HoltWintersDetector } from './holtWinters';
import { symmetricEigen } from './jacobi';
import { PcaDetector } from './pca';
import { RandomDetector } from './random';
import { RobustZDetector } from './robustZ';

const HOUR = 3600_000;

function matrix(rows: Array<Array<number | null>>, stepMs = HOUR, start = 0): FeatureMatrix {
  return {
    times: rows.map((_, i) => start + i * stepMs),
    stepMs,
    features: rows[0].map((_, f) => `f${f}`),
    values: rows,
  };
}

function input(rows: Array<Array<number | null>>, labels?: Array<0 | 1 | null>): DetectorInput {
  return { matrix: matrix(rows), labels: labels ?? rows.map(() => null) };
}

describe('RobustZDetector', () => {
  it('scores max |x - median| / (1.4826 MAD) over features', async () => {
    const d = new RobustZDetector();
    // f0: median 3, MAD 1; f1: median 10, MAD 2
    await d.fit(
      input([
        [1, 6],
        [2, 8],
        [3, 10],
        [4, 12],
        [100, 14],
      ])
    );
    const s = await d.score(
      matrix([
        [3 + 2 * 1.4826, 10],
        [3, 10 - 3 * 2 * 1.4826],
        [3, 10],
      ])
    );
    expect(s[0]).toBeCloseTo(2, 9);
    expect(s[1]).toBeCloseTo(3, 9);
    expect(s[2]).toBe(0);
  });

  it('leaves labelled anomalies out of the fit', async () => {
    const d = new RobustZDetector();
    // Without the two labelled rows: median 2, MAD 1. With them the median would be 3.
    await d.fit(input([[1], [2], [3], [50], [60]], [0, null, 0, 1, 1]));
    expect((await d.score(matrix([[2]])))[0]).toBe(0);
  });

  it('ignores missing values and gives NaN to rows with no data', async () => {
    const d = new RobustZDetector();
    await d.fit(
      input([
        [1, 1],
        [2, null],
        [3, 3],
        [null, 5],
      ])
    );
    const s = await d.score(
      matrix([
        [null, null],
        [2, null],
        [null, 3 + 2 * 1.4826 * 2],
      ])
    );
    expect(s[0]).toBeNaN();
    expect(s[1]).toBe(0);
    expect(s[2]).toBeCloseTo(2, 9); // f1 fitted on 1,3,5: median 3, MAD 2
  });

  it('falls back to the mean absolute deviation when MAD is 0, unless naive', async () => {
    const train = input([[5], [5], [5], [5], [9]]);
    const d = new RobustZDetector();
    await d.fit(train);
    // mean |x - 5| = 0.8
    expect((await d.score(matrix([[6]])))[0]).toBeCloseTo(1 / (1.2533 * 0.8), 9);
    const naive = new RobustZDetector({ naive: true });
    expect(naive.name).toBe('robust-z-naive');
    await naive.fit(train);
    expect((await naive.score(matrix([[6]])))[0]).toBeCloseTo(1e6, 3);
  });

  it('refuses to score before fit or with other features', async () => {
    const d = new RobustZDetector();
    await expect(d.score(matrix([[1]]))).rejects.toThrow(/before fit/);
    await d.fit(input([[1], [2]]));
    await expect(d.score(matrix([[1, 2]]))).rejects.toThrow(/features differ/);
  });
});

describe('symmetricEigen', () => {
  it('solves a 2x2 case exactly', () => {
    const e = symmetricEigen([
      [2, 1],
      [1, 2],
    ]);
    expect(e.values[0]).toBeCloseTo(3, 12);
    expect(e.values[1]).toBeCloseTo(1, 12);
    expect(Math.abs(e.vectors[0][0])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(e.vectors[0][0] * e.vectors[0][1]).toBeGreaterThan(0);
  });

  it('gives orthonormal eigenvectors with A v = λ v on a random symmetric matrix', () => {
    const n = 7;
    let s = 3;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        a[i][j] = a[j][i] = rnd();
      }
    }
    const e = symmetricEigen(a);
    let trace = 0;
    for (let i = 0; i < n; i++) {
      trace += a[i][i];
    }
    expect(e.values.reduce((x, y) => x + y, 0)).toBeCloseTo(trace, 10);
    for (let k = 0; k < n; k++) {
      if (k > 0) {
        expect(e.values[k]).toBeLessThanOrEqual(e.values[k - 1]);
      }
      const v = e.vectors[k];
      for (let i = 0; i < n; i++) {
        const av = a[i].reduce((acc, aij, j) => acc + aij * v[j], 0);
        expect(av).toBeCloseTo(e.values[k] * v[i], 10);
      }
      for (let l = 0; l < n; l++) {
        const dot = v.reduce((acc, x, i) => acc + x * e.vectors[l][i], 0);
        expect(dot).toBeCloseTo(k === l ? 1 : 0, 10);
      }
    }
  });

  it('rejects non-symmetric input', () => {
    expect(() =>
      symmetricEigen([
        [1, 2],
        [0, 1],
      ])
    ).toThrow(/symmetric/);
  });
});

describe('PcaDetector', () => {
  // Points close to the line f1 = 2·f0 (f2 small noise): one component holds > 90% of the variance.
  const rows: number[][] = [];
  for (let i = 0; i < 200; i++) {
    const x = Math.sin(i * 0.37) * 3;
    const n = Math.sin(i * 1.91) * 0.05;
    rows.push([x, 2 * x + n, n]);
  }

  it('keeps the components for 90% of the variance and scores distance from their span', async () => {
    const d = new PcaDetector();
    await d.fit(input(rows));
    expect(d.summary?.components).toBeLessThanOrEqual(2);
    expect(d.summary?.explained).toBeGreaterThanOrEqual(0.9);
    const s = await d.score(
      matrix([
        [1, 2, 0],
        [2.5, 5, 0],
        [1, -2, 0],
      ])
    );
    expect(s[0]).toBeLessThan(0.05);
    expect(s[1]).toBeLessThan(0.05); // far along the line is still normal
    expect(s[2]).toBeGreaterThan(10 * Math.max(s[0], s[1])); // off the line
  });

  it('imputes isolated missing values and gives NaN to empty rows', async () => {
    const d = new PcaDetector();
    await d.fit(input(rows.map((r, i) => (i % 10 === 0 ? [r[0], null, r[2]] : r))));
    const s = await d.score(
      matrix([
        [1, null, 0],
        [null, null, null],
      ])
    );
    expect(Number.isFinite(s[0])).toBe(true);
    expect(s[1]).toBeNaN();
  });

  it('validates varianceKept', () => {
    expect(() => new PcaDetector(0)).toThrow();
    expect(() => new PcaDetector(1.5)).toThrow();
  });
});

describe('HoltWintersDetector', () => {
  it('matches a hand-computed step (period 2)', async () => {
    const d = new HoltWintersDetector({ period: 2 });
    await d.fit(input([[1], [3]]));
    // init: L 2, S [-1, 1], D [1, 1]; both training rows are forecast exactly, so L 2, B 0, D [0.9, 0.9].
    // Next row (slot 0), x = 4: forecast 1, half band 3·0.9, score (3 - 2.7) / 5.4.
    const s = await d.score({ ...matrix([[4]]), times: [2 * HOUR] });
    expect(s[0]).toBeCloseTo(0.3 / 5.4, 12);
  });

  // Daily pattern: high at midday, low at night, with a little deterministic noise.
  const day = (h: number, i: number) => 100 + 50 * Math.sin((2 * Math.PI * h) / 24) + 3 * Math.sin(i * 2.3);
  const train = Array.from({ length: 24 * 20 }, (_, i) => [day(i % 24, i)]);

  it('learns the season: a midday level at night is an anomaly, robust z misses it', async () => {
    const test = Array.from({ length: 48 }, (_, k) => [day(k % 24, 480 + k)]);
    const night = 18; // sin < 0 there: the normal value is about 100 - 50
    test[night] = [148]; // normal at 6:00 but far above the night band
    const m = matrix(test, HOUR, 480 * HOUR);
    const hw = new HoltWintersDetector();
    await hw.fit(input(train));
    const s = await hw.score(m);
    const argmax = s.indexOf(Math.max(...s));
    expect(argmax).toBe(night);
    expect(s[night]).toBeGreaterThan(0);
    expect(s.filter((x, i) => i !== night && x > 0).length).toBeLessThanOrEqual(2);
    const rz = new RobustZDetector();
    await rz.fit(input(train));
    const z = await rz.score(m);
    expect(z.indexOf(Math.max(...z))).not.toBe(night);
  });

  it('uses one day as the default period and skips missing steps', async () => {
    const hw = new HoltWintersDetector();
    const t = train.map((r, i) => (i % 50 === 7 ? [null] : r));
    await hw.fit(input(t));
    // Starts 3 h after training: the gap is carried, the season stays aligned.
    const m = matrix([[day(3, 483)], [null], [day(5, 485)]], HOUR, (480 + 3) * HOUR);
    const s = await hw.score(m);
    expect(s[0]).toBeLessThan(0);
    expect(s[1]).toBeNaN();
    expect(s[2]).toBeLessThan(0);
    // Scoring does not change the fitted state.
    expect(Array.from(await hw.score(m))).toEqual(Array.from(s));
  });

  it('restarts from the initial state for a matrix before the end of training', async () => {
    const hw = new HoltWintersDetector();
    await hw.fit(input(train));
    const s = await hw.score(matrix(train.slice(0, 48)));
    expect(s.every((x) => Number.isFinite(x))).toBe(true);
  });

  it('validates its parameters', () => {
    expect(() => new HoltWintersDetector({ alpha: 2 })).toThrow(/alpha/);
    expect(() => new HoltWintersDetector({ delta: 0 })).toThrow(/delta/);
    expect(() => new HoltWintersDetector({ period: 1.5 })).toThrow(/period/);
  });
});

describe('RandomDetector', () => {
  it('is deterministic per seed, uniform in [0, 1), NaN on empty rows', async () => {
    const m = matrix(Array.from({ length: 100 }, (_, i) => [i % 10 === 0 ? null : i]));
    const a = await new RandomDetector(1).score(m);
    const b = await new RandomDetector(1).score(m);
    const c = await new RandomDetector(2).score(m);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(a[0]).toBeNaN();
    const finite = Array.from(a).filter(Number.isFinite);
    expect(finite).toHaveLength(90);
    expect(finite.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
