/** @jest-environment node */
// Pins what the evaluation protocol produces (results, summary, Markdown tables) for a generated series
// and a deterministic detector, so refactors of the protocol cannot change a figure or a table cell.
import { createHash } from 'node:crypto';
import type { FeatureMatrix } from '../featureMatrix';
import { generateLabelledSeries } from '../generator';
import type { Detector } from './detector';
import {
  asdSplit,
  evaluateDetectors,
  generatorSplit,
  heldOutKindSplits,
  renderResultsMarkdown,
  summarize,
} from './index';

/** Scores a row by the sum of |z| of its columns against the training mean; NaN for a null row. */
class SumZ implements Detector {
  readonly name = 'sum-z';
  private mean: number[] = [];
  private sd: number[] = [];
  async fit(input: { matrix: FeatureMatrix }): Promise<void> {
    const rows = input.matrix.values.filter((r) => r.every((v) => v !== null)) as number[][];
    const k = input.matrix.features.length;
    this.mean = Array.from({ length: k }, (_, j) => rows.reduce((a, r) => a + r[j], 0) / rows.length);
    this.sd = Array.from({ length: k }, (_, j) =>
      Math.sqrt(rows.reduce((a, r) => a + (r[j] - this.mean[j]) ** 2, 0) / rows.length + 1)
    );
  }
  async score(m: FeatureMatrix): Promise<Float64Array> {
    return Float64Array.from(m.values, (r) =>
      r.some((v) => v === null) ? NaN : r.reduce((a: number, v, j) => a + Math.abs((v! - this.mean[j]) / this.sd[j]), 0)
    );
  }
}

/** Always NaN: every split is skipped or measured on nothing. */
const blind = (): Detector => ({
  name: 'blind',
  fit: async () => {},
  score: async (m) => new Float64Array(m.times.length).fill(NaN),
});

it('evaluation output is pinned', async () => {
  const { series } = generateLabelledSeries({
    start: '2024-03-04T00:00:00Z',
    days: 28,
    seed: 11,
    scale: 0.05,
    outageRatePerWeek: 4,
    gapRatePerWeek: 1,
  });
  const n = series.matrix.times.length;
  const splits = [
    generatorSplit(series, { dataset: 'gen', trainDays: 14 }),
    generatorSplit(series, { dataset: 'gen short', trainDays: 10, testDays: 3 }),
    ...heldOutKindSplits(series, { dataset: 'gen', trainDays: 14 }),
    asdSplit({ ...series, splitIndex: Math.floor(n / 2) }, 'asd-like'),
    // No anomaly in its test part: skipped.
    asdSplit({ ...series, labels: series.labels.map((l) => (l === 1 ? 0 : l)), splitIndex: 100 }, 'quiet'),
  ];
  const results = await evaluateDetectors([() => new SumZ(), blind], splits);
  const stable = results.map(({ fitSeconds, scoreSeconds, ...r }) => r);
  const md = renderResultsMarkdown(results);
  const hash = createHash('sha256')
    .update(JSON.stringify(stable))
    .update(JSON.stringify(summarize(results)))
    .update(md)
    .digest('hex');
  expect(results.some((r) => r.skipped)).toBe(true);
  expect(results.some((r) => r.heldOutKind)).toBe(true);
  expect(hash).toBe('51afb74292f9bc59b37c105bc5700464c83f9f37e0a34807917c67eec4852ccb');
});
