// Accuracy of "where" (core/sources/regionAttribution.ts) on generated grids in a real OpenSearch: every
// outage that has a culprit (held_wave: a VO; scheduler_unresponsive: one schedd) must be named top-1 in
// its dimension for >= 90 % of them at scale 1. The region is the injected window
// (recovery included, whether or not the detector flags it) and its top features are the bundled model's,
// voted over the window as the datasource does: this measures the attribution, not the detector. Prints the rate and the cost per region (requests, bytes, ms) for BENCHMARKS.md.
import { DEFAULT_SOURCE_SETTINGS } from '../../src/core/sources/settings';
import { attributeRegions } from '../../src/core/sources/regionAttribution';
import type { SourceHttp } from '../../src/core/sources/sourceHttp';
import { HOUR_MS, generateGrid, type OutageSpec } from '../../src/core/generator';
import { seedElasticsearch } from '../../src/core/seed/elasticsearch';
import { directSourceHttp } from '../../src/cli/watch/http';
import { gridFeatureMatrix } from '../../src/core/generator/views';
import { loadModel } from '../../src/core/model/modelDocument';
import { scoreSeries } from '../../src/core/model/score';
import { modelForMatrix } from '../../src/core/model/scoreRange';
import defaultModel from '../../src/datasource/model/default-model.json';

jest.setTimeout(1_200_000);

const OS = process.env.GS_OPENSEARCH_URL;
const START = Date.UTC(2026, 0, 5);
const BASELINE_HOURS = 7 * 24 + 3;

/** Alternating held waves (VOs in turn) and one hung schedd (in turn), `gap` hours apart, after a week. */
function culpritOutages(hours: number, gap: number, experiments: string[], schedds: string[]): OutageSpec[] {
  const specs: OutageSpec[] = [];
  for (let t = BASELINE_HOURS, k = 0; t + 5 <= hours; k++) {
    const held = k % 2 === 0;
    const n = Math.floor(k / 2);
    specs.push(
      held
        ? {
            kind: 'held_wave',
            start: START + t * HOUR_MS,
            activeHours: 3,
            severity: 0.5,
            experiment: experiments[n % experiments.length],
          }
        : {
            kind: 'scheduler_unresponsive',
            start: START + t * HOUR_MS,
            activeHours: 2,
            severity: 0.5,
            schedds: [schedds[n % schedds.length]],
          }
    );
    t += (held ? 4 : 3) + gap;
  }
  return specs;
}

async function accuracy(prefix: string, scale: number, days: number, gap: number) {
  const probe = generateGrid({ start: START, hours: 1, seed: 'attribution', scale, outages: [] });
  const outages = culpritOutages(days * 24, gap, probe.experiments, probe.schedds);
  const g = generateGrid({ start: START, hours: days * 24, seed: 'attribution', scale, outages });
  const seeded = await seedElasticsearch(g, { url: OS!, indexPrefix: prefix });
  expect(seeded.ok).toBe(true);
  await fetch(`${OS}/${prefix}*/_refresh`, { method: 'POST' });

  const direct = directSourceHttp({ elasticsearch: { url: OS! } });
  const cost = { requests: 0, bytes: 0 };
  const http: SourceHttp = async <T>(req: Parameters<SourceHttp>[0]) => {
    const out = await direct<T>(req);
    cost.requests++;
    cost.bytes += (req.body?.length ?? 0) + JSON.stringify(out).length;
    return out;
  };
  const f = {
    http,
    settings: { ...DEFAULT_SOURCE_SETTINGS, indexPattern: `${prefix}*` },
    configured: { elasticsearch: true, graphite: false },
  };
  const culprits = g.outages.filter((w) => w.experiment || w.schedds?.length === 1);
  const matrix = gridFeatureMatrix(g);
  const scores = scoreSeries(modelForMatrix(loadModel(defaultModel), matrix, true), matrix);
  /** Rank-weighted votes of each hour's top features, the top 3 (datasource.ts, core/anomalyRegions.ts). */
  const topFeatures = (fromMs: number, toMs: number) => {
    const votes = new Map<string, number>();
    scores.times.forEach((t, i) => {
      if (t >= fromMs && t < toMs) {
        const top = scores.topFeatures[i];
        top.forEach((f, r) => votes.set(f, (votes.get(f) ?? 0) + top.length - r));
      }
    });
    return [...votes]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([f]) => f);
  };
  const misses: string[] = [];
  let ms = 0;
  for (const w of culprits) {
    const t0 = performance.now();
    const [where] = await attributeRegions(f, [
      { startMs: w.start, endMs: w.end, topFeatures: topFeatures(w.start, w.end) },
    ]);
    ms += performance.now() - t0;
    const named = w.experiment ? where.result?.top.experiment?.value : where.result?.top.schedd?.value;
    const culprit = w.experiment ?? w.schedds![0];
    if (named !== culprit) {
      misses.push(`${w.kind} ${new Date(w.start).toISOString()} ${culprit}: named ${named} (${where.text})`);
    }
  }
  const n = culprits.length;
  const rate = (n - misses.length) / n;
  console.log(
    `attribution scale ${scale}, ${days} days, ${g.outages.length} outages, ${n} with a culprit: top-1 ${(rate * 100).toFixed(1)}% ` +
      `(${n - misses.length}/${n}); per region (mapping check included): ${(cost.requests / n).toFixed(1)} requests, ` +
      `${Math.round(cost.bytes / n).toLocaleString('en-US')} bytes, ${(ms / n).toFixed(0)} ms\n${misses.join('\n')}`
  );
  return { n, rate };
}

const maybe = OS ? describe : describe.skip;

maybe('attribution names the injected culprit', () => {
  // Issue 15 asks for >= 90 % at demo scale too; measured 68 % there (15/22: small VOs' held waves are a
  // few jobs an hour, see BENCHMARKS "Attribution"), so that target is open and not asserted here.
  it('at scale 1 (9 days), >= 90 % top-1', async () => {
    const { n, rate } = await accuracy('gs-attr-full-', 1, 9, 6);
    expect(n).toBeGreaterThanOrEqual(4);
    expect(rate).toBeGreaterThanOrEqual(0.9);
  });
});
