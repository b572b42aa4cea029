import type { FeatureMatrix } from '../featureMatrix';
import { detectTransform, fitPreprocessing, prepareInputs, refitPreprocessing, standardize } from './preprocessing';

function matrix(features: string[], values: Array<Array<number | null>>): FeatureMatrix {
  return { times: values.map((_, i) => i * 3600_000), stepMs: 3600_000, features, values };
}

describe('preprocessing', () => {
  it('detects counts (log1p) versus [0, 1] gauges and negative values (identity)', () => {
    expect(detectTransform([0, 3, 12, null, 40])).toBe('log1p');
    expect(detectTransform([0, 0, 1, 0])).toBe('log1p');
    expect(detectTransform([0.12, 0.5, 0.99])).toBe('identity');
    expect(detectTransform([0.5, 1.2, 2.5])).toBe('identity');
    expect(detectTransform([0.5, 120.5, 3000.25])).toBe('log1p');
    expect(detectTransform([-2, 3, 4])).toBe('identity');
    expect(detectTransform([null, null])).toBe('identity');
    const p = fitPreprocessing(
      matrix(
        ['a', 'b'],
        [
          [1, 0.5],
          [2, 0.25],
          [3, 0.75],
        ]
      ),
      { transforms: { a: 'identity' } }
    );
    expect(p.transform).toEqual(['identity', 'identity']);
  });

  it('standardizes with median and IQR, and keeps near-constant columns from exploding', () => {
    const rows: Array<Array<number | null>> = [];
    for (let t = 0; t < 1000; t++) {
      // rare: one event in 150 hours; flat: always 7; busy: 10..1008
      rows.push([t % 150 === 0 ? 1 : 0, 7, 10 + 2 * (t % 500)]);
    }
    const m = matrix(['rare', 'flat', 'busy'], rows);
    const p = fitPreprocessing(m);
    expect(p.transform).toEqual(['log1p', 'log1p', 'log1p']);
    expect(p.center[1]).toBeCloseTo(Math.log1p(7));
    expect(p.scale[0]).toBe(0.25); // IQR 0 → floor
    expect(p.scale[1]).toBe(0.25);
    expect(p.scale[2]).toBeGreaterThan(0.25);
    // One stray event in the rare column: a few standard units, not hundreds.
    const z = standardize(p, 0, 1)!;
    expect(z).toBeGreaterThan(2);
    expect(z).toBeLessThan(3);
    // Gauges get a floor relative to their range.
    const g = fitPreprocessing(matrix(['g'], [[0.5], [0.5], [0.5], [0.5], [0.51], [0.3]]));
    expect(g.transform).toEqual(['identity']);
    expect(g.scale[0]).toBeCloseTo(0.02 * 0.21);
  });

  it('clips extreme values', () => {
    const p = fitPreprocessing(matrix(['a'], [[10], [11], [12], [13]]), { clip: 4 });
    expect(standardize(p, 0, 1e9)).toBe(4);
    expect(standardize(p, 0, 0)).toBe(-4);
    expect(standardize(p, 0, null)).toBeNull();
  });

  it('adds a mask channel per feature so missing is never zero', () => {
    const m = matrix(
      ['a', 'b'],
      [
        [1, 2],
        [null, 3],
        [null, null],
        [4, 5],
      ]
    );
    const p = fitPreprocessing(m);
    const x = prepareInputs(p, m);
    const F = 2;
    // Row 1: a missing → value 0, mask 1; b present → mask 0.
    expect(Array.from(x.inputs.slice(1 * 2 * F, 2 * 2 * F))).toEqual([0, expect.any(Number), 1, 0]);
    expect(Number.isNaN(x.z[1 * F])).toBe(true);
    expect(Array.from(x.emptyRow)).toEqual([0, 0, 1, 0]);
    // A present value that standardizes to 0 is distinguishable from a missing one by its mask.
    const median = matrix(['a'], [[5], [5], [5]]);
    const xm = prepareInputs(fitPreprocessing(median), median);
    expect(Array.from(xm.inputs.slice(0, 2))).toEqual([0, 0]);
    expect(() => prepareInputs(p, matrix(['b', 'a'], [[1, 2]]))).toThrow(
      /expects features \[a, b\], data has \[b, a\]/
    );
  });
});

describe('refitPreprocessing', () => {
  it('re-centres a model fitted on a small grid to a grid 60 times larger, keeping transforms and clip', () => {
    const rows = (n: number, level: number) =>
      Array.from({ length: n }, (_, t) => [level * (1 + 0.2 * Math.sin(t / 4)), t % 7 === 0 ? null : 3]);
    const small: FeatureMatrix = {
      times: Array.from({ length: 200 }, (_, t) => t * 3600e3),
      stepMs: 3600e3,
      features: ['jobs', 'gauge'],
      values: rows(200, 60),
    };
    const p = fitPreprocessing(small, { transforms: { gauge: 'identity' } });
    const big = { ...small, values: rows(200, 3600) };
    // Stored statistics: every hour of the big grid sits at the clip.
    expect(prepareInputs(p, big).z[0]).toBe(p.clip);
    const q = refitPreprocessing(p, big);
    expect(q.transform).toEqual(p.transform);
    expect(q.clip).toBe(p.clip);
    expect(Math.abs(prepareInputs(q, big).z[0])).toBeLessThan(2);
    // Too few observations: the stored statistics stay.
    expect(
      refitPreprocessing(p, { ...big, values: big.values.slice(0, 10), times: big.times.slice(0, 10) }).center
    ).toEqual(p.center);
  });
});
