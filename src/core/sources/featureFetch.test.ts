import type { FeatureSource } from '../featureSources';
import { HOUR_MS } from '../time';
import {
  fetchElasticsearchFeatures,
  fetchFeatureMatrix,
  fetchGraphiteFeatures,
  type FeatureFetch,
} from './featureFetch';
import { DEFAULT_SOURCE_SETTINGS, type SourceSettings } from './settings';
import type { SourceRequest } from './sourceHttp';

const FROM = Date.UTC(2025, 0, 1, 0);
const TO = Date.UTC(2025, 0, 1, 3);
const TIMES = [0, 1, 2].map((h) => FROM + h * HOUR_MS);

const FEATURES: FeatureSource[] = [
  { name: 'running', source: 'graphite', target: 'pool.jobs.running', aggregation: 'avg' },
  { name: 'submits', source: 'elasticsearch', eventType: 'SubmitEvent' },
  { name: 'cpu', source: 'graphite', target: 'pool.cpu' },
  { name: 'holds', source: 'elasticsearch', eventType: 'JobHeldEvent' },
];

/** A canned _msearch answer: one window, per hour counts by filter position ("0", "1"). */
function msearchResponse(rows: Array<[number, number] | null>) {
  return {
    responses: [
      {
        status: 200,
        aggregations: {
          steps: {
            buckets: rows.map((r, i) => ({
              key: TIMES[i],
              doc_count: r ? r[0] + r[1] + 5 : 0,
              types: { buckets: r ? { '0': { doc_count: r[0] }, '1': { doc_count: r[1] } } : {} },
            })),
          },
        },
      },
    ],
  };
}

const renderResponse = [
  { target: 'running', datapoints: TIMES.map((t, i) => [100 + i, t / 1000]) },
  { target: 'cpu', datapoints: TIMES.map((t, i) => [i === 1 ? null : 0.5 * i, t / 1000]) },
];

interface Recorded {
  req: SourceRequest;
  resolve: () => void;
}

/** A fake SourceHttp that answers by source and records requests; answers can be held back. */
function fakeSources(opts: { settings?: Partial<SourceSettings>; configured?: Partial<FeatureFetch['configured']> }) {
  const requests: Recorded[] = [];
  let hold = false;
  const f: FeatureFetch = {
    settings: { ...DEFAULT_SOURCE_SETTINGS, features: FEATURES, ...opts.settings },
    configured: { elasticsearch: true, graphite: true, ...opts.configured },
    http: (<T>(req: SourceRequest) =>
      new Promise<T>((resolve) => {
        const answer = () =>
          resolve((req.source === 'elasticsearch' ? msearchResponse([[3, 0], null, [0, 2]]) : renderResponse) as T);
        requests.push({ req, resolve: answer });
        if (!hold) {
          answer();
        }
      })) as FeatureFetch['http'],
  };
  return {
    f,
    requests,
    holdAnswers() {
      hold = true;
    },
  };
}

describe('fetchFeatureMatrix', () => {
  it('assembles Elasticsearch and Graphite columns in the configured order (null = no data)', async () => {
    const { f } = fakeSources({});
    const m = await fetchFeatureMatrix(f, FROM, TO);
    expect(m).toEqual({
      times: TIMES,
      stepMs: HOUR_MS,
      features: ['running', 'submits', 'cpu', 'holds'],
      values: [
        [100, 3, 0, 0],
        [101, null, null, null],
        [102, 0, 1, 2],
      ],
    });
  });

  it('requests both sources before either answers', async () => {
    const { f, requests, holdAnswers } = fakeSources({});
    holdAnswers();
    const pending = fetchFeatureMatrix(f, FROM, TO);
    await Promise.resolve();
    expect(requests.map((r) => r.req.source).sort()).toEqual(['elasticsearch', 'graphite']);
    requests.forEach((r) => r.resolve());
    await expect(pending).resolves.toMatchObject({ features: ['running', 'submits', 'cpu', 'holds'] });
  });

  it('sends only the sources the features use', async () => {
    const { f, requests } = fakeSources({ settings: { features: [FEATURES[1], FEATURES[3]] } });
    const m = await fetchFeatureMatrix(f, FROM, TO);
    expect(requests.map((r) => r.req.source)).toEqual(['elasticsearch']);
    expect(m.features).toEqual(['submits', 'holds']);
  });

  it('rejects an invalid feature list before any request', async () => {
    const { f, requests } = fakeSources({ settings: { features: [] } });
    await expect(fetchFeatureMatrix(f, FROM, TO)).rejects.toThrow('no features configured');
    expect(requests).toHaveLength(0);
  });

  it('names the unconfigured source', async () => {
    const noEs = fakeSources({ configured: { elasticsearch: false } });
    await expect(fetchFeatureMatrix(noEs.f, FROM, TO)).rejects.toThrow('Elasticsearch URL is not configured');
    expect(noEs.requests.map((r) => r.req.source)).not.toContain('elasticsearch');
    const noGraphite = fakeSources({ configured: { graphite: false } });
    await expect(fetchFeatureMatrix(noGraphite.f, FROM, TO)).rejects.toThrow('Graphite URL is not configured');
  });
});

describe('request shapes', () => {
  it('Elasticsearch: one NDJSON _msearch with filter_path, counting the event types by position', async () => {
    const { f, requests } = fakeSources({ settings: { indexPattern: 'jobs-*', eventTypeField: 'MyType' } });
    await fetchElasticsearchFeatures(f, [FEATURES[1], FEATURES[3]] as never, FROM, TO, {
      experiment: ['nova', 'dune'],
      schedd: [],
    });
    expect(requests).toHaveLength(1);
    const { req } = requests[0];
    expect(req.source).toBe('elasticsearch');
    expect(req.method).toBe('POST');
    expect(req.contentType).toBe('application/x-ndjson');
    expect(req.path.startsWith('/_msearch?filter_path=')).toBe(true);
    expect(decodeURIComponent(req.path.slice('/_msearch?filter_path='.length))).toContain(
      'responses.aggregations.steps.buckets.doc_count'
    );
    expect(req.body!.endsWith('\n')).toBe(true);
    const [header, body] = req
      .body!.trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(header).toEqual({ index: 'jobs-*', ignore_unavailable: true, allow_no_indices: true });
    expect(body.query.bool.filter).toEqual([
      { range: { '@timestamp': { gte: FROM, lt: TO, format: 'epoch_millis' } } },
      { terms: { experiment: ['nova', 'dune'] } },
    ]);
    expect(body.aggs.steps.aggs.types.filters.filters).toEqual({
      '0': { term: { MyType: 'SubmitEvent' } },
      '1': { term: { MyType: 'JobHeldEvent' } },
    });
  });

  it('Graphite: one form-encoded POST /render summarizing every target to the step', async () => {
    const { f, requests } = fakeSources({});
    await fetchGraphiteFeatures(f, [FEATURES[0], FEATURES[2]] as never, FROM, TO);
    expect(requests).toHaveLength(1);
    const { req } = requests[0];
    expect(req).toMatchObject({
      source: 'graphite',
      path: '/render',
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded',
    });
    const form = new URLSearchParams(req.body);
    expect(form.getAll('target')).toEqual([
      'alias(summarize(pool.jobs.running,"3600s","avg",true),"running")',
      'alias(summarize(pool.cpu,"3600s","sum",true),"cpu")',
    ]);
    expect(form.get('from')).toBe(String(FROM / 1000 - 1));
    expect(form.get('until')).toBe(String(TO / 1000 - 1));
    expect(form.get('format')).toBe('json');
  });
});
