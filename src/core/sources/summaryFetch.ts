/**
 * The summary fast path (issue 13): hours the watcher has already summarised are read as one document per
 * hour from gridsentinel-scores-<name>-* instead of being counted from raw job events again; only the
 * hours without a summary (the tail the watcher has not reached yet, and any holes) are counted with the
 * raw path. Counting grows with the events, reading summaries with the hours, which is what makes a year
 * cheap at GPGrid scale.
 *
 * Only the features are taken from a summary, never its probability: the caller scores what it fetched,
 * so an hour summarised under another model version is simply rescored with the model in use.
 */
import type { FeatureMatrix } from '../featureMatrix';
import { assembleFeatures, validateFeatureSources } from '../featureSources';
import { scoreIndexPattern } from '../scores/elasticsearch';
import { checkWatcherName, featureKey } from '../scores/records';
import {
  bySource,
  fetchElasticsearchFeatures,
  fetchFeatureMatrix,
  fetchGraphiteFeatures,
  type ElasticsearchFeature,
  type FeatureFetch,
} from './featureFetch';
import { isoTime, stepStarts } from '../time';

/** Elasticsearch's default index.max_result_window: the largest page one search may return. */
export const SUMMARY_PAGE_SIZE = 10_000;
/** Holes are counted in at most this many raw searches (close ones are merged), so requests stay bounded. */
export const MAX_RAW_RANGES = 4;

export type SummaryUse =
  /** No watcher name configured. */
  | 'off'
  /** Experiment/schedd filters: summaries hold the whole pool only. */
  | 'filtered'
  /** No Elasticsearch features to take from a summary. */
  | 'no-features'
  /** No summary index yet (normal before the watcher first runs): everything counted. */
  | 'no-index'
  | 'used';

export interface MatrixProvenance {
  summaries: SummaryUse;
  /** Fetched steps (warm-up included) whose Elasticsearch features came from summary documents. */
  hoursFromSummaries: number;
  /** Fetched steps whose Elasticsearch features were counted from raw events. */
  hoursCounted: number;
}

export interface SourcedMatrix {
  matrix: FeatureMatrix;
  provenance: MatrixProvenance;
}

export class SummaryFetchError extends Error {}

/**
 * The configured features over [fromMs, toMs), equal hour by hour to fetchFeatureMatrix on the same data.
 * `summaryName` is the watcher's name (empty = off). Graphite features always take the raw path: one
 * render request whatever the range, and the summary's copy could have been written under another feature
 * list.
 */
export async function fetchFeatureMatrixWithSummaries(
  f: FeatureFetch,
  summaryName: string | undefined,
  fromMs: number,
  toMs: number,
  filters: Record<string, string[]> = {}
): Promise<SourcedMatrix> {
  const features = validateFeatureSources(f.settings.features);
  const { es, gr } = bySource(features);
  const name = summaryName?.trim() ?? '';
  const filtered = Object.values(filters).some((v) => v.length > 0);
  const skip: SummaryUse | null = name === '' ? 'off' : filtered ? 'filtered' : es.length === 0 ? 'no-features' : null;
  if (skip) {
    const matrix = await fetchFeatureMatrix(f, fromMs, toMs, filters);
    return {
      matrix,
      provenance: { summaries: skip, hoursFromSummaries: 0, hoursCounted: es.length ? matrix.times.length : 0 },
    };
  }
  checkWatcherName(name);
  const stepMs = f.settings.stepSeconds * 1000;
  const times = stepGrid(fromMs, toMs, stepMs);
  // Both sources in flight together; Promise.all so a failure of either is reported, never left unhandled.
  const [esPart, graphite] = await Promise.all([
    summarisedElasticsearch(f, name, es, times, stepMs),
    gr.length > 0 ? fetchGraphiteFeatures(f, gr, fromMs, toMs) : null,
  ]);
  return {
    matrix: assembleFeatures(features, graphite ? [esPart.matrix, graphite] : [esPart.matrix]),
    provenance: esPart.provenance,
  };
}

/** The Elasticsearch features of `times`: summaries where there are, the rest counted. */
async function summarisedElasticsearch(
  f: FeatureFetch,
  name: string,
  es: readonly ElasticsearchFeature[],
  times: readonly number[],
  stepMs: number
): Promise<SourcedMatrix> {
  const summary = await readSummaries(f, name, es, times, stepMs);
  const values: Array<Array<number | null> | undefined> = times.map((t) => summary.rows.get(t));
  const ranges = rawRanges(
    values.map((v) => v === undefined),
    MAX_RAW_RANGES
  );
  const raw = await Promise.all(
    ranges.map(([s, e]) => fetchElasticsearchFeatures(f, es, times[s], times[e - 1] + stepMs))
  );
  let counted = 0;
  ranges.forEach(([s], i) => {
    // Counted hours replace summaries inside a merged range: equal on the same data, and counting is what
    // the raw path would answer.
    raw[i].values.forEach((row, k) => (values[s + k] = row));
    counted += raw[i].times.length;
  });
  return {
    matrix: {
      times: times.slice(),
      stepMs,
      features: es.map((x) => x.name),
      // Every undefined row lies in a counted range, so none is left.
      values: values.map((v) => v ?? []),
    },
    provenance: {
      summaries: summary.indexFound ? 'used' : 'no-index',
      hoursFromSummaries: times.length - counted,
      hoursCounted: counted,
    },
  };
}

/** Step starts covering [fromMs, toMs), aligned as the raw path aligns them (planHourlyCounts). */
export function stepGrid(fromMs: number, toMs: number, stepMs: number): number[] {
  if (!(toMs > fromMs)) {
    throw new SummaryFetchError(`empty time range: ${isoTime(fromMs)} .. ${isoTime(toMs)}`);
  }
  return stepStarts(fromMs, toMs, stepMs);
}

/**
 * Index ranges [start, end) covering every missing step, at most `maxRanges` of them: while there are
 * more, the two runs with the smallest gap between them are merged (the gap is counted again).
 */
export function rawRanges(missing: readonly boolean[], maxRanges: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  missing.forEach((m, i) => {
    if (!m) {
      return;
    }
    const last = runs[runs.length - 1];
    if (last && last[1] === i) {
      last[1] = i + 1;
    } else {
      runs.push([i, i + 1]);
    }
  });
  while (runs.length > Math.max(1, maxRanges)) {
    let best = 0;
    for (let i = 1; i < runs.length - 1; i++) {
      if (runs[i + 1][0] - runs[i][1] < runs[best + 1][0] - runs[best][1]) {
        best = i;
      }
    }
    runs.splice(best, 2, [runs[best][0], runs[best + 1][1]]);
  }
  return runs;
}

/** The search for one page of summaries: only the hour and the wanted features come back. */
export function summarySearchBody(
  name: string,
  stepSeconds: number,
  featureKeys: readonly string[],
  fromMs: number,
  toMs: number,
  searchAfter?: number
): Record<string, unknown> {
  return {
    size: SUMMARY_PAGE_SIZE,
    track_total_hits: false,
    query: {
      bool: {
        filter: [
          { term: { name } },
          { term: { stepSeconds } },
          { range: { hour: { gte: fromMs, lt: toMs, format: 'epoch_millis' } } },
        ],
      },
    },
    // Hour only: an hour written under several model versions has one document each, any of them will do
    // (the features do not depend on the model), and search_after past an hour skips its duplicates.
    sort: [{ hour: 'asc' }],
    _source: { includes: ['hour', ...featureKeys.map((k) => `features.${k}`)] },
    ...(searchAfter === undefined ? {} : { search_after: [searchAfter] }),
  };
}

export function summarySearchPath(name: string): string {
  const filterPath = encodeURIComponent('_shards.total,hits.hits._source');
  return `/${scoreIndexPattern(name)}/_search?ignore_unavailable=true&allow_no_indices=true&filter_path=${filterPath}`;
}

interface SummaryPage {
  _shards?: { total?: number };
  hits?: { hits?: Array<{ _source?: { hour?: unknown; features?: Record<string, unknown> } }> };
}

/** Every summary of the grid's steps, paginated with search_after; rows in the order of `es`. */
async function readSummaries(
  f: FeatureFetch,
  name: string,
  es: readonly ElasticsearchFeature[],
  times: readonly number[],
  stepMs: number
): Promise<{ rows: Map<number, Array<number | null>>; indexFound: boolean }> {
  const keys = es.map((x) => featureKey(x.name));
  const fromMs = times[0];
  const toMs = times[times.length - 1] + stepMs;
  const rows = new Map<number, Array<number | null>>();
  let indexFound = false;
  let after: number | undefined;
  for (;;) {
    const page = await f.http<SummaryPage>({
      source: 'elasticsearch',
      path: summarySearchPath(name),
      method: 'POST',
      body: JSON.stringify(summarySearchBody(name, stepMs / 1000, keys, fromMs, toMs, after)),
      contentType: 'application/json',
    });
    if (!page || typeof page !== 'object') {
      throw new SummaryFetchError(`unexpected answer reading summaries of "${name}": not an object`);
    }
    indexFound ||= (page._shards?.total ?? 0) > 0;
    const hits = page.hits?.hits ?? [];
    for (const h of hits) {
      const hourMs = parseSummaryHour(h._source?.hour, name);
      after = hourMs;
      if (hourMs % stepMs !== 0 || rows.has(hourMs)) {
        continue;
      }
      const row = summaryRow(h._source?.features, keys, hourMs, name);
      if (row) {
        rows.set(hourMs, row);
      }
    }
    if (hits.length < SUMMARY_PAGE_SIZE) {
      return { rows, indexFound };
    }
  }
}

function parseSummaryHour(hour: unknown, name: string): number {
  const t = typeof hour === 'string' ? Date.parse(hour) : NaN;
  if (!Number.isFinite(t)) {
    throw new SummaryFetchError(`summary of "${name}" without a valid hour: ${JSON.stringify(hour)}`);
  }
  return t;
}

/**
 * The hour's values in `keys` order; undefined when the summary lacks one of them (the watcher ran with
 * another feature list), so the hour is counted instead.
 */
function summaryRow(
  features: Record<string, unknown> | undefined,
  keys: readonly string[],
  hourMs: number,
  name: string
): Array<number | null> | undefined {
  const row: Array<number | null> = [];
  for (const k of keys) {
    const v = features?.[k];
    if (v === undefined) {
      return undefined;
    }
    if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
      throw new SummaryFetchError(
        `summary of "${name}" at ${isoTime(hourMs)}: feature "${k}" is ${JSON.stringify(v)}, expected a number or null`
      );
    }
    row.push(v);
  }
  return row;
}
