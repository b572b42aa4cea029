import type { FeatureSource } from '../featureSources';
import { HOUR_MS } from '../time';
import { fetchFeatureMatrix, type FeatureFetch } from './featureFetch';
import { DEFAULT_SOURCE_SETTINGS } from './settings';
import type { SourceRequest } from './sourceHttp';
import {
  MAX_RAW_RANGES,
  SUMMARY_PAGE_SIZE,
  fetchFeatureMatrixWithSummaries,
  rawRanges,
  stepGrid,
  summarySearchBody,
} from './summaryFetch';

const T0 = Date.UTC(2025, 0, 1);
const ES: FeatureSource[] = [
  { name: 'submits', source: 'elasticsearch', eventType: 'SubmitEvent' },
  { name: 'held jobs', source: 'elasticsearch', eventType: 'JobHeldEvent' },
];
const GRAPHITE: FeatureSource = { name: 'running', source: 'graphite', target: 'pool.running', aggregation: 'avg' };

/** Events per hour and type; an hour absent from the map has no event at all (no data). */
type Events = Map<number, Record<string, number>>;

function events(hours: number, gaps: number[] = []): Events {
  const out: Events = new Map();
  for (let h = 0; h < hours; h++) {
    if (!gaps.includes(h)) {
      // Every hour with data holds an unconfigured type too, so zero counts are data, not a gap.
      out.set(T0 + h * HOUR_MS, { SubmitEvent: h % 5, JobHeldEvent: h % 3, ShadowExceptionEvent: 1 });
    }
  }
  return out;
}

interface SummaryDoc {
  name: string;
  hour: string;
  stepSeconds: number;
  features: Record<string, number | null>;
  model: { id: string; version: number };
}

/** Summary documents as the watcher writes them (features keyed with featureKey), from the same events. */
function summaries(ev: Events, hours: number[], opts: { name?: string; version?: number } = {}): SummaryDoc[] {
  return hours.map((h) => {
    const t = T0 + h * HOUR_MS;
    const e = ev.get(t);
    return {
      name: opts.name ?? 'pool1',
      hour: new Date(t).toISOString(),
      stepSeconds: 3600,
      features: { submits: e ? (e.SubmitEvent ?? 0) : null, held_jobs: e ? (e.JobHeldEvent ?? 0) : null },
      model: { id: 'm', version: opts.version ?? 1 },
    };
  });
}

interface SearchBody {
  size: number;
  query: { bool: { filter: Array<Record<string, Record<string, unknown>>> } };
  search_after?: [number];
  _source: { includes: string[] };
}

/** A fake Elasticsearch: counts _msearch windows from `ev`, answers summary searches from `docs`. */
function fakeElasticsearch(ev: Events, docs: SummaryDoc[] | null, features: FeatureSource[] = ES) {
  const requests: SourceRequest[] = [];
  const http = (async (req: SourceRequest) => {
    requests.push(req);
    if (req.source === 'graphite') {
      const form = new URLSearchParams(req.body);
      const from = Number(form.get('from')) * 1000 + 1000;
      const until = Number(form.get('until')) * 1000 + 1000;
      return [{ target: 'running', datapoints: stepGrid(from, until, HOUR_MS).map((t) => [t / HOUR_MS, t / 1000]) }];
    }
    if (req.path.startsWith('/_msearch')) {
      const lines = req.body!.trimEnd().split('\n');
      const responses = [];
      for (let i = 1; i < lines.length; i += 2) {
        const body = JSON.parse(lines[i]);
        const { gte, lt } = body.query.bool.filter[0].range['@timestamp'];
        const types = body.aggs.steps.aggs.types.filters.filters as Record<string, { term: { MyType: string } }>;
        responses.push({
          status: 200,
          aggregations: {
            steps: {
              buckets: stepGrid(gte, lt, HOUR_MS).map((t) => {
                const e = ev.get(t) ?? {};
                return {
                  key: t,
                  doc_count: Object.values(e).reduce((a, b) => a + b, 0),
                  types: {
                    buckets: Object.fromEntries(
                      Object.entries(types).map(([k, f]) => [k, { doc_count: e[f.term.MyType] ?? 0 }])
                    ),
                  },
                };
              }),
            },
          },
        });
      }
      return { responses };
    }
    const body = JSON.parse(req.body!) as SearchBody;
    if (docs === null) {
      return { _shards: { total: 0 } };
    }
    const filter = body.query.bool.filter;
    const name = filter[0].term.name;
    const step = filter[1].term.stepSeconds;
    const { gte, lt } = filter[2].range.hour as { gte: number; lt: number };
    const after = body.search_after?.[0] ?? -Infinity;
    const hits = docs
      .filter((d) => d.name === name && d.stepSeconds === step)
      .map((d) => ({ d, t: Date.parse(d.hour) }))
      .filter(({ t }) => t >= gte && t < lt && t > after)
      .sort((a, b) => a.t - b.t)
      .slice(0, body.size)
      .map(({ d }) => {
        // _source filtering: the hour and the included features only.
        const keys = body._source.includes.filter((k) => k.startsWith('features.')).map((k) => k.slice(9));
        const features = Object.fromEntries(keys.filter((k) => k in d.features).map((k) => [k, d.features[k]]));
        return { _source: { hour: d.hour, features } };
      });
    return hits.length ? { _shards: { total: 1 }, hits: { hits } } : { _shards: { total: 1 } };
  }) as FeatureFetch['http'];
  const f: FeatureFetch = {
    http,
    settings: { ...DEFAULT_SOURCE_SETTINGS, features },
    configured: { elasticsearch: true, graphite: true },
  };
  return { f, requests };
}

const summarySearches = (rs: SourceRequest[]) => rs.filter((r) => r.path.includes('gridsentinel-scores-'));
const msearches = (rs: SourceRequest[]) => rs.filter((r) => r.path.startsWith('/_msearch'));
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('fetchFeatureMatrixWithSummaries', () => {
  const ev = events(72, [10, 11, 40]);

  it('equals the raw path hour by hour: summaries with holes, the tail counted', async () => {
    // Summarised: hours 0-47 except 20-22 (a hole); the tail 48-71 is not summarised yet.
    const docs = summaries(ev, [...range(0, 20), ...range(23, 48)]);
    const { f, requests } = fakeElasticsearch(ev, docs);
    const from = T0 + 30 * 60_000; // unaligned: both paths align down
    const to = T0 + 72 * HOUR_MS;
    const got = await fetchFeatureMatrixWithSummaries(f, 'pool1', from, to);
    const raw = fakeElasticsearch(ev, null);
    expect(got.matrix).toEqual(await fetchFeatureMatrix(raw.f, from, to));
    expect(got.matrix.values[10]).toEqual([null, null]);
    expect(got.provenance).toEqual({ summaries: 'used', hoursFromSummaries: 45, hoursCounted: 27 });
    expect(summarySearches(requests)).toHaveLength(1);
    // The hole and the tail: two raw searches over exactly those hours.
    const windows = msearches(requests).map((r) => JSON.parse(r.body!.split('\n')[1]).query.bool.filter[0].range);
    expect(windows).toEqual([
      { '@timestamp': { gte: T0 + 20 * HOUR_MS, lt: T0 + 23 * HOUR_MS, format: 'epoch_millis' } },
      { '@timestamp': { gte: T0 + 48 * HOUR_MS, lt: T0 + 72 * HOUR_MS, format: 'epoch_millis' } },
    ]);
  });

  it('asks only for the hour and the configured features, by watcher name and step', async () => {
    const { f, requests } = fakeElasticsearch(ev, summaries(ev, range(0, 72)));
    const got = await fetchFeatureMatrixWithSummaries(f, 'pool1', T0, T0 + 72 * HOUR_MS);
    expect(got.provenance).toEqual({ summaries: 'used', hoursFromSummaries: 72, hoursCounted: 0 });
    expect(msearches(requests)).toHaveLength(0);
    const [search] = summarySearches(requests);
    expect(search.path).toMatch(
      /^\/gridsentinel-scores-pool1-\*\/_search\?ignore_unavailable=true&allow_no_indices=true/
    );
    expect(decodeURIComponent(search.path)).toContain('filter_path=_shards.total,hits.hits._source');
    expect(JSON.parse(search.body!)).toEqual(
      summarySearchBody('pool1', 3600, ['submits', 'held_jobs'], T0, T0 + 72 * HOUR_MS)
    );
    expect(JSON.parse(search.body!)._source).toEqual({ includes: ['hour', 'features.submits', 'features.held_jobs'] });
  });

  it('pages with search_after past 10,000 hours', async () => {
    const hours = SUMMARY_PAGE_SIZE + 30;
    const long = events(hours, [5]);
    const { f, requests } = fakeElasticsearch(long, summaries(long, range(0, hours - 10)));
    const to = T0 + hours * HOUR_MS;
    const got = await fetchFeatureMatrixWithSummaries(f, 'pool1', T0, to);
    expect(got.provenance).toEqual({ summaries: 'used', hoursFromSummaries: hours - 10, hoursCounted: 10 });
    const pages = summarySearches(requests).map((r) => JSON.parse(r.body!).search_after);
    expect(pages).toEqual([undefined, [T0 + (SUMMARY_PAGE_SIZE - 1) * HOUR_MS]]);
    expect(got.matrix).toEqual(await fetchFeatureMatrix(fakeElasticsearch(long, null).f, T0, to));
  });

  it('takes summaries written under another model version (features only) and skips duplicates', async () => {
    const docs = [...summaries(ev, range(0, 72), { version: 1 }), ...summaries(ev, range(0, 36), { version: 2 })];
    const { f } = fakeElasticsearch(ev, docs);
    const got = await fetchFeatureMatrixWithSummaries(f, 'pool1', T0, T0 + 72 * HOUR_MS);
    expect(got.provenance.hoursFromSummaries).toBe(72);
    expect(got.matrix).toEqual(await fetchFeatureMatrix(fakeElasticsearch(ev, null).f, T0, T0 + 72 * HOUR_MS));
  });

  it("counts hours whose summary lacks a configured feature (the watcher's feature list differed)", async () => {
    const docs = summaries(ev, range(0, 72));
    delete (docs[5].features as Record<string, unknown>).held_jobs;
    const { f } = fakeElasticsearch(ev, docs);
    const got = await fetchFeatureMatrixWithSummaries(f, 'pool1', T0, T0 + 72 * HOUR_MS);
    expect(got.provenance).toEqual({ summaries: 'used', hoursFromSummaries: 71, hoursCounted: 1 });
    expect(got.matrix).toEqual(await fetchFeatureMatrix(fakeElasticsearch(ev, null).f, T0, T0 + 72 * HOUR_MS));
  });

  it('ignores summaries of another watcher name', async () => {
    const { f } = fakeElasticsearch(ev, summaries(ev, range(0, 72), { name: 'pool2' }));
    const got = await fetchFeatureMatrixWithSummaries(f, 'pool1', T0, T0 + 72 * HOUR_MS);
    expect(got.provenance).toEqual({ summaries: 'used', hoursFromSummaries: 0, hoursCounted: 72 });
  });

  it('falls back to counting when no summary index exists yet, and says so', async () => {
    const { f, requests } = fakeElasticsearch(ev, null);
    const got = await fetchFeatureMatrixWithSummaries(f, 'pool1', T0, T0 + 72 * HOUR_MS);
    expect(got.provenance).toEqual({ summaries: 'no-index', hoursFromSummaries: 0, hoursCounted: 72 });
    expect(got.matrix).toEqual(await fetchFeatureMatrix(fakeElasticsearch(ev, null).f, T0, T0 + 72 * HOUR_MS));
    expect(msearches(requests)).toHaveLength(1);
  });

  it('reads no summary when off or when the query filters experiments or schedds', async () => {
    const cases: Array<[string | undefined, Record<string, string[]>, string]> = [
      ['', {}, 'off'],
      [undefined, {}, 'off'],
      ['pool1', { experiment: ['nova'], schedd: [] }, 'filtered'],
    ];
    for (const [name, filters, use] of cases) {
      const { f, requests } = fakeElasticsearch(ev, summaries(ev, range(0, 72)));
      const got = await fetchFeatureMatrixWithSummaries(f, name, T0, T0 + 72 * HOUR_MS, filters);
      expect(got.provenance).toEqual({ summaries: use, hoursFromSummaries: 0, hoursCounted: 72 });
      expect(summarySearches(requests)).toHaveLength(0);
    }
    // Empty filter lists are no filter.
    const { f } = fakeElasticsearch(ev, summaries(ev, range(0, 72)));
    const got = await fetchFeatureMatrixWithSummaries(f, 'pool1', T0, T0 + 72 * HOUR_MS, {
      experiment: [],
      schedd: [],
    });
    expect(got.provenance.summaries).toBe('used');
  });

  it('keeps Graphite features on the raw path, in the configured order', async () => {
    const features = [ES[0], GRAPHITE, ES[1]];
    const { f, requests } = fakeElasticsearch(ev, summaries(ev, range(0, 48)), features);
    const got = await fetchFeatureMatrixWithSummaries(f, 'pool1', T0, T0 + 72 * HOUR_MS);
    const raw = await fetchFeatureMatrix(fakeElasticsearch(ev, null, features).f, T0, T0 + 72 * HOUR_MS);
    expect(got.matrix).toEqual(raw);
    expect(got.matrix.features).toEqual(['submits', 'running', 'held jobs']);
    expect(requests.filter((r) => r.source === 'graphite')).toHaveLength(1);
    expect(got.provenance).toEqual({ summaries: 'used', hoursFromSummaries: 48, hoursCounted: 24 });
  });

  it('rejects an invalid watcher name and a malformed summary with clear errors', async () => {
    const { f } = fakeElasticsearch(ev, summaries(ev, range(0, 72)));
    await expect(fetchFeatureMatrixWithSummaries(f, 'Pool.1', T0, T0 + HOUR_MS)).rejects.toThrow(
      'name must be 1-63 characters'
    );
    const bad = summaries(ev, range(0, 72));
    (bad[2].features as Record<string, unknown>).submits = 'many';
    await expect(
      fetchFeatureMatrixWithSummaries(fakeElasticsearch(ev, bad).f, 'pool1', T0, T0 + 72 * HOUR_MS)
    ).rejects.toThrow(`summary of "pool1" at ${new Date(T0 + 2 * HOUR_MS).toISOString()}: feature "submits" is "many"`);
  });
});

describe('fetchFeatureMatrixWithSummaries errors', () => {
  it('reports a failing summary search (only a missing index falls back)', async () => {
    const ev = events(24);
    const { f } = fakeElasticsearch(ev, [], [ES[0], GRAPHITE]);
    const http = f.http;
    f.http = (<T>(req: SourceRequest) =>
      req.path.includes('gridsentinel-scores-')
        ? Promise.reject(new Error('HTTP 403: no read permission on gridsentinel-scores-pool1-*'))
        : http<T>(req)) as FeatureFetch['http'];
    await expect(fetchFeatureMatrixWithSummaries(f, 'pool1', T0, T0 + 24 * HOUR_MS)).rejects.toThrow('HTTP 403');
  });
});

describe('rawRanges', () => {
  const missing = (s: string) => [...s].map((c) => c === 'x');

  it('covers each run of missing steps', () => {
    expect(rawRanges(missing('..xx.x...xxx'), MAX_RAW_RANGES)).toEqual([
      [2, 4],
      [5, 6],
      [9, 12],
    ]);
    expect(rawRanges(missing('....'), MAX_RAW_RANGES)).toEqual([]);
  });

  it('merges the closest runs until at most maxRanges remain', () => {
    expect(rawRanges(missing('x.x....x...x'), 2)).toEqual([
      [0, 3],
      [7, 12],
    ]);
    expect(rawRanges(missing('x.x.x'), 1)).toEqual([[0, 5]]);
  });
});
