import { orderedProbability } from './probability';

describe('orderedProbability', () => {
  it('is the logistic between 0.001 and 0.999', () => {
    for (const z of [-6.9, -3, 0, 1.5, 6.9]) {
      expect(orderedProbability(z)).toBeCloseTo(1 / (1 + Math.exp(-z)), 12);
    }
  });

  it('stays inside (0, 1) and strictly increasing where the logistic rounds to 0 or 1', () => {
    const zs = [-1e6, -1000, -800, -7, -6.9, 6.9, 6.91, 7, 10, 37, 40, 100, 1e4, 1e6];
    const ps = zs.map(orderedProbability);
    expect(1 / (1 + Math.exp(-40))).toBe(1);
    expect(1 / (1 + Math.exp(800))).toBe(0);
    for (let i = 1; i < ps.length; i++) {
      expect(ps[i]).toBeGreaterThan(ps[i - 1]);
      expect(ps[i]).toBeLessThan(1);
      expect(ps[i - 1]).toBeGreaterThan(0);
    }
    // Continuous at the switch.
    expect(Math.abs(orderedProbability(Math.log(999) + 1e-9) - 0.999)).toBeLessThan(1e-9);
    expect(Math.abs(orderedProbability(-Math.log(999) - 1e-9) - 0.001)).toBeLessThan(1e-9);
  });
});
