/** @jest-environment node */
import {
  assertFeatureMatrix,
  featureColumn,
  isMissingRow,
  selectFeatures,
  sliceTime,
  type FeatureMatrix,
} from './featureMatrix';

const H = 3600_000;
const t0 = Date.UTC(2024, 0, 1);
const ok = (): FeatureMatrix => ({
  times: [t0, t0 + H, t0 + 2 * H],
  stepMs: H,
  features: ['a', 'b'],
  values: [
    [1, 2],
    [null, null],
    [0, 5],
  ],
});

describe('assertFeatureMatrix', () => {
  it('accepts a valid matrix with null (missing) values', () => {
    expect(assertFeatureMatrix(ok())).toBeTruthy();
    expect(assertFeatureMatrix({ ...ok(), times: [], values: [] })).toBeTruthy();
  });
  it.each([
    [
      'uneven step',
      (m: FeatureMatrix) => (m.times[2] += H),
      /uneven step at row 2: 7200000 ms after 2024-01-01T01:00:00.000Z, expected 3600000 ms/,
    ],
    ['not increasing', (m: FeatureMatrix) => (m.times[1] = t0), /times not strictly increasing at row 1/],
    [
      'NaN',
      (m: FeatureMatrix) => (m.values[2][1] = NaN),
      /NaN at row 2 \(2024-01-01T02:00:00.000Z\), feature "b"; use null for missing data/,
    ],
    ['Infinity', (m: FeatureMatrix) => (m.values[0][0] = Infinity), /non-finite value Infinity at row 0/],
    [
      'row width',
      (m: FeatureMatrix) => m.values[1].push(3),
      /row 1 \(2024-01-01T01:00:00.000Z\) has 3 values, expected 2/,
    ],
    ['row count', (m: FeatureMatrix) => m.values.pop(), /values has 2 rows but times has 3/],
    ['step', (m: FeatureMatrix) => (m.stepMs = 0), /stepMs must be a positive integer/],
    ['duplicate feature', (m: FeatureMatrix) => (m.features[1] = 'a'), /duplicate feature "a"/],
    ['no features', (m: FeatureMatrix) => (m.features = []), /features must not be empty/],
    ['non-number', (m: FeatureMatrix) => ((m.values[0] as unknown[])[0] = '1'), /NaN at row 0/],
  ])('rejects %s', (_, mutate, msg) => {
    const m = ok();
    mutate(m);
    expect(() => assertFeatureMatrix(m)).toThrow(msg);
  });
});

describe('helpers', () => {
  it('selects, slices and reads columns', () => {
    const m = ok();
    expect(featureColumn(m, 'b')).toEqual([2, null, 5]);
    expect(() => featureColumn(m, 'c')).toThrow(/unknown feature "c"/);
    expect(selectFeatures(m, ['b']).values).toEqual([[2], [null], [5]]);
    expect(sliceTime(m, t0 + H, t0 + 3 * H).times).toEqual([t0 + H, t0 + 2 * H]);
    expect(isMissingRow(m, 1)).toBe(true);
    expect(isMissingRow(m, 2)).toBe(false);
  });
});
