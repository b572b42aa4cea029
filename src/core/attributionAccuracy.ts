/**
 * How often "where" names the injected culprit on a generated grid, against a real Elasticsearch
 * (tests/integration/attribution.test.ts asserts it, scripts/bench-attribution.mjs reports it).
 *
 * Outages with a culprit come after a clean week (the baseline), or are the generator's own random ones.
 * Only the hours a breakdown reads are seeded (each window's hours and the same hours of the baseline days):
 * the rest would never be read. Each window is attributed as a region whose top features are the bundled
 * model's votes over it, as the datasource does: this measures the attribution, not the detector.
 */
import { anomalyRegions, topFeatureVotes } from './anomalyRegions';
import { DEFAULT_BASELINE_DAYS, type BreakdownDimension } from './elasticsearch/breakdown';
import { generateGrid, type GeneratedGrid, type OutageSpec, type OutageWindow } from './generator';
import { gridFeatureMatrix } from './generator/views';
import { loadModel, type ModelDocument } from './model/modelDocument';
import { scoreSeries } from './model/score';
import { modelForMatrix } from './model/scoreRange';
import { seedElasticsearch } from './seed/elasticsearch';
import { attributeRegions } from './sources/regionAttribution';
import { DEFAULT_SOURCE_SETTINGS } from './sources/settings';
import type { SourceHttp } from './sources/sourceHttp';
import { DAY_MS, HOUR_MS } from './time';

export interface AccuracyGrid {
  seed: string;
  scale: number;
  days: number;
  startMs: number;
  /**
   * Hours between explicit outages (held_wave of each VO in turn, 3 h at severity 0.5, alternating with
   * one hung schedd in turn, 2 h); absent: the generator's random outages (severities uniform in [0, 1]).
   */
  gap?: number;
}

/** The culprit the generator injected: a held wave's VO, or the schedd when exactly one hangs. */
export function culpritOf(w: OutageWindow): { by: BreakdownDimension; value: string } | null {
  if (w.experiment) {
    return { by: 'experiment', value: w.experiment };
  }
  return w.schedds?.length === 1 ? { by: 'schedd', value: w.schedds[0] } : null;
}

const BASELINE_HOURS = DEFAULT_BASELINE_DAYS * 24 + 3;

/** Alternating held waves (VOs in turn) and one hung schedd (in turn), `gap` hours apart, after a week. */
export function culpritOutages(o: AccuracyGrid, experiments: readonly string[], schedds: readonly string[]) {
  const specs: OutageSpec[] = [];
  for (let t = BASELINE_HOURS, k = 0; t + 5 <= o.days * 24; k++) {
    const held = k % 2 === 0;
    const n = Math.floor(k / 2);
    const start = o.startMs + t * HOUR_MS;
    specs.push(
      held
        ? { kind: 'held_wave', start, activeHours: 3, severity: 0.5, experiment: experiments[n % experiments.length] }
        : {
            kind: 'scheduler_unresponsive',
            start,
            activeHours: 2,
            severity: 0.5,
            schedds: [schedds[n % schedds.length]],
          }
    );
    t += (held ? 4 : 3) + o.gap!;
  }
  return specs;
}

export function accuracyGrid(o: AccuracyGrid): GeneratedGrid {
  const base = { start: o.startMs, hours: o.days * 24, seed: o.seed, scale: o.scale };
  if (o.gap === undefined) {
    // Only the kinds with a culprit, often: enough of them in a few weeks.
    return generateGrid({
      ...base,
      warmupHours: BASELINE_HOURS,
      gapRatePerWeek: 0,
      outageRatePerWeek: 8,
      outageMix: { held_wave: 1, scheduler_unresponsive: 1 },
    });
  }
  const probe = generateGrid({ ...base, hours: 1, outages: [] });
  return generateGrid({ ...base, outages: culpritOutages(o, probe.experiments, probe.schedds) });
}

/** The grid with only the hours that breakdowns of `windows` read (others empty: no documents). */
export function breakdownHoursOnly(g: GeneratedGrid, windows: readonly OutageWindow[]): GeneratedGrid {
  const keep = new Set<number>();
  for (const w of windows) {
    for (let t = w.start; t < w.end; t += HOUR_MS) {
      for (let d = 0; d <= DEFAULT_BASELINE_DAYS; d++) {
        keep.add((t - d * DAY_MS - g.start) / HOUR_MS);
      }
    }
  }
  const T = g.eventTypes.length;
  return {
    ...g,
    missing: g.missing.map((m, h) => m || !keep.has(h)),
    totals: g.totals.map((v, i) => (keep.has(Math.floor(i / T)) ? v : 0)),
  };
}

export interface CulpritResult {
  window: OutageWindow;
  culprit: string;
  named: string | undefined;
  text: string;
  /** held_wave: the JobHeldEvents its VO logged in the window (a few jobs at the demo scale: sometimes 0). */
  heldEvents?: number;
}

/** JobHeldEvents of a VO in [fromMs, toMs) of the grid. */
function heldEvents(g: GeneratedGrid, vo: string, fromMs: number, toMs: number): number {
  const [T, E, S] = [g.eventTypes.length, g.experiments.length, g.schedds.length];
  const [k, e] = [g.eventTypes.indexOf('JobHeldEvent'), g.experiments.indexOf(vo)];
  let n = 0;
  for (let t = fromMs; t < toMs; t += HOUR_MS) {
    const h = (t - g.start) / HOUR_MS;
    for (let s = 0; s < S; s++) {
      n += g.counts[((h * T + k) * E + e) * S + s];
    }
  }
  return n;
}

export interface AccuracyReport {
  grid: AccuracyGrid;
  outages: number;
  /** Outages with a culprit, each with what top-1 named. */
  results: CulpritResult[];
  hits: number;
  rate: number;
  documents: number;
  seedMs: number;
  /** Per region, mapping check included (one per region here: each region is its own call). */
  requests: number;
  bytes: number;
  ms: number;
}

/**
 * Seeds the grid's breakdown hours under `indexPrefix` at `url` (through `http` for the attribution's
 * requests), attributes each window with a culprit and counts the hits.
 */
export async function measureAttribution(
  o: AccuracyGrid & { url: string; indexPrefix: string; http: SourceHttp; model: ModelDocument }
): Promise<AccuracyReport> {
  const g = accuracyGrid(o);
  const windows = g.outages.filter((w) => culpritOf(w) !== null);
  const seeded = breakdownHoursOnly(g, windows);
  const report = await seedElasticsearch(seeded, { url: o.url, indexPrefix: o.indexPrefix });
  if (!report.ok) {
    throw new Error(
      `seeding failed: ${JSON.stringify(report.failures.slice(0, 3))} ${JSON.stringify(report.mismatches.slice(0, 3))}`
    );
  }
  await o.http({ source: 'elasticsearch', path: `/${o.indexPrefix}*/_refresh`, method: 'POST' });

  const matrix = gridFeatureMatrix(g);
  const scores = scoreSeries(modelForMatrix(loadModel(o.model), matrix, true), matrix);
  const regions = anomalyRegions(
    {
      times: scores.times,
      stepMs: HOUR_MS,
      probability: scores.times.map((t) => (windows.some((w) => t >= w.start && t < w.end) ? 1 : 0)),
      contributions: topFeatureVotes(scores.topFeatures, matrix.features),
      features: matrix.features,
    },
    0.5
  );
  const cost = { requests: 0, bytes: 0, ms: 0 };
  const http: SourceHttp = async <T>(req: Parameters<SourceHttp>[0]) => {
    const out = await o.http<T>(req);
    cost.requests++;
    cost.bytes += (req.body?.length ?? 0) + JSON.stringify(out).length;
    return out;
  };
  const f = {
    http,
    settings: { ...DEFAULT_SOURCE_SETTINGS, indexPattern: `${o.indexPrefix}*` },
    configured: { elasticsearch: true, graphite: false },
  };
  const results: CulpritResult[] = [];
  for (const w of windows) {
    const region = regions.find((r) => r.startMs === w.start && r.endMs === w.end)!;
    const t0 = performance.now();
    const [where] = await attributeRegions(f, [region]);
    cost.ms += performance.now() - t0;
    const { by, value } = culpritOf(w)!;
    results.push({
      window: w,
      culprit: value,
      named: where.result?.top[by]?.value,
      text: where.text,
      ...(w.experiment ? { heldEvents: heldEvents(g, w.experiment, w.start, w.end) } : {}),
    });
  }
  const n = Math.max(1, results.length);
  const hits = results.filter((r) => r.named === r.culprit).length;
  return {
    grid: { seed: o.seed, scale: o.scale, days: o.days, startMs: o.startMs, gap: o.gap },
    outages: g.outages.filter((w) => w.anomalous).length,
    results,
    hits,
    rate: hits / n,
    documents: report.documents,
    seedMs: report.elapsedMs,
    requests: cost.requests / n,
    bytes: cost.bytes / n,
    ms: cost.ms / n,
  };
}

/** One line per grid, then one per miss. */
export function accuracyText(r: AccuracyReport): string {
  const g = r.grid;
  const misses = r.results
    .filter((x) => x.named !== x.culprit)
    .map(
      (x) =>
        `  ${x.window.kind} ${new Date(x.window.start).toISOString()} ${x.culprit} (severity ${x.window.severity}` +
        `${x.heldEvents === undefined ? '' : `, ${x.heldEvents} held`}): named ${x.named} (${x.text})`
    );
  return [
    `attribution seed ${g.seed}, scale ${g.scale}, ${g.days} days, ${r.outages} outages, ${r.results.length} with a culprit: ` +
      `top-1 ${(r.rate * 100).toFixed(1)}% (${r.hits}/${r.results.length}); ${r.documents.toLocaleString('en-US')} documents ` +
      `seeded in ${(r.seedMs / 1000).toFixed(0)} s; per region (mapping check included): ` +
      `${r.requests.toFixed(1)} requests, ${Math.round(r.bytes).toLocaleString('en-US')} bytes, ${r.ms.toFixed(0)} ms`,
    ...misses,
  ].join('\n');
}
