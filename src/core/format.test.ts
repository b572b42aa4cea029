import { formatPercent } from './format';

describe('formatPercent', () => {
  it('shows a share with one decimal', () => {
    expect(formatPercent(0.8123)).toBe('81.2%');
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatPercent(1)).toBe('100.0%');
  });

  it('shows a dash when there is no number', () => {
    expect(formatPercent(undefined)).toBe('–');
    expect(formatPercent(null)).toBe('–');
    expect(formatPercent(NaN)).toBe('–');
    expect(formatPercent(Infinity)).toBe('–');
  });
});
