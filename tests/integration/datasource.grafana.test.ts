// The datasource class itself against a real OpenSearch and Graphite. Grafana's backend cannot run here,
// so backendSrv hands requests to tests/support/dataProxy.mjs, a stand-in for Grafana's data proxy that
// resolves the routes of src/datasource/plugin.json with each datasource's jsonData and forwards them;
// responses come back in Grafana's FetchResponse / FetchError shapes.
import http from 'node:http';
import net from 'node:net';
import { dateTime, type DataFrame, type DataQueryRequest } from '@grafana/data';
import { setBackendSrv, setTemplateSrv } from '@grafana/runtime';

import { DEFAULT_FEATURE_NAMES } from '../../src/core/htcondor/eventTypes';
import type { GridSentinelOptions, GridSentinelQuery } from '../../src/datasource/types';
import { proxiedGrafana, type StoredServerSide } from '../support/proxiedDataSource';

const OS = process.env.GS_OPENSEARCH_URL;
const GRAPHITE = process.env.GS_GRAPHITE_URL;
const HOUR = 3600e3;

const { proxy, backendSrv, datasource: storedDatasource } = proxiedGrafana();

/** Direct HTTP to the services, for seeding (jsdom has no fetch). */
function forward(
  url: string,
  options: { method?: string; headers?: Record<string, string>; data?: unknown; url?: string }
) {
  const body =
    options.data === undefined
      ? undefined
      : typeof options.data === 'string'
        ? options.data
        : JSON.stringify(options.data);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: options.method ?? 'GET',
        headers: { ...options.headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      }
    );
    req.on('error', reject);
    if (body) {
      req.write(body);
    }
    req.end();
  });
}

let nextUid = 0;
/** Settings as Grafana stores them; secrets (secureJsonData) only reach the proxy stand-in, never the plugin. */
function datasource(jsonData: Partial<GridSentinelOptions>, server: StoredServerSide = {}) {
  return storedDatasource(`gs-test-${++nextUid}`, { indexPattern: 'gsds-events-*', ...jsonData }, server);
}

function request(targets: GridSentinelQuery[], from: number, to: number): DataQueryRequest<GridSentinelQuery> {
  return {
    targets,
    range: { from: dateTime(from), to: dateTime(to), raw: { from: '', to: '' } },
    scopedVars: { vo: { text: 'dune', value: 'dune' } },
  } as unknown as DataQueryRequest<GridSentinelQuery>;
}

jest.setTimeout(120000);
const describeOs = OS ? describe : describe.skip;
describeOs('GridSentinelDataSource through the data proxy', () => {
  const t0 = Date.UTC(2026, 4, 10);
  const hours = 6;

  beforeAll(async () => {
    setBackendSrv(backendSrv);
    setTemplateSrv({
      replace: (text: string, scoped: any, format?: (v: string | string[]) => string) =>
        text.replace(/\$(\w+)/g, (_, name) => {
          const v = scoped?.[name]?.value;
          return v === undefined ? `$${name}` : format ? format(v) : String(v);
        }),
    } as any);
    const template = await forward(`${OS}/_index_template/gsds-events`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      data: {
        index_patterns: ['gsds-events-*'],
        template: {
          mappings: {
            properties: {
              '@timestamp': { type: 'date' },
              MyType: { type: 'keyword' },
              experiment: { type: 'keyword' },
            },
          },
        },
      },
    });
    expect(template.status).toBe(200);
    const lines: string[] = [];
    for (let h = 0; h < hours; h++) {
      if (h === 3) {
        continue; // a monitoring gap
      }
      for (let i = 0; i <= h; i++) {
        const ts = new Date(t0 + h * HOUR + i * 1000).toISOString();
        lines.push(JSON.stringify({ index: { _index: 'gsds-events-2026.05.10' } }));
        lines.push(JSON.stringify({ '@timestamp': ts, MyType: 'JobHeldEvent', experiment: i % 2 ? 'nova' : 'dune' }));
      }
    }
    // jsdom has no fetch; seed through the same Node HTTP client the proxy stand-in uses.
    const res = await forward(`${OS}/_bulk?refresh=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      data: lines.join('\n') + '\n',
    });
    expect(JSON.parse(res.body).errors).toBe(false);
  });

  it('returns the hourly feature frame, nulls for the gap, counts exact', async () => {
    const ds = datasource({ elasticsearchUrl: OS });
    const res = await ds.query(request([{ refId: 'A', queryType: 'features' }], t0, t0 + hours * HOUR));
    expect(res.errors).toEqual([]);
    const frame = res.data[0] as DataFrame;
    expect(frame.refId).toBe('A');
    expect(frame.fields.map((f) => f.name)).toEqual(['Time', ...DEFAULT_FEATURE_NAMES]);
    const held = frame.fields.find((f) => f.name === 'JobHeldEvent')!;
    expect(held.values).toEqual([1, 2, 3, null, 5, 6]);
    expect(frame.fields.find((f) => f.name === 'ExecuteEvent')!.values).toEqual([0, 0, 0, null, 0, 0]);
  });

  it('expands template variables into exact filters', async () => {
    const ds = datasource({ elasticsearchUrl: OS });
    const res = await ds.query(
      request([{ refId: 'B', queryType: 'features', experiment: '$vo' }], t0, t0 + hours * HOUR)
    );
    const held = (res.data[0] as DataFrame).fields.find((f) => f.name === 'JobHeldEvent')!;
    expect(held.values).toEqual([1, 1, 2, null, 3, 3]);
  });

  it('fails one target with its own error and still answers the others', async () => {
    // Only JobHeldEvent as a feature: the bundled model (13 features) cannot score it.
    const ds = datasource({
      elasticsearchUrl: OS,
      features: [{ name: 'JobHeldEvent', source: 'elasticsearch', eventType: 'JobHeldEvent' }],
    });
    const res = await ds.query(
      request(
        [
          { refId: 'A', queryType: 'features' },
          { refId: 'P', queryType: 'probability' },
        ],
        t0,
        t0 + hours * HOUR
      )
    );
    expect(res.data.map((f: DataFrame) => f.refId)).toEqual(['A']);
    expect(res.errors).toEqual([
      { refId: 'P', message: expect.stringContaining('model expects features [SubmitEvent, ExecuteEvent') },
    ]);
  });

  it('scores every hour with the bundled model: probability, surprise, explanation; no data stays null', async () => {
    const ds = datasource({ elasticsearchUrl: OS });
    proxy.reset();
    const res = await ds.query(
      request(
        [
          { refId: 'P', queryType: 'probability' },
          { refId: 'S', queryType: 'surprise' },
          { refId: 'E', queryType: 'explanation' },
        ],
        t0,
        t0 + hours * HOUR
      )
    );
    // The three targets share one range and filters: one _msearch through the proxy (the explanation's
    // "where" adds its own mapping check and one breakdown search per anomalous region, no _msearch).
    expect(proxy.stats.paths.filter((p: string) => p.endsWith('/_msearch'))).toHaveLength(1);
    expect(res.errors).toEqual([]);
    const [p, sFrame, e] = res.data as DataFrame[];
    expect(p.fields[0].values).toEqual(Array.from({ length: hours }, (_, h) => t0 + h * HOUR));
    const prob = p.fields[1].values as Array<number | null>;
    expect(prob[3]).toBeNull();
    for (const [h, v] of prob.entries()) {
      if (h !== 3) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
    expect(p.fields[1].config).toMatchObject({ unit: 'percentunit', min: 0, max: 1 });
    expect(sFrame.fields[1].name).toBe('surprise');
    expect(e.fields.map((f) => f.name)).toEqual([
      'Time',
      'probability',
      'top_features',
      'where',
      'where_schedd',
      'where_experiment',
    ]);
    const top = (e.fields[2].values as string[]).map((v) => (v ? v.split(', ') : []));
    expect(top[3]).toEqual([]); // no data, nothing to explain
    for (const names of top.filter((_, h) => h !== 3)) {
      expect(names.length).toBeGreaterThan(0);
      expect(names.every((n) => DEFAULT_FEATURE_NAMES.includes(n))).toBe(true);
    }
  });

  it('returns anomaly regions for annotation queries (threshold 0 < t <= 1)', async () => {
    const ds = datasource({ elasticsearchUrl: OS });
    const target = ds.annotations!.prepareQuery!({
      name: 'a',
      enable: true,
      iconColor: 'red',
      target: { refId: 'X', threshold: 0.0001 },
    } as any)!;
    expect(target.queryType).toBe('regions');
    const res = await ds.query(request([target], t0, t0 + hours * HOUR));
    expect(res.errors).toEqual([]);
    const frame = res.data[0] as DataFrame;
    expect(frame.fields.map((f) => f.name)).toEqual(['time', 'timeEnd', 'title', 'text', 'tags']);
    // Threshold near zero: every hour with data is anomalous; the gap (hour 3) splits the regions.
    expect(frame.fields[0].values).toEqual([t0, t0 + 4 * HOUR]);
    expect(frame.fields[1].values).toEqual([t0 + 3 * HOUR, t0 + hours * HOUR]);
  });

  it('reports a missing index by name', async () => {
    const ds = datasource({ elasticsearchUrl: OS, indexPattern: 'gsds-nothing-*' });
    const res = await ds.query(request([{ refId: 'A', queryType: 'features' }], t0, t0 + HOUR));
    expect(res.errors?.[0].message).toMatch(/index pattern "gsds-nothing-\*" matches no index/);
  });

  it('answers variable queries from terms aggregations', async () => {
    const ds = datasource({ elasticsearchUrl: OS });
    const range = { from: dateTime(t0), to: dateTime(t0 + hours * HOUR), raw: { from: '', to: '' } } as any;
    expect(await ds.metricFindQuery('experiments', { range })).toEqual([
      { text: 'dune', value: 'dune' },
      { text: 'nova', value: 'nova' },
    ]);
    expect(await ds.metricFindQuery('event_types', { range })).toEqual([
      { text: 'JobHeldEvent', value: 'JobHeldEvent' },
    ]);
    expect(await ds.metricFindQuery('terms(experiment)', { range })).toHaveLength(2);
    await expect(ds.metricFindQuery('hosts', { range })).rejects.toThrow(/unknown variable query "hosts"/);
  });
});

function send(lines: string[]) {
  return new Promise<void>((resolve, reject) => {
    const sock = net.connect(Number(process.env.GS_CARBON_PORT), process.env.GS_CARBON_HOST, () =>
      sock.end(lines.join('\n') + '\n', () => resolve())
    );
    sock.on('error', reject);
  });
}

async function bulk(docs: object[], index: string) {
  const lines = docs.flatMap((d) => [JSON.stringify({ index: { _index: index } }), JSON.stringify(d)]);
  const res = await forward(`${OS}/_bulk?refresh=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    data: lines.join('\n') + '\n',
  });
  expect(JSON.parse(res.body).errors).toBe(false);
}

async function put(pathname: string, body: object) {
  const res = await forward(`${OS}${pathname}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    data: body,
  });
  expect(res.status).toBe(200);
}

const describeBoth = OS && GRAPHITE ? describe : describe.skip;
describeBoth('GridSentinelDataSource with Elasticsearch and Graphite features', () => {
  const now = Date.now();
  const hourNow = Math.floor(now / HOUR) * HOUR;
  const running = 'gsds.clusters.gpgrid.jobs.totals.running.count';
  const keywordMapping = {
    properties: { '@timestamp': { type: 'date' }, MyType: { type: 'keyword' }, experiment: { type: 'keyword' } },
  };
  let upstream401: http.Server;
  let upstream401Url = '';

  beforeAll(async () => {
    await put('/_index_template/gsds-recent', {
      index_patterns: ['gsds-recent-*'],
      template: { mappings: keywordMapping },
    });
    const docs = [];
    for (let h = 1; h <= 6; h++) {
      docs.push({
        '@timestamp': new Date(hourNow - h * HOUR + 60e3).toISOString(),
        MyType: 'ExecuteEvent',
        experiment: 'nova',
      });
    }
    await bulk(docs, 'gsds-recent-today');
    await put('/gsds-text-1', {
      mappings: { properties: { '@timestamp': { type: 'date' }, MyType: { type: 'text' } } },
    });
    await bulk([{ '@timestamp': new Date(hourNow - HOUR).toISOString(), MyType: 'ExecuteEvent' }], 'gsds-text-1');
    await send(Array.from({ length: 6 }, (_, i) => `${running} ${100 + i} ${(hourNow - (6 - i) * HOUR) / 1000}`));
    // carbon creates the whisper file asynchronously: wait until graphite-web can see the path.
    for (let i = 0; i < 60; i++) {
      const found = JSON.parse((await forward(`${GRAPHITE}/metrics/find?query=${running}`, {})).body);
      if (found.length > 0) {
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    upstream401 = http.createServer((_, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { reason: 'missing authentication credentials' } }));
    });
    await new Promise<void>((r) => upstream401.listen(0, '127.0.0.1', () => r()));
    upstream401Url = `http://127.0.0.1:${(upstream401.address() as net.AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => upstream401.close(() => r())));

  /** An Elasticsearch that wants credentials: checks Authorization, then forwards to OpenSearch. */
  async function securedElasticsearch(accept: string[]) {
    const server = http.createServer(async (req, res) => {
      if (!accept.includes(req.headers.authorization ?? '')) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { reason: 'unable to authenticate user' } }));
        return;
      }
      let body = '';
      for await (const chunk of req) {
        body += chunk;
      }
      const r = await forward(`${OS}${req.url}`, {
        method: req.method,
        headers: { 'content-type': String(req.headers['content-type'] ?? 'application/json') },
        data: body || undefined,
      });
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(r.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return { server, url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` };
  }

  it('authenticates through the proxy with basic auth or an API key, secrets never in jsonData', async () => {
    const basic = `Basic ${Buffer.from('gs:s3cret').toString('base64')}`;
    const es = await securedElasticsearch([basic, 'ApiKey k-123']);
    try {
      const base = { elasticsearchUrl: es.url, indexPattern: 'gsds-recent-*' };
      const ok = await datasource(
        { ...base, elasticsearchAuth: 'basic' },
        { basicAuth: true, basicAuthUser: 'gs', secureJsonData: { basicAuthPassword: 's3cret' } }
      ).testDatasource();
      expect(ok.status).toBe('success');
      const key = await datasource(
        { ...base, elasticsearchAuth: 'apikey' },
        { secureJsonData: { elasticsearchApiKey: 'k-123' } }
      ).testDatasource();
      expect(key.status).toBe('success');
      const wrong = await datasource(
        { ...base, elasticsearchAuth: 'basic' },
        { basicAuth: true, basicAuthUser: 'gs', secureJsonData: { basicAuthPassword: 'nope' } }
      ).testDatasource();
      expect(wrong).toEqual({
        status: 'error',
        message: expect.stringMatching(/^Elasticsearch: authentication failed \(HTTP 401\)/),
      });
      const none = await datasource(base).testDatasource();
      expect(none.message).toMatch(/authentication failed \(HTTP 401\)/);
    } finally {
      await new Promise<void>((r) => es.server.close(() => r()));
    }
  });

  const features = [
    { name: 'running', source: 'graphite' as const, target: running, aggregation: 'avg' as const },
    { name: 'ExecuteEvent', source: 'elasticsearch' as const, eventType: 'ExecuteEvent' },
  ];

  it('merges Graphite and Elasticsearch features in the configured order', async () => {
    const ds = datasource({ elasticsearchUrl: OS, graphiteUrl: GRAPHITE, indexPattern: 'gsds-recent-*', features });
    let m = await ds.featureMatrix(hourNow - 6 * HOUR, hourNow);
    // carbon writes asynchronously: poll until the points are visible
    for (let i = 0; i < 40 && m.values.some((r) => r[0] === null); i++) {
      await new Promise((r) => setTimeout(r, 500));
      m = await ds.featureMatrix(hourNow - 6 * HOUR, hourNow);
    }
    expect(m.features).toEqual(['running', 'ExecuteEvent']);
    expect(m.values).toEqual([0, 1, 2, 3, 4, 5].map((i) => [100 + i, 1]));
  });

  it('testDatasource passes when everything is in place', async () => {
    // The default 13 features, which the bundled model was trained on.
    const ds = datasource({ elasticsearchUrl: OS, graphiteUrl: GRAPHITE, indexPattern: 'gsds-recent-*' });
    expect(await ds.testDatasource()).toEqual({
      status: 'success',
      message: expect.stringMatching(
        /reachable; 6 events in the last 24 h; model fits the 13 features; Graphite reachable$/
      ),
    });
  });

  it.each([
    [
      'unreachable',
      { elasticsearchUrl: 'http://127.0.0.1:9' },
      /Elasticsearch: unreachable through Grafana's data proxy \(HTTP 502\)/,
    ],
    ['authentication', { elasticsearchUrl: '' }, /Elasticsearch: authentication failed \(HTTP 401\)/],
    ['index pattern matches nothing', { indexPattern: 'gsds-none-*' }, /index pattern "gsds-none-\*" matches no index/],
    [
      'event-type field mapped as text',
      { indexPattern: 'gsds-text-*' },
      /field "MyType" is mapped as text, not keyword, in gsds-text-1/,
    ],
    ['no events in the last 24 h', { indexPattern: 'gsds-events-*' }, /no events in "gsds-events-\*" in the last 24 h/],
    [
      'Graphite path matches nothing',
      { features: [{ name: 'x', source: 'graphite', target: 'gsds.no.such' }] },
      /Graphite path matches nothing: gsds.no.such/,
    ],
    [
      'Graphite unreachable',
      { graphiteUrl: 'http://127.0.0.1:9' },
      /Graphite: unreachable through Grafana's data proxy/,
    ],
    [
      'a bad feature list',
      { features: [{ name: 'a', source: 'elasticsearch', eventType: '' }] },
      /Features: feature 1 \("a"\): event type is empty/,
    ],
    [
      'a model that does not fit the features',
      {},
      /Model: does not fit the configured features: model expects features \[SubmitEvent/,
    ],
  ])('testDatasource reports: %s', async (_, override, message) => {
    const base = { elasticsearchUrl: OS, graphiteUrl: GRAPHITE, indexPattern: 'gsds-recent-*', features };
    const jsonData: any = { ...base, ...override };
    if (jsonData.elasticsearchUrl === '') {
      jsonData.elasticsearchUrl = upstream401Url;
    }
    const r = await datasource(jsonData).testDatasource();
    expect(r.status).toBe('error');
    expect(r.message).toMatch(message);
  });
});
