// Accuracy of "where" (core/sources/regionAttribution.ts) on generated grids in a real OpenSearch
// (core/attributionAccuracy.ts): every outage that has a culprit (held_wave: a VO; scheduler_unresponsive:
// one schedd) must be named top-1 in its dimension for >= 90 % of them, at the demo scale and at scale 1.
// Prints the rate and the cost per region; scripts/bench-attribution.mjs measures more seeds for BENCHMARKS.md.
import { accuracyText, measureAttribution } from '../../src/core/attributionAccuracy';
import { DEFAULT_SEED_SCALE } from '../../src/core/generator';
import { directSourceHttp } from '../../src/cli/watch/http';
import defaultModel from '../../src/datasource/model/default-model.json';
import type { ModelDocument } from '../../src/core/model/modelDocument';

jest.setTimeout(600_000);

const OS = process.env.GS_OPENSEARCH_URL;

async function accuracy(indexPrefix: string, scale: number, days: number, gap: number) {
  const r = await measureAttribution({
    url: OS!,
    indexPrefix,
    http: directSourceHttp({ elasticsearch: { url: OS! } }),
    model: defaultModel as unknown as ModelDocument,
    seed: 'attribution',
    startMs: Date.UTC(2026, 0, 5),
    scale,
    days,
    gap,
  });
  console.log(accuracyText(r));
  return { n: r.results.length, rate: r.rate };
}

const maybe = OS ? describe : describe.skip;

maybe('attribution names the injected culprit', () => {
  it('at the demo scale (30 days), >= 90 % top-1', async () => {
    const { n, rate } = await accuracy('gs-attr-demo-', DEFAULT_SEED_SCALE, 30, 22);
    expect(n).toBeGreaterThanOrEqual(20);
    expect(rate).toBeGreaterThanOrEqual(0.9);
  });

  it('at scale 1 (9 days), >= 90 % top-1', async () => {
    const { n, rate } = await accuracy('gs-attr-full-', 1, 9, 6);
    expect(n).toBeGreaterThanOrEqual(4);
    expect(rate).toBeGreaterThanOrEqual(0.9);
  });
});
