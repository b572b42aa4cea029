import { anomalyRegions } from './anomalyRegions';

const H = 3600e3;
const times = Array.from({ length: 8 }, (_, i) => i * H);

describe('anomalyRegions', () => {
  it('merges consecutive steps above the threshold and ranks contributing features', () => {
    const probability = [0.1, 0.9, 0.95, 0.2, 0.7, null, 0.8, 0.8];
    const contributions = times.map((_, t) => (t === 2 ? [5, 1, 0] : t === 1 ? [0, 2, 0] : [1, 0, 3]));
    const r = anomalyRegions({ times, stepMs: H, probability, contributions, features: ['a', 'b', 'c'] }, 0.5);
    expect(r).toEqual([
      { startMs: H, endMs: 3 * H, peakProbability: 0.95, topFeatures: ['a', 'b'] },
      { startMs: 4 * H, endMs: 5 * H, peakProbability: 0.7, topFeatures: ['c', 'a'] },
      { startMs: 6 * H, endMs: 8 * H, peakProbability: 0.8, topFeatures: ['c', 'a'] },
    ]);
  });

  it('splits at a gap in the time axis and rejects a bad threshold', () => {
    const r = anomalyRegions({ times: [0, H, 5 * H], stepMs: H, probability: [0.9, 0.9, 0.9] }, 0.5);
    expect(r.map((x) => [x.startMs, x.endMs])).toEqual([
      [0, 2 * H],
      [5 * H, 6 * H],
    ]);
    expect(() => anomalyRegions({ times, stepMs: H, probability: [] }, 0)).toThrow(/threshold/);
  });
});
