/**
 * The datasource class with Grafana's services replaced at the boundary: a fake backendSrv whose fetch
 * answers proxied Elasticsearch/Graphite requests and the datasource settings API, and a fake templateSrv.
 */
import {
  dateTime,
  type DataFrame,
  type DataQueryRequest,
  type DataSourceInstanceSettings,
  type ScopedVars,
} from '@grafana/data';
import {
  config,
  setBackendSrv,
  setTemplateSrv,
  type BackendSrv,
  type BackendSrvRequest,
  type FetchResponse,
  type TemplateSrv,
} from '@grafana/runtime';
import { Observable, of, throwError } from 'rxjs';

import type { FeatureMatrix } from '../core/featureMatrix';
import type { FeatureSource } from '../core/featureSources';
import { generateLabelledSeries } from '../core/generator';
import { loadModel, type ModelDocument } from '../core/model/modelDocument';
import { JSON_DATA_LIMIT } from '../core/model/publishing';
import { scoreSeries } from '../core/model/score';
import { modelForMatrix, scoringFetchStart } from '../core/model/scoreRange';
import { DAY_MS, HOUR_MS } from '../core/time';
import {
  FIELD_PROBABILITY,
  FIELD_TOP_FEATURES,
  FIELD_WHERE,
  FIELD_WHERE_EXPERIMENT,
  FIELD_WHERE_SCHEDD,
} from '../shared/frameFields';
import { GridSentinelDataSource } from './datasource';
import defaultModel from './model/default-model.json';
import type { GridSentinelOptions, GridSentinelQuery } from './types';

const PROXY = '/api/datasources/proxy/uid/gs-uid';
const MSEARCH = `/_msearch?filter_path=`;

// ---------------------------------------------------------------------------------------------------
// Fake Grafana: backendSrv.fetch answers by handler and records every request.

interface FetchErr {
  status?: number;
  statusText?: string;
  data: unknown;
}
type Handler = (req: BackendSrvRequest) => unknown;

let requests: BackendSrvRequest[] = [];
let handler: Handler = () => {
  throw new Error('no handler');
};

function fetchError(status: number | undefined, data: unknown = {}, statusText?: string): FetchErr {
  return { status, statusText, data };
}

const fakeBackendSrv = {
  fetch<T>(req: BackendSrvRequest): Observable<FetchResponse<T>> {
    requests.push(req);
    let data: unknown;
    try {
      data = handler(req);
    } catch (err) {
      return throwError(() => err);
    }
    return of({
      data: data as T,
      status: 200,
      statusText: 'OK',
      ok: true,
      headers: new Headers(),
      redirected: false,
      type: 'basic',
      url: req.url,
      config: req,
    });
  },
} as unknown as BackendSrv;

let variables: Record<string, string | string[]> = {};
const fakeTemplateSrv = {
  getVariables: () => [],
  containsTemplate: (t?: string) => !!t && t.includes('$'),
  updateTimeRange: () => {},
  replace(target: string, _scoped?: ScopedVars, format?: string | ((v: string | string[]) => string)) {
    return target.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, plain?: string) => {
      const v = variables[(braced ?? plain)!];
      if (v === undefined) {
        return whole;
      }
      return typeof format === 'function' ? format(v) : Array.isArray(v) ? v.join(',') : v;
    });
  },
} as unknown as TemplateSrv;

beforeAll(() => {
  setBackendSrv(fakeBackendSrv);
  setTemplateSrv(fakeTemplateSrv);
});

beforeEach(() => {
  requests = [];
  variables = {};
  handler = () => {
    throw new Error('no handler');
  };
});

// ---------------------------------------------------------------------------------------------------
// A fake Elasticsearch: answers _msearch from a generated grid (null rows = no event at all).

const GRID: FeatureMatrix = generateLabelledSeries({
  start: '2025-01-01T00:00:00Z',
  days: 20,
  seed: 'datasource-test',
  scale: 0.02,
}).series.matrix;

interface SearchBody {
  query: { bool: { filter: Array<{ range?: Record<string, { gte: number; lt: number }>; terms?: object }> } };
  aggs: { steps: { aggs: { types: { filters: { filters: Record<string, { term: Record<string, string> }> } } } } };
}

/** The (header, body) pairs of an NDJSON _msearch body. */
function msearchPairs(body: string): Array<{ header: unknown; search: SearchBody }> {
  const lines = body.trimEnd().split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i += 2) {
    out.push({ header: JSON.parse(lines[i]), search: JSON.parse(lines[i + 1]) as SearchBody });
  }
  return out;
}

function windowOf(search: SearchBody): { gte: number; lt: number } {
  const range = search.query.bool.filter.find((f) => f.range)!.range!;
  const { gte, lt } = Object.values(range)[0];
  return { gte, lt };
}

function answerMsearch(body: string, grid: FeatureMatrix = GRID) {
  return {
    responses: msearchPairs(body).map(({ search }) => {
      const { gte, lt } = windowOf(search);
      const filters = search.aggs.steps.aggs.types.filters.filters;
      const buckets = [];
      for (let t = gte; t < lt; t += HOUR_MS) {
        const row = grid.values[grid.times.indexOf(t)];
        const counts = Object.entries(filters).map(([key, f]) => {
          const eventType = Object.values(f.term)[0];
          const col = grid.features.indexOf(eventType);
          return [key, row?.[col] ?? 0] as const;
        });
        const empty = !row || row.every((v) => v === null);
        buckets.push({
          key: t,
          doc_count: empty ? 0 : counts.reduce((s, [, c]) => s + c, 0) + 1,
          types: { buckets: Object.fromEntries(counts.map(([k, c]) => [k, { doc_count: c }])) },
        });
      }
      return { status: 200, aggregations: { steps: { buckets } } };
    }),
  };
}

// ---------------------------------------------------------------------------------------------------

function makeDataSource(jsonData: GridSentinelOptions = {}) {
  return new GridSentinelDataSource({
    uid: 'gs-uid',
    type: 'gridsentinel-anomaly-datasource',
    name: 'GridSentinel',
    url: PROXY,
    access: 'proxy',
    readOnly: false,
    meta: {} as never,
    jsonData: { elasticsearchUrl: 'http://es:9200', backend: 'js', ...jsonData },
  } as DataSourceInstanceSettings<GridSentinelOptions>);
}

function queryRequest(targets: GridSentinelQuery[], fromMs: number, toMs: number) {
  return {
    targets,
    range: { from: dateTime(fromMs), to: dateTime(toMs), raw: { from: '', to: '' } },
    scopedVars: {},
    requestId: 'Q1',
    interval: '1h',
    intervalMs: HOUR_MS,
    timezone: 'utc',
    app: 'dashboard',
    startTime: 0,
  } as unknown as DataQueryRequest<GridSentinelQuery>;
}

const fieldValues = (frame: DataFrame, name: string) => frame.fields.find((f) => f.name === name)?.values;

const TWO_ES: FeatureSource[] = [
  { name: 'submits', source: 'elasticsearch', eventType: 'SubmitEvent' },
  { name: 'holds', source: 'elasticsearch', eventType: 'JobHeldEvent' },
];

describe('proxy routes', () => {
  const FROM = Date.UTC(2025, 0, 5, 0);
  const TO = Date.UTC(2025, 0, 5, 3);

  it('sends _msearch as NDJSON through the elasticsearch route', async () => {
    handler = (req) => answerMsearch(req.data);
    await makeDataSource({ features: TWO_ES }).featureMatrix(FROM, TO);
    expect(requests).toHaveLength(1);
    const [req] = requests;
    expect(req.url.startsWith(`${PROXY}/elasticsearch${MSEARCH}`)).toBe(true);
    expect(decodeURIComponent(req.url.slice(`${PROXY}/elasticsearch${MSEARCH}`.length))).toMatch(
      /^responses\.status,responses\.error,/
    );
    expect(req.method).toBe('POST');
    expect(req.headers).toEqual({ 'Content-Type': 'application/x-ndjson' });
    expect(req.showErrorAlert).toBe(false);
    expect(msearchPairs(req.data)[0].header).toEqual({
      index: 'fifebatch-logs-*',
      ignore_unavailable: true,
      allow_no_indices: true,
    });
  });

  it('uses the elasticsearch-apikey route when the datasource authenticates with an API key', async () => {
    handler = (req) => answerMsearch(req.data);
    await makeDataSource({ features: TWO_ES, elasticsearchAuth: 'apikey' }).featureMatrix(FROM, TO);
    expect(requests[0].url.startsWith(`${PROXY}/elasticsearch-apikey${MSEARCH}`)).toBe(true);
    requests = [];
    await makeDataSource({ features: TWO_ES, elasticsearchAuth: 'basic' }).featureMatrix(FROM, TO);
    expect(requests[0].url.startsWith(`${PROXY}/elasticsearch${MSEARCH}`)).toBe(true);
  });

  it('sends Graphite render requests as a form body through the graphite route', async () => {
    handler = () => [{ target: 'cpu', datapoints: [0, 1, 2].map((h) => [h * 10, (FROM + h * HOUR_MS) / 1000]) }];
    const ds = makeDataSource({
      elasticsearchUrl: '',
      graphiteUrl: 'http://graphite:8080',
      features: [{ name: 'cpu', source: 'graphite', target: 'pool.cpu' }],
      // Even with an API key for Elasticsearch, Graphite keeps its own route.
      elasticsearchAuth: 'apikey',
    });
    const m = await ds.featureMatrix(FROM, TO);
    expect(m.values).toEqual([[0], [10], [20]]);
    expect(requests).toHaveLength(1);
    const [req] = requests;
    expect(req.url).toBe(`${PROXY}/graphite/render`);
    expect(req.method).toBe('POST');
    expect(req.headers).toEqual({ 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(new URLSearchParams(req.data).getAll('target')).toEqual([
      'alias(summarize(pool.cpu,"3600s","sum",true),"cpu")',
    ]);
  });
});

describe('query', () => {
  it('builds the features frame from a canned _msearch response (no data is null, not 0)', async () => {
    const FROM = Date.UTC(2025, 0, 5, 0);
    const TO = Date.UTC(2025, 0, 5, 3);
    handler = () => ({
      responses: [
        {
          status: 200,
          aggregations: {
            steps: {
              buckets: [
                { key: FROM, doc_count: 9, types: { buckets: { '0': { doc_count: 4 }, '1': { doc_count: 0 } } } },
                { key: FROM + HOUR_MS, doc_count: 0, types: { buckets: {} } },
                { key: FROM + 2 * HOUR_MS, doc_count: 3, types: { buckets: { '0': { doc_count: 1 } } } },
              ],
            },
          },
        },
      ],
    });
    const res = await makeDataSource({ features: TWO_ES }).query(
      queryRequest([{ refId: 'F', queryType: 'features' }], FROM, TO)
    );
    expect(res.errors).toEqual([]);
    expect(res.data).toHaveLength(1);
    const frame: DataFrame = res.data[0];
    expect(frame.refId).toBe('F');
    expect(frame.name).toBe('features');
    expect(frame.fields.map((f) => f.name)).toEqual(['Time', 'submits', 'holds']);
    expect(fieldValues(frame, 'Time')).toEqual([FROM, FROM + HOUR_MS, FROM + 2 * HOUR_MS]);
    expect(fieldValues(frame, 'submits')).toEqual([4, null, 1]);
    expect(fieldValues(frame, 'holds')).toEqual([0, null, 0]);
    // The features query fetches exactly the range.
    expect(windowOf(msearchPairs(requests[0].data as string)[0].search)).toEqual({ gte: FROM, lt: TO });
  });

  it('scores probability from the aligned warm-up start, one value per hour of the range', async () => {
    const FROM = Date.UTC(2025, 0, 12, 5);
    const TO = Date.UTC(2025, 0, 13, 5);
    handler = (req) => answerMsearch(req.data);
    const ds = makeDataSource();
    const res = await ds.query(queryRequest([{ refId: 'P', queryType: 'probability' }], FROM, TO));
    expect(res.errors).toEqual([]);

    const doc = loadModel(defaultModel).doc;
    const start = scoringFetchStart(doc, FROM, true);
    // At least the week the bundled model takes its statistics from (more with a seasonal part).
    expect(start).toBeLessThanOrEqual(FROM - 7 * 24 * HOUR_MS);
    expect(requests).toHaveLength(1);
    expect(msearchPairs(requests[0].data as string).map((p) => windowOf(p.search))).toEqual([{ gte: start, lt: TO }]);

    const frame: DataFrame = res.data[0];
    expect(frame.refId).toBe('P');
    const times = fieldValues(frame, 'Time')!;
    expect(times).toHaveLength(24);
    expect(times[0]).toBe(FROM);
    expect(times[23]).toBe(TO - HOUR_MS);
    expect(frame.meta?.custom?.scoredOn).toBe('js');

    // The same numbers as the plain-JS scorer on the fetched matrix (bundled model re-centred on it).
    const i0 = GRID.times.indexOf(start);
    const i1 = GRID.times.indexOf(TO);
    const fetched: FeatureMatrix = { ...GRID, times: GRID.times.slice(i0, i1), values: GRID.values.slice(i0, i1) };
    const model = ds.model();
    const expected = scoreSeries(modelForMatrix(model, fetched, true), fetched);
    const offset = expected.times.indexOf(FROM);
    const probability = fieldValues(frame, FIELD_PROBABILITY)!;
    expect(probability).toHaveLength(24);
    probability.forEach((p, i) => {
      expect(p).toBeCloseTo(expected.probability[offset + i], 12);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    });
  });

  it('fetches once for targets over the same range and filters', async () => {
    const FROM = Date.UTC(2025, 0, 12, 0);
    const TO = Date.UTC(2025, 0, 12, 6);
    handler = (req) => answerMsearch(req.data);
    const res = await makeDataSource().query(
      queryRequest(
        [
          { refId: 'P', queryType: 'probability' },
          { refId: 'E', queryType: 'explanation' },
          { refId: 'H', queryType: 'features', hide: true },
        ],
        FROM,
        TO
      )
    );
    expect(res.errors).toEqual([]);
    expect(res.data.map((f: DataFrame) => f.refId)).toEqual(['P', 'E']);
    expect(requests).toHaveLength(1);
    expect(fieldValues(res.data[1], FIELD_TOP_FEATURES)).toHaveLength(6);
  });

  it('reports a failing target under its refId without blanking the others', async () => {
    const FROM = Date.UTC(2025, 0, 5, 0);
    const TO = Date.UTC(2025, 0, 5, 3);
    handler = (req) => {
      const body = req.data as string;
      if (body.includes('"down"')) {
        throw fetchError(502);
      }
      if (body.includes('"secret"')) {
        throw fetchError(401);
      }
      if (body.includes('"bad"')) {
        throw fetchError(400, { error: { reason: 'failed to parse query' } }, 'Bad Request');
      }
      return answerMsearch(body);
    };
    const res = await makeDataSource({ features: TWO_ES }).query(
      queryRequest(
        [
          { refId: 'A', queryType: 'features' },
          { refId: 'B', queryType: 'features', experiment: 'down' },
          { refId: 'C', queryType: 'features', experiment: 'secret' },
          { refId: 'D', queryType: 'features', schedd: 'bad' },
          { refId: 'E', queryType: 'probability' },
        ],
        FROM,
        TO
      )
    );
    expect(res.data.map((f: DataFrame) => f.refId)).toEqual(['A']);
    expect(res.errors).toEqual([
      {
        refId: 'B',
        message: "GridSentinel: unreachable through Grafana's data proxy (HTTP 502); check the URL",
      },
      {
        refId: 'C',
        message: 'GridSentinel: authentication failed (HTTP 401); check the credentials in the datasource settings',
      },
      { refId: 'D', message: 'GridSentinel: HTTP 400 failed to parse query' },
      {
        refId: 'E',
        message:
          'GridSentinel: model expects features [SubmitEvent, ExecuteEvent, JobTerminatedEvent, JobAbortedEvent, ' +
          'JobEvictedEvent, JobHeldEvent, JobReleaseEvent, JobImageSizeEvent, JobDisconnectedEvent, ' +
          'JobReconnectedEvent, JobReconnectFailedEvent, ShadowExceptionEvent, JobSuspendedEvent], the datasource ' +
          'is configured with [submits, holds]; retrain the model or restore the feature list',
      },
    ]);
  });

  it('expands template variables into exact filter values, dropping the all values', async () => {
    const FROM = Date.UTC(2025, 0, 5, 0);
    const TO = Date.UTC(2025, 0, 5, 2);
    handler = (req) => answerMsearch(req.data);
    variables = { exp: ['nova', 'dune'], sch: '*', all: ['$__all'], one: 'jobsub01.fnal.gov' };
    const ds = makeDataSource({ features: TWO_ES });
    const filtersOf = async (target: Partial<GridSentinelQuery>) => {
      requests = [];
      const res = await ds.query(queryRequest([{ refId: 'A', queryType: 'features', ...target }], FROM, TO));
      expect(res.errors).toEqual([]);
      return msearchPairs(requests[0].data as string)[0].search.query.bool.filter.filter((f) => f.terms);
    };
    expect(await filtersOf({ experiment: '$exp', schedd: '${sch}' })).toEqual([
      { terms: { experiment: ['nova', 'dune'] } },
    ]);
    expect(await filtersOf({ experiment: '$all', schedd: '$one' })).toEqual([
      { terms: { schedd: ['jobsub01.fnal.gov'] } },
    ]);
    // Literal values are exact values too (no Lucene), and blanks mean no filter.
    expect(await filtersOf({ experiment: ' minos ', schedd: '  ' })).toEqual([{ terms: { experiment: ['minos'] } }]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Where (core/sources/regionAttribution.ts): the mapping check, then one breakdown search per region.

interface BreakdownBody {
  query: { bool: { should: Array<{ range: Record<string, { gte: number; lt: number }> }> } };
  aggs: { steps: { aggs: { types: { filters: { filters: Record<string, unknown> } } } } };
}

/** jobsub02 logs 50 of every type in the hours from `hot` on (10 otherwise), jobsub01 always 10; VO nova 20. */
function answerBreakdown(body: string, hot: number) {
  const search = JSON.parse(body) as BreakdownBody;
  const keys = Object.keys(search.aggs.steps.aggs.types.filters.filters);
  const buckets = search.query.bool.should.flatMap((s) => {
    const { gte, lt } = Object.values(s.range)[0];
    return Array.from({ length: (lt - gte) / HOUR_MS }, (_, i) => gte + i * HOUR_MS).map((t) => {
      const busy = t >= hot ? 50 : 10;
      const typeBucket = {
        doc_count: 10 + busy,
        schedd: {
          buckets: [
            { key: 'jobsub02.fnal.gov', doc_count: busy },
            { key: 'jobsub01.fnal.gov', doc_count: 10 },
          ],
        },
        experiment: { buckets: [{ key: 'nova', doc_count: 20 }] },
      };
      return { key: t, types: { buckets: Object.fromEntries(keys.map((k) => [k, typeBucket])) } };
    });
  });
  return { aggregations: { steps: { buckets } } };
}

const KEYWORD_MAPPING = {
  'fifebatch-logs-2025.01.12': {
    mappings: {
      schedd: { mapping: { schedd: { type: 'keyword' } } },
      experiment: { mapping: { experiment: { type: 'keyword' } } },
    },
  },
};

describe('where', () => {
  const FROM = Date.UTC(2025, 0, 12, 0);
  const TO = Date.UTC(2025, 0, 12, 6);
  // A threshold every scored hour reaches: the range is one region.
  const LOW = 1e-9;

  function esHandler(mapping: unknown = KEYWORD_MAPPING): Handler {
    return (req) => {
      if (req.url.includes('/_msearch')) {
        return answerMsearch(req.data);
      }
      if (req.url.includes('/_mapping/field/')) {
        return mapping;
      }
      if (req.url.includes('/_search')) {
        return answerBreakdown(req.data as string, FROM + 3 * HOUR_MS);
      }
      throw fetchError(404, {}, `unexpected ${req.url}`);
    };
  }

  it('adds where columns to the explanation with one search per region, on the settings fields', async () => {
    handler = esHandler();
    const ds = makeDataSource({ scheddField: 'schedd', experimentField: 'experiment' });
    const res = await ds.query(queryRequest([{ refId: 'E', queryType: 'explanation', threshold: LOW }], FROM, TO));
    expect(res.errors).toEqual([]);
    const paths = requests.map((r) => r.url.replace(PROXY, '').split('?')[0]);
    expect(paths).toEqual([
      '/elasticsearch/_msearch',
      '/elasticsearch/fifebatch-logs-*/_mapping/field/schedd%2Cexperiment',
      '/elasticsearch/fifebatch-logs-*/_search',
    ]);
    const frame: DataFrame = res.data[0];
    const schedd = fieldValues(frame, FIELD_WHERE_SCHEDD)!;
    expect(schedd).toHaveLength(6);
    expect(schedd.slice(3)).toEqual(['jobsub02.fnal.gov', 'jobsub02.fnal.gov', 'jobsub02.fnal.gov']);
    expect(fieldValues(frame, FIELD_WHERE_EXPERIMENT)!.slice(3)).toEqual(['', '', '']);
    expect(fieldValues(frame, FIELD_WHERE)![0]).toBe('no change from typical');
    expect(fieldValues(frame, FIELD_WHERE)![5]).toMatch(/ \+\d+ over typical, on jobsub02\.fnal\.gov \+40$/);
  });

  it('puts the region attribution in the annotation text', async () => {
    handler = esHandler();
    const res = await makeDataSource().query(
      queryRequest([{ refId: 'R', queryType: 'regions', threshold: LOW }], FROM, TO)
    );
    expect(res.errors).toEqual([]);
    const text = fieldValues(res.data[0], 'text')!;
    expect(text).toHaveLength(1);
    expect(text[0]).toMatch(/; where: \w+ \+\d+ over typical, on jobsub02\.fnal\.gov \+120$/);
  });

  it('says why there is no where (text field) without failing the query', async () => {
    const text: typeof KEYWORD_MAPPING = JSON.parse(JSON.stringify(KEYWORD_MAPPING));
    text['fifebatch-logs-2025.01.12'].mappings.schedd.mapping.schedd.type = 'text';
    handler = esHandler(text);
    const res = await makeDataSource().query(
      queryRequest([{ refId: 'E', queryType: 'explanation', threshold: LOW }], FROM, TO)
    );
    expect(res.errors).toEqual([]);
    expect(requests.filter((r) => r.url.includes('/_search'))).toHaveLength(0);
    expect(fieldValues(res.data[0], FIELD_WHERE)![0]).toMatch(/field "schedd" is mapped as text, not keyword/);
  });

  it('hourWhere: one search for the hour asked, with the query filters; the mapping check is kept', async () => {
    handler = esHandler();
    const ds = makeDataSource();
    const hot = FROM + 3 * HOUR_MS;
    const text = await ds.hourWhere({ timeMs: hot + 120e3, topFeatures: ['JobHeldEvent'], experiment: 'nova' });
    await ds.hourWhere({ timeMs: FROM, topFeatures: [] });
    expect(requests.map((r) => r.url.replace(PROXY, '').split('?')[0])).toEqual([
      '/elasticsearch/fifebatch-logs-*/_mapping/field/schedd%2Cexperiment',
      '/elasticsearch/fifebatch-logs-*/_search',
      '/elasticsearch/fifebatch-logs-*/_search',
    ]);
    const body = JSON.parse(requests[1].data as string);
    expect(body.query.bool.should[0].range['@timestamp']).toMatchObject({ gte: hot, lt: hot + HOUR_MS });
    expect(body.query.bool.filter).toContainEqual({ terms: { experiment: ['nova'] } });
    expect(text).toBe('JobHeldEvent +40 over typical, on jobsub02.fnal.gov +40');
  });

  it('never searches when no hour reaches the threshold', async () => {
    handler = esHandler();
    const res = await makeDataSource().query(
      queryRequest([{ refId: 'E', queryType: 'explanation', threshold: 1 }], FROM, TO)
    );
    expect(res.errors).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(fieldValues(res.data[0], FIELD_WHERE)).toEqual(['', '', '', '', '', '']);
  });
});

describe('metricFindQuery', () => {
  const termsAnswer = {
    aggregations: {
      values: {
        buckets: [
          { key: 'SubmitEvent', doc_count: 9 },
          { key: 7, doc_count: 1 },
        ],
      },
    },
  };

  it('lists event types from a terms aggregation over the dashboard range', async () => {
    handler = () => termsAnswer;
    const FROM = Date.UTC(2025, 0, 1);
    const TO = Date.UTC(2025, 0, 2);
    const values = await makeDataSource().metricFindQuery('event_types', {
      range: { from: dateTime(FROM), to: dateTime(TO), raw: { from: '', to: '' } },
    });
    expect(values).toEqual([
      { text: 'SubmitEvent', value: 'SubmitEvent' },
      { text: '7', value: '7' },
    ]);
    expect(requests).toHaveLength(1);
    expect(requests[0].url).toBe(`${PROXY}/elasticsearch/fifebatch-logs-*/_search`);
    expect(requests[0].method).toBe('POST');
    const body = JSON.parse(requests[0].data);
    expect(body.aggs.values.terms.field).toBe('MyType');
    expect(body.query.bool.filter[0].range['@timestamp']).toEqual({ gte: FROM, lt: TO, format: 'epoch_millis' });
  });

  it('reads terms(field) over the last 30 days by default', async () => {
    handler = () => termsAnswer;
    const before = Date.now();
    await makeDataSource({ indexPattern: 'jobs-*' }).metricFindQuery('terms( Owner )');
    const body = JSON.parse(requests[0].data);
    expect(requests[0].url).toBe(`${PROXY}/elasticsearch/jobs-*/_search`);
    expect(body.aggs.values.terms.field).toBe('Owner');
    const { gte, lt } = body.query.bool.filter[0].range['@timestamp'];
    expect(lt - gte).toBe(30 * DAY_MS);
    expect(lt).toBeGreaterThanOrEqual(before);
  });

  it('rejects an unknown query without a request', async () => {
    await expect(makeDataSource().metricFindQuery('hosts')).rejects.toThrow(
      'unknown variable query "hosts": use event_types, experiments, schedds or terms(<field>)'
    );
    expect(requests).toHaveLength(0);
  });
});

describe('testDatasource', () => {
  const MAPPING = `${PROXY}/elasticsearch/fifebatch-logs-*/_mapping/field/%40timestamp%2CMyType`;
  const goodMapping = {
    'fifebatch-logs-2025.01.01': {
      mappings: {
        '@timestamp': { mapping: { '@timestamp': { type: 'date' } } },
        MyType: { mapping: { MyType: { type: 'keyword' } } },
      },
    },
  };
  /** A healthy OpenSearch and Graphite; `override` replaces the answer for one URL. */
  function healthy(override: Record<string, () => unknown> = {}): Handler {
    return (req) => {
      if (override[req.url]) {
        return override[req.url]();
      }
      switch (req.url) {
        case `${PROXY}/elasticsearch/`:
          return { version: { number: '2.19.1', distribution: 'opensearch' } };
        case MAPPING:
          return goodMapping;
        case `${PROXY}/elasticsearch/fifebatch-logs-*/_count`:
          return { count: 1234 };
        case `${PROXY}/graphite/metrics/find?query=*`:
          return [{ text: 'pool', id: 'pool' }];
        default:
          throw fetchError(404, {}, `unexpected ${req.url}`);
      }
    };
  }

  it('passes with every check named', async () => {
    handler = healthy();
    const before = Date.now();
    await expect(makeDataSource().testDatasource()).resolves.toEqual({
      status: 'success',
      message: 'OpenSearch 2.19.1 reachable; 1234 events in the last 24 h; model fits the 13 features',
    });
    const count = requests.find((r) => r.url.endsWith('/_count'))!;
    expect(count.method).toBe('POST');
    const { gte, lt } = JSON.parse(count.data).query.range['@timestamp'];
    expect(lt - gte).toBe(DAY_MS);
    expect(lt).toBeGreaterThanOrEqual(before);
  });

  it.each([
    [502, "Elasticsearch: unreachable through Grafana's data proxy (HTTP 502); check the URL"],
    [504, "Elasticsearch: unreachable through Grafana's data proxy (HTTP 504); check the URL"],
    [401, 'Elasticsearch: authentication failed (HTTP 401); check the credentials in the datasource settings'],
    [403, 'Elasticsearch: authentication failed (HTTP 403); check the credentials in the datasource settings'],
  ])('explains HTTP %p from Elasticsearch', async (status, message) => {
    handler = healthy({
      [`${PROXY}/elasticsearch/`]: () => {
        throw fetchError(status);
      },
    });
    await expect(makeDataSource().testDatasource()).resolves.toEqual({ status: 'error', message });
    expect(requests).toHaveLength(1);
  });

  it('names an index pattern that matches nothing (404 or an empty mapping)', async () => {
    const message = 'Elasticsearch: index pattern "fifebatch-logs-*" matches no index';
    handler = healthy({
      [MAPPING]: () => {
        throw fetchError(404, {});
      },
    });
    await expect(makeDataSource().testDatasource()).resolves.toEqual({ status: 'error', message });
    handler = healthy({ [MAPPING]: () => ({}) });
    await expect(makeDataSource().testDatasource()).resolves.toEqual({ status: 'error', message });
  });

  it('names a field of the wrong type', async () => {
    handler = healthy({
      [MAPPING]: () => ({
        'fifebatch-logs-2025.01.01': {
          mappings: {
            '@timestamp': { mapping: { '@timestamp': { type: 'date' } } },
            MyType: { mapping: { MyType: { type: 'text' } } },
          },
        },
      }),
    });
    await expect(makeDataSource().testDatasource()).resolves.toEqual({
      status: 'error',
      message:
        'Elasticsearch: field "MyType" is mapped as text, not keyword, in fifebatch-logs-2025.01.01 (use a keyword field, e.g. "MyType.keyword")',
    });
    expect(requests.some((r) => r.url.endsWith('/_count'))).toBe(false);
  });

  it('warns about no events in the last 24 h', async () => {
    handler = healthy({ [`${PROXY}/elasticsearch/fifebatch-logs-*/_count`]: () => ({ count: 0 }) });
    await expect(makeDataSource().testDatasource()).resolves.toEqual({
      status: 'error',
      message: 'Elasticsearch: no events in "fifebatch-logs-*" in the last 24 h (is the shipper running?)',
    });
  });

  it('reports a model that does not fit the features and a Graphite target that matches nothing', async () => {
    handler = healthy({ [`${PROXY}/graphite/render`]: () => [] });
    const ds = makeDataSource({
      graphiteUrl: 'http://graphite:8080',
      features: [TWO_ES[0], { name: 'cpu', source: 'graphite', target: 'pool.cpu' }],
    });
    await expect(ds.testDatasource()).resolves.toEqual({
      status: 'error',
      message:
        'Model: does not fit the configured features: model expects features [SubmitEvent, ExecuteEvent, ' +
        'JobTerminatedEvent, JobAbortedEvent, JobEvictedEvent, JobHeldEvent, JobReleaseEvent, JobImageSizeEvent, ' +
        'JobDisconnectedEvent, JobReconnectedEvent, JobReconnectFailedEvent, ShadowExceptionEvent, ' +
        'JobSuspendedEvent], the datasource is configured with [submits, cpu]; ' +
        'Graphite path matches nothing: pool.cpu (feature "cpu")',
    });
  });

  it('reports Graphite features without a Graphite URL, and an unreachable Graphite', async () => {
    handler = healthy();
    const features = [...loadModel(defaultModel).doc.features.slice(0, 12), 'x'].map((name, i): FeatureSource =>
      i < 12 ? { name, source: 'elasticsearch', eventType: name } : { name, source: 'graphite', target: 'a.b' }
    );
    await expect(makeDataSource({ features }).testDatasource()).resolves.toMatchObject({
      status: 'error',
      message: expect.stringMatching(/; Graphite: no URL configured, but features use it$/),
    });
    handler = healthy({
      [`${PROXY}/graphite/metrics/find?query=*`]: () => {
        throw fetchError(502);
      },
    });
    await expect(makeDataSource({ graphiteUrl: 'http://graphite:8080' }).testDatasource()).resolves.toEqual({
      status: 'error',
      message: "Graphite: unreachable through Grafana's data proxy (HTTP 502); check the URL",
    });
  });
});

describe('publishModel / rollbackModel', () => {
  const SETTINGS_URL = '/api/datasources/uid/gs-uid';
  const bundled = defaultModel as unknown as ModelDocument;
  const newDoc: ModelDocument = { ...bundled, training: { ...bundled.training, metrics: { validationAp: 0.9 } } };
  let stored: Record<string, unknown>;

  function settingsApi(): Handler {
    return (req) => {
      expect(req.url).toBe(SETTINGS_URL);
      if (req.method === 'GET') {
        return stored;
      }
      if (req.method === 'PUT') {
        return { message: 'Datasource updated' };
      }
      throw fetchError(405);
    };
  }

  beforeEach(() => {
    config.bootData = { ...config.bootData, user: { ...config.bootData?.user, login: 'operator' } };
    stored = {
      id: 7,
      uid: 'gs-uid',
      name: 'GridSentinel',
      type: 'gridsentinel-anomaly-datasource',
      url: '',
      basicAuth: true,
      basicAuthUser: 'reader',
      version: 5,
      jsonData: { elasticsearchUrl: 'http://es:9200', elasticsearchAuth: 'basic' },
      secureJsonFields: { basicAuthPassword: true },
    };
    handler = settingsApi();
  });

  it('reads the whole datasource, then PUTs it back with the version kept and the model in jsonData', async () => {
    const before = Date.now();
    await makeDataSource().publishModel(newDoc);
    expect(requests.map((r) => [r.method, r.url])).toEqual([
      ['GET', SETTINGS_URL],
      ['PUT', SETTINGS_URL],
    ]);
    const put = requests[1].data;
    expect({ ...put, jsonData: undefined }).toEqual({ ...stored, jsonData: undefined });
    expect(put.version).toBe(5);
    expect(put.jsonData).toMatchObject({
      elasticsearchUrl: 'http://es:9200',
      elasticsearchAuth: 'basic',
      model: newDoc,
      modelPrevious: null,
    });
    expect(put.jsonData.modelHistory).toHaveLength(1);
    expect(put.jsonData.modelHistory[0]).toMatchObject({
      version: 1,
      publishedBy: 'operator',
      validationAp: 0.9,
      source: 'classifier+surprise',
    });
    expect(Date.parse(put.jsonData.modelHistory[0].publishedAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('keeps the replaced model as modelPrevious and rolls back to it', async () => {
    stored.jsonData = { ...(stored.jsonData as object), model: bundled };
    await makeDataSource().publishModel(newDoc);
    const published = requests[1].data.jsonData;
    expect(published.model).toBe(newDoc);
    expect(published.modelPrevious).toEqual(bundled);

    stored = { ...stored, version: 6, jsonData: published };
    requests = [];
    await makeDataSource().rollbackModel();
    expect(requests.map((r) => r.method)).toEqual(['GET', 'PUT']);
    const rolled = requests[1].data;
    expect(rolled.version).toBe(6);
    expect(rolled.jsonData.model).toEqual(bundled);
    expect(rolled.jsonData.modelPrevious).toBe(newDoc);
    expect(
      rolled.jsonData.modelHistory.map((e: { version: number; rollback?: boolean }) => [e.version, e.rollback])
    ).toEqual([
      [2, true],
      [1, undefined],
    ]);
  });

  it('refuses a rollback without a previous model, before any PUT', async () => {
    await expect(makeDataSource().rollbackModel()).rejects.toThrow(
      'there is no previous model to roll back to (jsonData.modelPrevious is empty)'
    );
    expect(requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('refuses settings over 64 KiB, before any PUT', async () => {
    stored.jsonData = { model: bundled, notes: 'x'.repeat(JSON_DATA_LIMIT - JSON.stringify(bundled).length - 100) };
    await expect(makeDataSource().publishModel(newDoc)).rejects.toThrow(
      'the settings with two models exceed 64 KiB, which some Grafana databases cannot store'
    );
    expect(requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('passes a failed PUT (e.g. a concurrent edit) on', async () => {
    handler = (req) => {
      if (req.method === 'PUT') {
        throw fetchError(409, { message: 'data source has been updated by someone else' });
      }
      return stored;
    };
    await expect(makeDataSource().publishModel(newDoc)).rejects.toMatchObject({ status: 409 });
  });
});

describe("the watcher's summaries (jsonData.summaryName)", () => {
  const FROM = Date.UTC(2025, 0, 12, 5);
  const TO = Date.UTC(2025, 0, 13, 5);
  const SUMMARISED_TO = TO - 6 * HOUR_MS;

  /** Summary documents for GRID's hours before SUMMARISED_TO, as the watcher writes them. */
  function answerSummaries(body: string) {
    const { gte, lt } = JSON.parse(body).query.bool.filter[2].range.hour as { gte: number; lt: number };
    const hits = GRID.times
      .map((t, i) => ({ t, row: GRID.values[i] }))
      .filter(({ t }) => t >= gte && t < lt && t < SUMMARISED_TO)
      .map(({ t, row }) => ({
        _source: {
          hour: new Date(t).toISOString(),
          features: Object.fromEntries(GRID.features.map((f, c) => [f, row[c]])),
        },
      }));
    return { _shards: { total: 1 }, hits: { hits } };
  }

  const probabilityOf = async (ds: GridSentinelDataSource) => {
    const res = await ds.query(queryRequest([{ refId: 'P', queryType: 'probability' }], FROM, TO));
    expect(res.errors).toEqual([]);
    return res.data[0] as DataFrame;
  };

  it('reads summarised hours through the elasticsearch route, counts the tail, scores the same', async () => {
    handler = (req) =>
      req.url.includes('/gridsentinel-scores-') ? answerSummaries(req.data) : answerMsearch(req.data);
    const fast = await probabilityOf(makeDataSource({ summaryName: 'pool1' }));
    const summaryReqs = requests.filter((r) => r.url.includes('/gridsentinel-scores-'));
    expect(summaryReqs).toHaveLength(1);
    expect(summaryReqs[0].url.startsWith(`${PROXY}/elasticsearch/gridsentinel-scores-pool1-*/_search?`)).toBe(true);
    const start = scoringFetchStart(loadModel(defaultModel).doc, FROM, true);
    expect(fast.meta?.custom).toMatchObject({
      summaries: 'used',
      hoursFromSummaries: (SUMMARISED_TO - start) / HOUR_MS,
      hoursCounted: 6,
    });
    // Only the tail was counted.
    const counted = requests.filter((r) => r.url.includes(MSEARCH));
    expect(counted.map((r) => windowOf(msearchPairs(r.data as string)[0].search))).toEqual([
      { gte: SUMMARISED_TO, lt: TO },
    ]);
    requests = [];
    const raw = await probabilityOf(makeDataSource());
    expect(requests.some((r) => r.url.includes('/gridsentinel-scores-'))).toBe(false);
    expect(raw.meta?.custom).toMatchObject({ summaries: 'off', hoursFromSummaries: 0 });
    expect(fieldValues(fast, FIELD_PROBABILITY)).toEqual(fieldValues(raw, FIELD_PROBABILITY));
  });

  it('counts everything when no summary index exists yet and says so in the features frame', async () => {
    handler = (req) =>
      req.url.includes('/gridsentinel-scores-') ? { _shards: { total: 0 } } : answerMsearch(req.data);
    const res = await makeDataSource({ summaryName: 'pool1' }).query(
      queryRequest([{ refId: 'F', queryType: 'features' }], FROM, TO)
    );
    expect(res.errors).toEqual([]);
    expect(res.data[0].meta?.custom).toEqual({ summaries: 'no-index', hoursFromSummaries: 0, hoursCounted: 24 });
  });
});
