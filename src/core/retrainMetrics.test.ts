import { heldOutMetrics } from './retrainMetrics';

describe('heldOutMetrics', () => {
  it('scores only held-out, labelled, finite rows', () => {
    const p = [0.9, 0.2, 0.8, 0.1, NaN, 0.7, 0.95];
    const y: Array<0 | 1 | null> = [1, 0, 0, 1, 1, null, 1];
    const held = [1, 1, 1, 1, 1, 1, 0];
    const m = heldOutMetrics(p, y, held, 0.5);
    expect(m.rows).toBe(4);
    expect(m.anomalous).toBe(2);
    expect(m.precision).toBeCloseTo(0.5);
    expect(m.recall).toBeCloseTo(0.5);
    expect(m.accuracy).toBeCloseTo(0.5);
    // Ranking 0.9(1) 0.8(0) 0.2(0) 0.1(1): AP = (1/1 + 2/4) / 2.
    expect(m.ap).toBeCloseTo(0.75);
  });

  it('gives NaN figures when nothing is held out', () => {
    const m = heldOutMetrics([0.5], [1], [0], 0.5);
    expect(m).toMatchObject({ rows: 0, anomalous: 0 });
    expect(m.ap).toBeNaN();
    expect(m.accuracy).toBeNaN();
  });
});
